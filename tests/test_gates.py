"""`python -m constructs_lib.gates cdk.out` on any app: a gate that cannot run fails with its reason (unless
skipped, which the summary says), the plugin gates need the app's validation report, and the library's own
cfn-lint settings travel with the package (a user's app does not carry the project's files)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from constructs_lib.cli import gates
from tests.helpers import CHECKOV, ROOT

# A resource no scanner has a check for.
QUIET = {"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}


def assembly_of(folder: Path, template: dict, report: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "App.template.json").write_text(json.dumps(template))
    (folder / "manifest.json").write_text(json.dumps({"artifacts": {"App": {"type": "aws:cloudformation:stack"}}}))
    if report:
        (folder / "validation-report.json").write_text(json.dumps({"pluginReports": []}))
    return folder


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "constructs_lib.gates", *args], cwd=cwd, capture_output=True,
                          text=True, env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(ROOT)})


def test_a_missing_checkov_fails_the_gates_with_how_to_install_it(tmp_path: Path) -> None:
    assembly_of(tmp_path / "cdk.out", QUIET)
    result = run("cdk.out", "--checkov", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 1
    assert f"[checkov] not run: checkov is not at {tmp_path / 'nowhere'}" in result.stdout
    assert result.stdout.strip().splitlines()[-1].endswith("checkov not run, cfn-guard 0, DeployRules 0")


def test_without_any_checkov_the_reason_names_the_install_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CHECKOV", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    report = gates.check(assembly_of(tmp_path / "cdk.out", QUIET), skip=["cfn-lint", "cfn-lint-serverless"])
    assert "python -m constructs_lib.gates --install-checkov .venv-checkov" in report.not_run["checkov"]
    assert not report.clean


def test_a_skipped_gate_is_said_in_the_summary_and_does_not_fail(tmp_path: Path) -> None:
    assembly_of(tmp_path / "cdk.out", QUIET)
    result = run("cdk.out", "--skip", "checkov", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ("synth: 1 stacks, 1 templates, findings: cfn-lint 0, cfn-lint-serverless 0, "
                                     "cdk-nag 0, checkov skipped, cfn-guard 0, DeployRules 0")


def test_without_a_validation_report_the_plugin_gates_did_not_run(tmp_path: Path) -> None:
    report = gates.check(assembly_of(tmp_path / "cdk.out", QUIET, report=False), CHECKOV)
    assert set(report.not_run) == {"cdk-nag", "cfn-guard", "DeployRules"}
    assert "Validations.of(app).add_plugins(AwsSolutionsChecks(app)" in report.not_run["DeployRules"]
    assert report.summary().endswith("cdk-nag not run, checkov 0, cfn-guard not run, DeployRules not run")


FUNCTION_WITH_ITS_ROLE_IN_DEPENDS_ON = {"Resources": {
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
    "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": ["Role"], "Properties": {
        "Code": {"ZipFile": "def handler(e, c): return e"}, "Handler": "index.handler", "Runtime": "python3.13",
        "Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
}}


def test_the_librarys_cfn_lint_settings_apply_in_any_folder(tmp_path: Path) -> None:
    """aws-cdk-lib's Function puts its role in DependsOn beside a GetAtt of it (cfn-lint W3005): the packaged
    settings answer it wherever the command runs, and only it."""
    from constructs_lib.cli.scanners import cfn_lint

    path = assembly_of(tmp_path / "cdk.out", FUNCTION_WITH_ITS_ROLE_IN_DEPENDS_ON) / "App.template.json"
    bare = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--format", "parseable", str(path)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert ":W3005:" in bare.stdout
    found = cfn_lint([path])
    assert found["cfn-lint"] == []
    assert {line.split(":")[5] for line in found["cfn-lint-serverless"]} >= {"WS1000", "WS1004"}
