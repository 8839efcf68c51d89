"""Function code from a folder, with requirements.txt installed for Lambda's platform, without Docker.

pip downloads only binary wheels (`--only-binary=:all:`) built for the function's architecture and the
runtime's Python version, so a package compiled for the build machine is never shipped to Lambda
(the `cannot import name '_imaging'` failure). The installed dependencies are cached on disk, keyed by
the requirements, the architecture and the Python version; the handler sources are copied fresh.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling, Stack
from aws_cdk import aws_lambda as lambda_

from ..core.jsii_types import as_interface

# Lambda's limit on a function's unzipped deployment package (code plus layers).
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024

# Pillow 13 ships only manylinux_2_28 wheels; older packages only manylinux2014. Both run on Lambda.
_PLATFORM_TAGS = ("manylinux2014_{arch}", "manylinux_2_28_{arch}")

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache")


class BundlingError(RuntimeError):
    """A function's dependencies could not be bundled for Lambda."""


def cache_root() -> Path:
    """Where installed dependencies are cached (CONSTRUCTS_LIB_CACHE overrides)."""
    configured = os.environ.get("CONSTRUCTS_LIB_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "constructs_lib" / "bundles"


def folder_digest(folder: Path) -> str:
    """A hash of every file's relative path and content below `folder` (bytecode excluded)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def lambda_arch(architecture: lambda_.Architecture) -> str:
    """'aarch64' or 'x86_64': the machine name that wheel platform tags use."""
    return "aarch64" if architecture.name == "arm64" else "x86_64"


def python_version(runtime: lambda_.Runtime) -> str:
    """'3.14' for python3.14."""
    return runtime.name.removeprefix("python")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@jsii.implements(ILocalBundling)
class PipLocalBundling:
    """Installs requirements.txt for Lambda's platform with the synthesizing Python's pip, then copies the
    handler folder over it. ``bundled_bytes`` is the unzipped size once bundled."""

    kind = "ServerlessFunction"

    def __init__(self, entry: Path, arch: str, python: str, label: str) -> None:
        self._entry = entry
        self._arch = arch
        self._python = python
        self._label = label  # the construct path, for error messages
        self.bundled_bytes: Optional[int] = None
        requirements = self.requirements.read_bytes()
        self.cache_key = hashlib.sha256(
            b"\0".join([requirements, arch.encode(), python.encode()])
        ).hexdigest()[:32]

    @property
    def requirements(self) -> Path:
        return self._entry / "requirements.txt"

    def try_bundle(self, output_dir: str, *args: object) -> bool:
        self._lay_out(Path(output_dir), self._installed_dependencies())
        size = folder_size(Path(output_dir))
        if size > MAX_UNZIPPED_BYTES:
            raise BundlingError(
                f"{self.kind} '{self._label}': {self._what()} to {size / 1024 / 1024:.1f} MB unzipped, over "
                f"Lambda's 250 MB limit for a deployment package: {self._advice()}"
            )
        self.bundled_bytes = size
        return True

    def _lay_out(self, output: Path, site_packages: Path) -> None:
        shutil.copytree(site_packages, output, dirs_exist_ok=True)
        shutil.copytree(self._entry, output, dirs_exist_ok=True, ignore=_IGNORED)

    def _what(self) -> str:
        return f"entry {str(self._entry)!r} bundles"

    def _advice(self) -> str:
        return "trim requirements.txt or use a container image (image=)"

    def _installed_dependencies(self) -> Path:
        target = cache_root() / self.cache_key
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.cache_key}-", dir=target.parent))
        command = [
            sys.executable, "-m", "pip", "install",
            "--requirement", str(self.requirements),
            "--target", str(staging),
            "--only-binary=:all:",
            "--implementation", "cp",
            "--python-version", self._python,
            "--no-compile",
            "--disable-pip-version-check",
            "--quiet",
        ]
        for tag in _PLATFORM_TAGS:
            command += ["--platform", tag.format(arch=self._arch)]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise BundlingError(
                f"{self.kind} '{self._label}': pip could not install {self.requirements} for Lambda "
                f"(python{self._python}, {self._arch}, binary wheels only):\n{result.stderr.strip()}"
            )
        try:
            staging.rename(target)  # atomic: a concurrent synth either wins or finds it done
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
        return target


class LayerBundling(PipLocalBundling):
    """The packages of a requirements file, for a layer: under python/, where Lambda's Python runtimes look."""

    kind = "DependencyLayer"

    def __init__(self, requirements: Path, arch: str, python: str, label: str) -> None:
        self._requirements = requirements
        super().__init__(requirements.parent, arch, python, label)

    @property
    def requirements(self) -> Path:
        return self._requirements

    def _lay_out(self, output: Path, site_packages: Path) -> None:
        shutil.copytree(site_packages, output / "python", dirs_exist_ok=True)

    def _what(self) -> str:
        return f"requirements {str(self._requirements)!r} install"

    def _advice(self) -> str:
        return "split the requirements into several layers, or trim them"


# Each stack's code of folders without requirements, by folder.
_PLAIN_FOLDERS: "weakref.WeakKeyDictionary[Stack, dict[Path, FolderCode]]" = weakref.WeakKeyDictionary()


@dataclass
class FolderCode:
    """A function's code from a folder, and its unzipped size once known (None while a stack's bundling is
    skipped)."""

    code: lambda_.Code
    bundler: Optional[PipLocalBundling]
    plain_bytes: Optional[int]

    @property
    def unzipped_bytes(self) -> Optional[int]:
        return self.bundler.bundled_bytes if self.bundler is not None else self.plain_bytes


def folder_code(
    entry: Path, architecture: lambda_.Architecture, runtime: lambda_.Runtime, label: str,
    stack: Optional[Stack] = None,
) -> FolderCode:
    """Lambda code for a handler folder; dependencies bundled when it has a requirements.txt. A folder without one
    is one asset for every function of `stack` that uses it (aws-cdk-lib makes the asset once, where it is first
    used; each function's template is the same as with an asset of its own)."""
    if not (entry / "requirements.txt").is_file():
        shared = _PLAIN_FOLDERS.setdefault(stack, {}) if stack is not None else {}
        key = entry.resolve()
        if key not in shared:
            code = lambda_.Code.from_asset(str(entry), exclude=["__pycache__", "*.pyc"])
            shared[key] = FolderCode(code, None, folder_size(entry))
        return shared[key]
    local = PipLocalBundling(entry, lambda_arch(architecture), python_version(runtime), label)
    return FolderCode(_bundled(entry, f"{folder_digest(entry)[:32]}-{local.cache_key}", local), local, None)


def code_from_folder(
    entry: Path, architecture: lambda_.Architecture, runtime: lambda_.Runtime, label: str
) -> lambda_.Code:
    return folder_code(entry, architecture, runtime, label).code


def layer_code(requirements: Path, architecture: lambda_.Architecture, runtime: lambda_.Runtime,
               label: str) -> tuple[lambda_.Code, LayerBundling]:
    local = LayerBundling(requirements, lambda_arch(architecture), python_version(runtime), label)
    return _bundled(requirements.parent, f"layer-{local.cache_key}", local), local


def _bundled(source: Path, asset_hash: str, local: PipLocalBundling) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(source),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=asset_hash,
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds or raises, so Docker is not needed.
            image=DockerImage.from_registry("local-bundling-only"),
            local=as_interface(ILocalBundling, local),
        ),
    )
