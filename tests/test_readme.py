"""Every Python example of the README runs, so the README cannot rot; its diagrams match the app."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
import sys
from pathlib import Path

import pytest
from aws_cdk import Stack

from tests.helpers import ROOT, make_app
from constructs_lib.diagrams import README_END, README_START, diagrams_of, readme_block

README = (ROOT / "README.md").read_text()
EXAMPLES = re.findall(r"```python\n(.*?)```", README, re.S)


def example_id(source: str) -> str:
    construct = re.search(r"from constructs_lib import ([\w, ]+)", source)
    return construct.group(1).replace(", ", "+") if construct else source.splitlines()[0][:30]


def test_the_readme_has_an_example_per_construct() -> None:
    import constructs_lib

    shown = " ".join(EXAMPLES)
    missing = [name for name in constructs_lib.__all__ if name not in shown and name != "ConfigurationError"]
    assert missing == []


@pytest.mark.parametrize("source", [s for s in EXAMPLES if "def test_" not in s],
                         ids=[example_id(s) for s in EXAMPLES if "def test_" not in s])
def test_example_runs_and_synthesizes(source: str, monkeypatch) -> None:
    """Run with `app` and `stack` at hand (the examples' context), from the repository root."""
    monkeypatch.chdir(ROOT)
    app = make_app()
    namespace = {"app": app, "stack": Stack(app, "Readme")}
    exec(compile(source, "README.md", "exec"), namespace)
    if not namespace["stack"].node.children:
        app.node.try_remove_child("Readme")  # the example built its own stack
    namespace["app"].synth()


@pytest.mark.parametrize("source", [s for s in EXAMPLES if "def test_" in s])
def test_example_test_file_passes_twice(source: str, tmp_path: Path) -> None:
    """A test file from the README: the first run writes the snapshot, the second compares with it."""
    test_file = tmp_path / "test_example.py"
    test_file.write_text(source)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"),
               "--rootdir", str(tmp_path), str(test_file)]
    first = subprocess.run([*command, "--snapshot-update"], cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert second.returncode == 0 and "1 passed" in second.stdout, second.stdout + second.stderr
    assert list(tmp_path.rglob("*.json")), "no snapshot was written"


def test_readme_diagrams_are_those_of_the_app(assembly: Path) -> None:
    """`make diagrams` has been run since the last change of a stack."""
    start, end = README.index(README_START), README.index(README_END) + len(README_END)
    assert README[start:end] == readme_block(diagrams_of(assembly))


def test_the_deploying_section_says_what_a_first_deployment_must_check() -> None:
    deploying = README[README.index("## Deploying"):README.index("## Costs")]
    for what in ("aws lambda get-account-settings", "cdk bootstrap aws://<account>/us-east-1",
                 "constructs_lib:provisioned-concurrency", "constructs_lib:alb-certificate-arn",
                 "a month"):
        assert what in deploying, what
    edge = README[README.index("## EdgeDistribution"):README.index("## Function URL across accounts")]
    assert "/aws/lambda/us-east-1.<name>" in edge and "Python 3.13" in edge


def test_the_standing_cost_table_counts_what_the_app_creates(assembly: Path) -> None:
    """KMS keys ($1.00 a month each) and standard alarms ($0.10 each) are counted in the synthesized app."""
    templates = [json.loads(p.read_text()) for p in assembly.rglob("*.template.json")]
    created = Counter(r["Type"] for t in templates for r in t["Resources"].values())
    for row, kind, price in (("| KMS keys", "AWS::KMS::Key", 1.00),
                             ("| CloudWatch alarms (standard resolution)", "AWS::CloudWatch::Alarm", 0.10)):
        (line,) = [line for line in README.splitlines() if line.startswith(row)]
        count, cost = line.split("|")[2:4]
        assert int(count) == created[kind], line
        assert cost.strip() == f"${created[kind] * price:.2f}", line
