"""DeployRules on apps that do not use this library: for every rule, a stack of plain aws-cdk-lib constructs
that breaks it (reported, with the rule's id, the resource and its construct path) and one that keeps it (not
reported); cfn-lint passes every breaking stack, which is why the rule exists. Through the CDK plugin API, a
finding fails the synth with what to do, and an acknowledgment on the construct lets it pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import Acknowledgment, App, Stack, Validations

from constructs_lib.rules import DeployRules, all_rules, findings
from constructs_lib.cli.scanners import CFN_LINT_CONFIG
from constructs_lib.rules import model
from tests.deploy_rule_cases import ACCOUNT, CASES, s3_loop_broken, stack_name
from tests.helpers import ROOT

RULE_IDS = [rule.id for rule in all_rules()]


def plain_app(outdir: Path) -> App:
    """A user's app, with the construct paths in its templates' metadata (as the cdk CLI asks for)."""
    return App(outdir=str(outdir), context={"aws:cdk:bundling-stacks": [], "aws:cdk:enable-path-metadata": True})


def add_stacks(app: App, breaking: bool) -> None:
    for rule_id, (breaks, keeps, env) in CASES.items():
        name = stack_name(rule_id, breaking)
        if app.node.try_find_child(name) is None:  # one keeping stack serves every rule it keeps
            (breaks if breaking else keeps)(Stack(app, name, env=env))


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, tuple[Path, list[tuple]]]:
    """Every breaking and keeping stack, synthesized once (without the plugin) and checked: by stack name,
    its template and DeployRules' findings on it."""
    app = plain_app(tmp_path_factory.mktemp("rules"))
    add_stacks(app, breaking=True)
    add_stacks(app, breaking=False)
    result = {}
    for artifact in app.synth().stacks:
        stack = model.Stack.load(artifact.template_full_path, artifact.environment.region,
                                 artifact.environment.account, artifact.stack_name)
        result[artifact.stack_name] = (Path(artifact.template_full_path), findings(model.App([stack]), all_rules()))
    return result


def test_every_rule_has_a_breaking_and_a_keeping_case() -> None:
    assert sorted(CASES) == sorted(RULE_IDS)
    assert len(set(RULE_IDS)) == len(RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_a_stack_that_breaks_the_rule_is_reported(synthesized, rule_id: str) -> None:
    path, found = synthesized[stack_name(rule_id, True)]
    assert {rule.id for rule, _ in found} == {rule_id}, found
    resources = json.loads(path.read_text())["Resources"]
    for _, hit in found:
        assert hit.detail
        if hit.logical_id is not None:  # None: the template as a whole (DR-CFN-QUOTAS)
            construct_path = resources[hit.logical_id]["Metadata"]["aws:cdk:path"]
            assert construct_path.startswith(stack_name(rule_id, True) + "/")


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_a_stack_that_keeps_the_rule_is_not_reported(synthesized, rule_id: str) -> None:
    _, found = synthesized[stack_name(rule_id, False)]
    assert found == []


def test_cfn_lint_passes_every_breaking_stack(synthesized) -> None:
    """What DeployRules reports, cfn-lint (with the gates' settings) does not: on the breaking stacks it finds
    only the unused parameters of the quota case."""
    templates = [str(path) for name, (path, _) in synthesized.items() if name.startswith("Breaks")]
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--config-file", str(CFN_LINT_CONFIG),
                             "--format", "parseable", "--", *templates], capture_output=True, text=True)
    rules = {line.split(":")[5] for line in result.stdout.splitlines() if line.count(":") >= 6}
    assert rules <= {"W2001"}, result.stdout


def template(**resources) -> dict:
    return {"Resources": resources}


FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {
    "Code": {"ZipFile": "x"}, "Role": "arn:aws:iam::111122223333:role/r", "Runtime": "python3.13",
    "Handler": "index.handler"}}


def function(**props) -> dict:
    return {**FUNCTION, "Properties": {**FUNCTION["Properties"], **props}}


