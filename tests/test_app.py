"""The demo app as users get it: the real `cdk` CLI synthesizes it once; no gate (`python -m constructs_lib.gates`)
finds anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator

from constructs_lib.rules import DeployRules
from stacks import build_app
from tests.helpers import make_app
from constructs_lib.cli import gates
from constructs_lib.cli.scanners import cfn_lint
from constructs_lib.cli.validation_report import plugin_findings
from tests.helpers import CHECKOV


def test_every_stack_is_synthesized(assembly: Path) -> None:
    expected = {stack.stack_name for stack in build_app(make_app(demo=True))}
    manifest = json.loads((assembly / "manifest.json").read_text())
    synthesized = {name for name, a in manifest["artifacts"].items() if a["type"] == "aws:cloudformation:stack"}
    assert synthesized == expected
    assert {p.name for p in gates.templates_of(assembly)} == {f"{n}.template.json" for n in expected}


def test_every_gate_is_clean(assembly: Path) -> None:
    report = gates.check(assembly, CHECKOV)
    assert report.findings == {gate: [] for gate in gates.GATES}
    assert report.stacks >= 1 and report.templates
    assert report.summary().endswith(
        "findings: cfn-lint 0, cfn-lint-serverless 0, cdk-nag 0, checkov 0, cfn-guard 0, DeployRules 0")


def test_nag_gate_fails_on_a_finding() -> None:
    """The plugins the demo app uses stop synthesis on an unacknowledged finding."""
    app = make_app()
    sqs.Queue(Stack(app, "Bad"), "Plain")  # no DLQ, no SSL enforcement
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    with pytest.raises(RuntimeError, match="AwsSolutions-SQS3"):
        app.synth()


def test_guard_gate_reports_a_finding(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={"aws:cdk:bundling-stacks": []})
    sqs.Queue(Stack(app, "Bad"), "Plain", encryption=sqs.QueueEncryption.SQS_MANAGED)  # no dead-letter queue
    Validations.of(app).add_plugins(CfnGuardValidator())
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    assert plugin_findings(tmp_path) == {
        "cfn-guard": [f"sqs_dlq_check at Bad/Plain/Resource ({logical_id})"
                      for logical_id in json.loads((tmp_path / "Bad.template.json").read_text())["Resources"]]}


def test_deploy_rules_gate_reports_a_finding(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path), context={"aws:cdk:bundling-stacks": []})
    stack = Stack(app, "Bad")
    queue = sqs.Queue(stack, "Ordered", fifo=True, enforce_ssl=True)
    s3.CfnBucket(stack, "Uploads", notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
        queue_configurations=[s3.CfnBucket.QueueConfigurationProperty(event="s3:ObjectCreated:*",
                                                                      queue=queue.queue_arn)]))
    Validations.of(app).add_plugins(DeployRules(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    assert plugin_findings(tmp_path) == {"DeployRules": [
        "DR-S3-NOTIFY-PERMISSION at Bad/Uploads (Uploads)", "DR-S3-NOTIFY-FIFO at Bad/Uploads (Uploads)"]}


def test_a_plugin_that_fails_fails_its_gate(tmp_path: Path) -> None:
    """aws-cdk-lib passes a synth whose plugin raised; the gate counts it."""
    report = {"pluginReports": [{"pluginName": "DeployRules", "conclusion": "failure", "violations": [],
                                 "metadata": {"error": "Validation plugin 'DeployRules' failed: boom"}}]}
    (tmp_path / "validation-report.json").write_text(json.dumps(report))
    assert plugin_findings(tmp_path) == {
        "DeployRules": ["plugin failed: Validation plugin 'DeployRules' failed: boom"]}


BAD_FUNCTION = {
    "Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": {"ZipFile": "x"}, "Role": "arn:aws:iam::111111111111:role/r", "MemorySize": 1,
            "Runtime": "python3.14", "Handler": "a.b"}},
    }
}


def test_cfn_lint_gates_fail_on_a_finding(tmp_path: Path) -> None:
    (tmp_path / "Bad.template.json").write_text(json.dumps(BAD_FUNCTION))
    found = cfn_lint(gates.templates_of(tmp_path))
    assert any("MemorySize" in f or "E3034" in f for f in found["cfn-lint"]), found
    serverless = {line.split(":")[5] for line in found["cfn-lint-serverless"]}
    assert {"WS1000", "WS1004", "ES1006"} <= serverless  # no tracing, no log group, no timeout


def test_checkov_gate_fails_on_a_finding(tmp_path: Path, capsys) -> None:
    queue = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {}}}}
    (tmp_path / "Bad.template.json").write_text(json.dumps(queue))
    assert gates.main([str(tmp_path), "--checkov", str(CHECKOV)]) == 1
    out = capsys.readouterr().out
    assert "[checkov] CKV_AWS_27 at Bad.template.json:AWS::SQS::Queue.Queue" in out
    assert out.strip().splitlines()[-1].startswith("synth: 0 stacks, 1 templates, findings: cfn-lint 0, ")


def test_plugin_reports_name_the_violating_constructs(tmp_path: Path) -> None:
    """aws-cdk-lib's validation report lists violatingConstructs (with their resource), by plugin."""
    report = {"pluginReports": [
        {"pluginName": "AwsSolutions", "violations": [{"ruleName": "AwsSolutions-SQS3", "violatingConstructs": [
            {"constructPath": "S/Queue/Resource", "cloudFormationResource": {"logicalId": "Queue1"}}]}]},
        {"pluginName": "cdk-validator-cfnguard", "violations": [{"ruleName": "sqs_dlq_check", "violatingConstructs": [
            {"constructPath": "S/Queue/Resource", "cloudFormationResource": {"logicalId": "Queue1"}}]}]},
    ]}
    (tmp_path / "validation-report.json").write_text(json.dumps(report))
    assert plugin_findings(tmp_path) == {
        "cdk-nag": ["AwsSolutions-SQS3 at S/Queue/Resource (Queue1)"],
        "cfn-guard": ["sqs_dlq_check at S/Queue/Resource (Queue1)"],
    }


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
