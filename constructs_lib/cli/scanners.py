"""The scanners the gates run on templates, each with the library's settings: cfn-lint with the serverless
rules appended, and checkov (offline) from a virtual environment of its own."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Optional, cast

SETTINGS = Path(__file__).resolve().parent / "settings"
CFN_LINT_CONFIG = SETTINGS / "cfnlintrc.yaml"
CHECKOV_REQUIREMENTS = SETTINGS / "checkov-requirements.txt"
# Where `--install-checkov` puts it by default, relative to the app (the starter's and the project's Makefiles).
CHECKOV_VENV = Path(".venv-checkov")
# The serverless rules' ids are ES/WS/IS + digits; cfn-lint's own are E/W/I + digits.
SERVERLESS_RULE = re.compile(r"[EWI]S\d+")
INSTALL_HINT = "pip install 'constructs_lib[gates]'"


class GateNotRun(Exception):
    """A gate's tool is missing or failed to run: the reason, and how to install it."""


def cfn_lint_executable() -> Path:
    """cfn-lint of this environment (its serverless rules must import beside it), else the one on PATH."""
    beside = Path(sys.executable).with_name("cfn-lint")
    if beside.is_file():
        return beside
    found = shutil.which("cfn-lint")
    if found is None:
        raise GateNotRun(f"cfn-lint is not installed: {INSTALL_HINT}")
    return Path(found)


def cfn_lint(templates: list[Path]) -> dict[str, list[str]]:
    """cfn-lint's findings with the serverless rules appended, one line each, split by rule set."""
    found: dict[str, list[str]] = {"cfn-lint": [], "cfn-lint-serverless": []}
    if not templates:
        return found
    executable = cfn_lint_executable()
    if executable.parent == Path(sys.executable).parent and find_spec("cfn_lint_serverless") is None:
        raise GateNotRun(f"cfn-lint-serverless is not installed: {INSTALL_HINT}")
    result = subprocess.run(
        [str(executable), "--config-file", str(CFN_LINT_CONFIG), "--append-rules", "cfn_lint_serverless.rules",
         "--format", "parseable", "--", *map(str, templates)],
        capture_output=True, text=True,
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 and not lines:
        raise GateNotRun(f"cfn-lint failed to run: {result.stderr.strip()[-2000:]}")
    for line in lines:
        rule = line.split(":")[5] if line.count(":") >= 6 else ""
        found["cfn-lint-serverless" if SERVERLESS_RULE.fullmatch(rule) else "cfn-lint"].append(line)
    return found


def find_checkov(given: Optional[Path] = None) -> Path:
    """checkov: `given` (--checkov), else $CHECKOV, else ./.venv-checkov, else beside this Python, else on PATH."""
    candidates = [given, os.environ.get("CHECKOV"), CHECKOV_VENV / "bin" / "checkov",
                  Path(sys.executable).with_name("checkov"), shutil.which("checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).absolute()
    if given is not None:
        raise GateNotRun(f"checkov is not at {given}")
    raise GateNotRun("checkov is not installed (it cannot share an environment with aws-cdk-lib's tools): "
                     f"`python -m constructs_lib.gates --install-checkov {CHECKOV_VENV}` makes a virtual "
                     "environment of its own for it, or give one with --checkov PATH")


def checkov(templates: list[Path], executable: Path) -> list[str]:
    """checkov's failed checks (offline: --skip-download), one line each: check, file and resource."""
    if not templates:
        return []
    files = [argument for template in templates for argument in ("-f", str(template))]
    result = subprocess.run(
        [str(executable), "--skip-download", "--framework", "cloudformation", "--quiet", "--compact",
         "--output", "json", *files],
        capture_output=True, text=True,
    )
    try:
        reports: Any = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise GateNotRun(f"checkov failed to run: {result.stderr.strip()[-2000:]}") from None
    found: list[str] = []
    for report in cast(list[dict[str, Any]], reports if isinstance(reports, list) else [reports]):
        for check in report.get("results", {}).get("failed_checks", []):
            found.append(f"{check['check_id']} at {Path(check['file_path']).name}:{check['resource']}")
    return found


def install_checkov(folder: Path) -> Path:
    """A virtual environment at `folder` with the pinned checkov; returns its checkov."""
    if not (folder / "bin" / "python").is_file():
        venv.create(folder, with_pip=True)
    subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(CHECKOV_REQUIREMENTS)], check=True)
    return folder / "bin" / "checkov"
