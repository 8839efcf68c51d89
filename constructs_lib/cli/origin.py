"""Where the running constructs_lib came from, as a line of a requirements file that installs it again:
``constructs_lib[gates]==X.Y.Z`` when it came from an index; else the wheel, folder or repository that pip
recorded in its installation (PEP 610, ``direct_url.json``), ``-e FOLDER[gates]`` for an editable install.
A wheel or folder that no longer exists is refused: a requirement that cannot resolve helps nobody."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any, Optional, cast
from urllib.parse import unquote, urlparse

NAME = "constructs_lib"
EXTRAS = "[gates]"  # the starter runs every gate: cfn-lint, cdk-nag and cfn-guard come with the library
PACKAGE = Path(__file__).resolve().parents[1]  # the constructs_lib package folder that is running
CHECKOUT = PACKAGE.parent


class OriginError(Exception):
    """The running constructs_lib cannot be named so that pip finds it again."""


def installed() -> Optional[metadata.Distribution]:
    """The installation this package was imported from (not another one further down sys.path)."""
    try:
        distribution = metadata.distribution(NAME)
    except metadata.PackageNotFoundError:
        return None
    where = Path(str(getattr(distribution, "_path", "")))
    if where.suffix == ".egg-info" and (where.parent / "pyproject.toml").is_file():
        return None  # the build's leftovers in a checkout, not an installation
    origin = direct_url(distribution)
    if origin and origin.get("dir_info", {}).get("editable"):
        home = local_path(origin["url"])
        return distribution if home is not None and PACKAGE.is_relative_to(home) else None
    located = Path(str(distribution.locate_file(f"{NAME}/__init__.py"))).resolve()
    return distribution if located == PACKAGE / "__init__.py" else None


def direct_url(distribution: metadata.Distribution) -> Optional[dict[str, Any]]:
    text = distribution.read_text("direct_url.json")
    return cast(dict[str, Any], json.loads(text)) if text else None


def local_path(url: str) -> Optional[Path]:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def requirement_of(version: str, origin: Optional[dict[str, Any]]) -> str:
    """The requirement line for an installation of `version` whose PEP 610 record is `origin`."""
    if origin is None:
        return f"{NAME}{EXTRAS}=={version}"
    url: str = origin["url"]
    path = local_path(url)
    if path is not None and not path.exists():
        raise OriginError(f"{NAME} {version} was installed from {path}, which no longer exists: "
                          "reinstall it, or give the requirement with --requirement")
    if "vcs_info" in origin:
        vcs = origin["vcs_info"]
        return f"{NAME}{EXTRAS} @ {vcs['vcs']}+{url}@{vcs.get('commit_id', vcs.get('requested_revision', ''))}"
    if origin.get("dir_info", {}).get("editable") and path is not None:
        return f"-e {path}{EXTRAS}"
    return f"{NAME}{EXTRAS} @ {url}"


def requirement_line() -> str:
    """How an app's requirements.txt installs the constructs_lib that is running."""
    distribution = installed()
    if distribution is not None:
        return requirement_of(distribution.version, direct_url(distribution))
    if (CHECKOUT / "pyproject.toml").is_file():  # run from a checkout that is not installed
        return f"{NAME}{EXTRAS} @ {CHECKOUT.as_uri()}"
    raise OriginError(f"{NAME} at {PACKAGE} is not installed: give the requirement with --requirement")


def editable_folder(line: str) -> Optional[Path]:
    """The checkout an editable requirement line (``-e FOLDER[gates]``) installs, else None."""
    text = line.strip()
    for flag in ("-e ", "--editable "):
        if text.startswith(flag):
            return Path(text.removeprefix(flag).strip().removesuffix(EXTRAS))
    return None


def names_us(line: str) -> bool:
    """Whether a requirements line installs constructs_lib (by name, or editable from a folder of it)."""
    text = line.strip()
    if text.startswith(("-e ", "--editable ")):
        return EXTRAS in text or text.rstrip("/").endswith(("constructs_lib", "constructs-lib"))
    return text.replace("-", "_").startswith(NAME) and not text[len(NAME):len(NAME) + 1].isalnum()
