"""``python -m constructs_lib upgrade [requirements.txt] [--from SOURCE]`` (a starter's ``make upgrade``):
installs constructs_lib anew from where the app's requirements file says it comes from (the newest version of
the index; the same wheel or folder, rebuilt; or SOURCE: a version, a wheel or a folder), then writes what is
now installed back into that line and installs the other requirements to match."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

from .origin import EXTRAS, NAME, names_us

PIP = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]


def target_of(current: str, source: Optional[str]) -> list[str]:
    """pip's arguments that install the upgrade of `current` (a requirements line), or of `source`."""
    if source is not None:
        if Path(source).exists():
            return ["--force-reinstall", "--no-deps", f"{NAME}{EXTRAS} @ {Path(source).resolve().as_uri()}"]
        return ["--upgrade", f"{NAME}{EXTRAS}=={source}"]
    if current.startswith(("-e ", "--editable ")):
        return ["-e", current.split(None, 1)[1]]
    if "@" in current:  # a wheel, a folder or a repository: built again from what it holds now
        return ["--force-reinstall", "--no-deps", current]
    return ["--upgrade", f"{NAME}{EXTRAS}"]  # from the index: its newest version


def upgrade(requirements: Path, source: Optional[str] = None) -> tuple[str, str]:
    """Upgrades constructs_lib; returns its requirements line before and after."""
    lines = requirements.read_text().splitlines()
    found = [index for index, line in enumerate(lines) if names_us(line)]
    if not found:
        raise ValueError(f"{requirements} does not name {NAME}")
    before = lines[found[0]].strip()
    subprocess.run([*PIP, *target_of(before, source)], check=True)
    after = subprocess.run([sys.executable, "-m", NAME, "requirement"], check=True, capture_output=True,
                           text=True).stdout.strip()
    lines[found[0]] = after
    requirements.write_text("\n".join(lines) + "\n")
    subprocess.run([*PIP, "-r", str(requirements)], check=True)
    return before, after