# What cfn-lint reports already, and DeployRules leaves to it.
LEFT_TO_CFN_LINT = {
    "E3032": template(Fn=function(Layers=[f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:l{i}:1" for i in range(6)])),
    "E3697": template(Fn=function(Environment={"Variables": {"BIG": "x" * 4100}})),
    "E3505": template(Fn=function(Timeout=60),
                      Queue={"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
                      Mapping={"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                          "FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}}),
    "E3010": template(**{f"Topic{i}": {"Type": "AWS::SNS::Topic"} for i in range(501)}),
    "E6010": {**template(Topic={"Type": "AWS::SNS::Topic"}),
              "Outputs": {f"Out{i}": {"Value": {"Ref": "Topic"}} for i in range(201)}},
}


@pytest.mark.parametrize("rule", sorted(LEFT_TO_CFN_LINT))
def test_what_cfn_lint_reports_is_left_to_it(tmp_path: Path, rule: str) -> None:
    """More than 5 layers, environment over 4 KB, queue visibility under the function timeout, more than 500
    resources, more than 200 outputs."""
    path = tmp_path / "Case.template.json"
    path.write_text(json.dumps(LEFT_TO_CFN_LINT[rule]))
    result = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--format", "parseable", str(path)],
                            capture_output=True, text=True)
    assert f":{rule}:" in result.stdout
    assert findings(model.App([model.Stack.load(str(path))]), all_rules()) == []


def test_a_finding_fails_the_synth_with_what_to_do(tmp_path: Path) -> None:
    app = plain_app(tmp_path)
    s3_loop_broken(Stack(app, "Loop"))
    Validations.of(app).add_plugins(DeployRules(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    plugin, = [p for p in report["pluginReports"] if p["pluginName"] == "DeployRules"]
    violation, = plugin["violations"]
    assert violation["ruleName"] == "DR-LAMBDA-S3-LOOP"
    assert violation["description"].startswith("Loops at run time: A function that writes into the bucket")
    assert "Here: writes to bucket Images" in violation["description"]
    assert violation["suggestedFix"].startswith("Write to another bucket")
    assert violation["ruleMetadata"]["DocumentationUrl"].startswith("https://aws.amazon.com/blogs/compute/")
    where, = violation["violatingConstructs"]
    assert where["constructPath"] == "Loop/Fn/Resource"
    assert where["cloudFormationResource"]["logicalId"].startswith("Fn")


def test_an_acknowledged_finding_passes(tmp_path: Path) -> None:
    app = plain_app(tmp_path)
    stack = Stack(app, "Loop")
    s3_loop_broken(stack)
    Validations.of(stack.node.find_child("Fn")).acknowledge(Acknowledgment(
        id="DeployRules::DR-LAMBDA-S3-LOOP", reason="The handler skips keys it wrote itself."))
    Validations.of(app).add_plugins(DeployRules(app))
    app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    plugin, = [p for p in report["pluginReports"] if p["pluginName"] == "DeployRules"]
    assert plugin["violations"] == []
    assert [v["ruleName"] for v in plugin["suppressedViolations"]] == ["DR-LAMBDA-S3-LOOP"]


def test_an_app_of_plain_l2_constructs_passes(tmp_path: Path) -> None:
    """Every keeping stack in one app, with the plugin: the synth passes."""
    app = plain_app(tmp_path)
    add_stacks(app, breaking=False)
    Validations.of(app).add_plugins(DeployRules(app))
    assert {stack.stack_name for stack in app.synth().stacks} >= {stack_name(r, False) for r in CASES}


def test_account_concurrency_states_the_quota(synthesized) -> None:
    path, _ = synthesized[stack_name("DR-LAMBDA-UNRESERVED-MINIMUM", True)]
    stack = model.App([model.Stack.load(str(path), "eu-west-1", ACCOUNT)])
    assert findings(stack, all_rules(account_concurrency=1001)) == []
    assert {rule.id for rule, _ in findings(stack, all_rules(account_concurrency=1000))} == {
        "DR-LAMBDA-UNRESERVED-MINIMUM"}


def test_a_rule_that_cannot_read_a_template_fails_the_synth(tmp_path: Path, monkeypatch) -> None:
    """aws-cdk-lib would let a synth pass whose plugin raised: a rule that raises is reported instead."""
    broken = model.Rule("DR-TEST", model.FAILS_DEPLOY, "Never holds.", "https://docs.aws.amazon.com/", "None.",
                        lambda app: iter([1 / 0]))
    monkeypatch.setattr("constructs_lib.rules.all_rules", lambda account_concurrency=1000: [broken])
    app = plain_app(tmp_path)
    Stack(app, "Empty").add_metadata("purpose", "a stack with a template to read")
    Validations.of(app).add_plugins(DeployRules(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    plugin, = [p for p in report["pluginReports"] if p["pluginName"] == "DeployRules"]
    assert "could not read this template (ZeroDivisionError" in plugin["violations"][0]["description"]


def test_the_plugin_names_itself_and_its_rules() -> None:
    rules = DeployRules()
    assert rules.name == "DeployRules"
    assert rules.rule_ids == RULE_IDS
    assert all(rule_id.startswith("DR-") for rule_id in rules.rule_ids)
    for rule in all_rules():
        assert rule.outcome in (model.FAILS_DEPLOY, model.DENIES_AT_RUN_TIME, model.DROPS_SILENTLY, model.LOOPS)
        assert rule.source.startswith("https://") and rule.rule.endswith(".") and rule.fix.endswith(".")


def test_the_docs_list_every_rule() -> None:
    readme = (ROOT / "docs" / "deploy-rules.md").read_text()
    for rule in all_rules():
        assert f"| `{rule.id}` | {rule.outcome} | {rule.rule} |" in readme
