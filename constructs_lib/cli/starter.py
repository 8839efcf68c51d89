"""``python -m constructs_lib new DIR``: a ready CDK app of two constructs, with its handlers, a snapshot test,
the feature flags and the pinned CDK CLI the library is tested with, Node from PyPI, cdk-nag, cfn-guard and
DeployRules on, every gate after each synth, and a Makefile (synth, test, upgrade, diff, deploy, cost, diagrams).

The app's requirements.txt names constructs_lib as it was installed here: a version, when it came from an index;
else the wheel or folder pip recorded in its installation (PEP 610's direct_url.json)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Optional

from .origin import editable_folder, requirement_line

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
    checkout = editable_folder(line)
    if checkout is not None:
        _let_pyright_see(folder / "pyrightconfig.json", checkout)
    return sorted(path for path in folder.rglob("*") if path.is_file())


def _let_pyright_see(config_file: Path, checkout: Path) -> None:
    """An editable install imports the checkout through an import hook, which pyright does not follow: name the
    checkout on pyright's search path, in every execution environment of the app's config."""
    config = json.loads(config_file.read_text())
    for environment in [config, *config.get("executionEnvironments", [])]:
        environment["extraPaths"] = [*environment.get("extraPaths", []), str(checkout)]
    config_file.write_text(json.dumps(config, indent=2) + "\n")
