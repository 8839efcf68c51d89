"""The package's layers hold (import-linter's contracts in pyproject.toml), an import planted against a
layer breaks its contract, and no module grows past what one reader takes in."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MAX_MODULE_LINES = 400


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True)


def test_every_import_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 kept, 0 broken" in result.stdout


# (module, the import planted in it, the contract it breaks)
PLANTED = [
    ("core/validation.py", "from ..patterns import queue_worker", "Construct layers point down"),
    ("function/checks.py", "from ..patterns.api import routes", "Construct layers point down"),
    ("resources/buckets.py", "from ..observability import alarms", "Construct layers point down"),
    ("rules/model.py", "from ..pricing import prices", "Tool layers point down"),
    ("pricing/report.py", "from ..function import runtimes", "Tools import no construct"),
    ("function/url.py", "from ..rules import model", "Constructs import no tool"),
    ("pricing/prices.py", "import aws_cdk", "Prices, diagrams, gates, starter and local invoke run without"),
    ("cli/scanners.py", "from aws_cdk import App", "Prices, diagrams, gates, starter and local invoke run without"),
    ("cli/local/invoke.py", "import constructs", "Prices, diagrams, gates, starter and local invoke run without"),
    ("patterns/alb_function.py", "from .api import routes", "Patterns are independent"),
    ("function/deployment.py", "from . import serverless_function", "No import circle"),
    ("function/stage_policy.py", "from ..delivery import service_stage", "Construct layers point down"),
    ("rules/model.py", "from ..delivery import service_stage", "Tools import no construct"),
    ("delivery/service_stage.py", "from ..rules import model", "Constructs import no tool"),
]


@pytest.mark.parametrize(("module", "planted", "contract"), PLANTED, ids=[p[0] for p in PLANTED])
def test_an_import_against_the_layers_breaks_its_contract(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    shutil.copytree(ROOT / "constructs_lib", tmp_path / "constructs_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "handlers", "starter_app"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "constructs_lib" / module
    target.write_text(target.read_text() + f"\n{planted}  # planted\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    # An upward import may close a circle too: the contract named must be among those broken.
    summary = " ".join(result.stdout.split())
    verdict = re.search(re.escape(contract) + r".*?\b(KEPT|BROKEN)\b", summary)
    assert verdict is not None and verdict.group(1) == "BROKEN", result.stdout


def test_no_module_is_longer_than_a_reader_takes_in() -> None:
    long = {str(path.relative_to(ROOT)): lines for path in (ROOT / "constructs_lib").rglob("*.py")
            if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}
