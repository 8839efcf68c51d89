"""``python -m constructs_lib new DIR``: a ready CDK app of two constructs, with its handlers, a snapshot test,
the feature flags and the pinned CDK CLI the library is tested with, Node from PyPI, cdk-nag, cfn-guard and
DeployRules on, every gate after each synth, and a Makefile (synth, test, upgrade, diff, deploy, cost, diagrams).

The app's requirements.txt names constructs_lib as it was installed here: a version, when it came from an index;
else the wheel or folder pip recorded in its installation (PEP 610's direct_url.json)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

from .origin import requirement_line

TEMPLATE = Path(__file__).resolve().parent / "starter_app"


def create(folder: Path, requirement: Optional[str] = None) -> list[Path]:
    """Writes the app into `folder` (which must be absent or empty); returns the files written."""
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty: choose a new folder")
    line = requirement or requirement_line()
    shutil.copytree(TEMPLATE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "gitignore").rename(folder / ".gitignore")  # a dotfile would not be packaged
    requirements = folder / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("{constructs_lib}", line))
    return sorted(path for path in folder.rglob("*") if path.is_file())
