"""``python -m constructs_lib new DIR``: a ready CDK app of two constructs, with its handlers, a snapshot test,
the feature flags and the pinned CDK CLI the library is tested with, Node from PyPI, cdk-nag and DeployRules
on, and a Makefile (synth, test, diff, deploy, cost, diagrams)."""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path
from typing import Optional

TEMPLATE = Path(__file__).resolve().parent / "starter_app"
CHECKOUT = Path(__file__).resolve().parents[2]


def default_requirement() -> str:
    """How the new app installs constructs_lib: from this checkout when run from one, else this version."""
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "constructs_lib").is_dir():
        return f"constructs_lib @ {CHECKOUT.as_uri()}"
    return f"constructs_lib=={metadata.version('constructs_lib')}"


def create(folder: Path, requirement: Optional[str] = None) -> list[Path]:
    """Writes the app into `folder` (which must be absent or empty); returns the files written."""
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty: choose a new folder")
    shutil.copytree(TEMPLATE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "gitignore").rename(folder / ".gitignore")  # a dotfile would not be packaged
    requirements = folder / "requirements.txt"
    requirements.write_text(
        requirements.read_text().replace("{constructs_lib}", requirement or default_requirement())
    )
    return sorted(path for path in folder.rglob("*") if path.is_file())
