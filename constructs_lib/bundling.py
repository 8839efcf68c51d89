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
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

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
    """Installs requirements.txt for Lambda's platform with the synthesizing Python's pip."""

    def __init__(self, entry: Path, arch: str, python: str, label: str) -> None:
        self._entry = entry
        self._arch = arch
        self._python = python
        self._label = label  # the construct path, for error messages
        requirements = (entry / "requirements.txt").read_bytes()
        self.cache_key = hashlib.sha256(
            b"\0".join([requirements, arch.encode(), python.encode()])
        ).hexdigest()[:32]

    def try_bundle(self, output_dir: str, *args: object) -> bool:
        site_packages = self._installed_dependencies()
        shutil.copytree(site_packages, output_dir, dirs_exist_ok=True)
        shutil.copytree(self._entry, output_dir, dirs_exist_ok=True, ignore=_IGNORED)
        size = folder_size(Path(output_dir))
        if size > MAX_UNZIPPED_BYTES:
            raise BundlingError(
                f"ServerlessFunction '{self._label}': entry {str(self._entry)!r} bundles to "
                f"{size / 1024 / 1024:.1f} MB unzipped, over Lambda's 250 MB limit for a deployment "
                "package: trim requirements.txt or use a container image (image=)"
            )
        return True

    def _installed_dependencies(self) -> Path:
        target = cache_root() / self.cache_key
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.cache_key}-", dir=target.parent))
        command = [
            sys.executable, "-m", "pip", "install",
            "--requirement", str(self._entry / "requirements.txt"),
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
                f"ServerlessFunction '{self._label}': pip could not install "
                f"{self._entry / 'requirements.txt'} for Lambda (python{self._python}, "
                f"{self._arch}, binary wheels only):\n{result.stderr.strip()}"
            )
        try:
            staging.rename(target)  # atomic: a concurrent synth either wins or finds it done
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
        return target


def code_from_folder(
    entry: Path, architecture: lambda_.Architecture, runtime: lambda_.Runtime, label: str
) -> lambda_.Code:
    """Lambda code for a handler folder; dependencies bundled when it has a requirements.txt."""
    if not (entry / "requirements.txt").is_file():
        return lambda_.Code.from_asset(str(entry), exclude=["__pycache__", "*.pyc"])
    arch = lambda_arch(architecture)
    python = python_version(runtime)
    local = PipLocalBundling(entry, arch, python, label)
    return lambda_.Code.from_asset(
        str(entry),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=f"{folder_digest(entry)[:32]}-{local.cache_key}",
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds or raises, so Docker is not needed.
            image=DockerImage.from_registry("local-bundling-only"),
            local=local,
        ),
    )
