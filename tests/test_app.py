"""The demo app as users get it: the real `cdk` CLI synthesizes it once; cfn-lint and cdk-nag find nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import Stack, Validations
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks import build_app
from tests.helpers import make_app
from tools import check_assembly


def test_every_stack_is_synthesized(assembly: Path) -> None:
    expected = {stack.stack_name for stack in build_app(make_app())}
    manifest = json.loads((assembly / "manifest.json").read_text())
    synthesized = {name for name, a in manifest["artifacts"].items() if a["type"] == "aws:cloudformation:stack"}
    assert synthesized == expected
    assert {p.name for p in check_assembly.templates_of(assembly)} == {f"{n}.template.json" for n in expected}


def test_cfn_lint_and_cdk_nag_are_clean(assembly: Path) -> None:
    report = check_assembly.check(assembly)
    assert report.lint_findings == []
    assert report.nag_findings == []
    assert report.stacks >= 1 and report.templates


def test_nag_gate_fails_on_a_finding() -> None:
    """The plugins the demo app uses stop synthesis on an unacknowledged finding."""
    app = make_app()
    sqs.Queue(Stack(app, "Bad"), "Plain")  # no DLQ, no SSL enforcement
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    with pytest.raises(RuntimeError, match="AwsSolutions-SQS3"):
        app.synth()


def test_cfn_lint_gate_fails_on_a_finding(tmp_path: Path) -> None:
    bad = {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Code": {"ZipFile": "x"}, "Role": "arn:aws:iam::111111111111:role/r", "MemorySize": 1,
                "Runtime": "python3.14", "Handler": "a.b"}},
        }
    }
    (tmp_path / "Bad.template.json").write_text(json.dumps(bad))
    report = check_assembly.check(tmp_path)
    assert any("MemorySize" in f or "E3034" in f for f in report.lint_findings), report.lint_findings
    assert not report.clean
    assert check_assembly.main([str(tmp_path)]) == 1


def test_nag_report_findings_are_counted(tmp_path: Path) -> None:
    report = {"pluginReports": [{"violations": [{"ruleName": "AwsSolutions-SQS3", "violatingResources": [
        {"resourceLogicalId": "Queue", "constructPath": "S/Queue"}]}]}]}
    (tmp_path / "validation-report.json").write_text(json.dumps(report))
    assert check_assembly.nag_findings(tmp_path) == ["AwsSolutions-SQS3 at Queue"]


def test_thumbnail_function_bundles_pillow_for_arm64(assembly: Path) -> None:
    """Pillow's compiled core must match Lambda's arm64 Python 3.14, or it fails to import '_imaging'."""
    bundles = [p for p in assembly.glob("asset.*") if (p / "PIL").is_dir()]
    assert len(bundles) == 1
    (imaging,) = (bundles[0] / "PIL").glob("_imaging.*.so")
    assert imaging.name == "_imaging.cpython-314-aarch64-linux-gnu.so"
    (wheel,) = bundles[0].glob("pillow-*.dist-info/WHEEL")
    tags = [line.split(": ")[1] for line in wheel.read_text().splitlines() if line.startswith("Tag: ")]
    assert tags and all(t.startswith("cp314-cp314-manylinux") and t.endswith("aarch64") for t in tags)
    assert (bundles[0] / "handler.py").is_file()
