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
from aws_cdk import Acknowledgment, App, Fn, RemovalPolicy, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.rules import DeployRules, all_rules, findings
from constructs_lib.core.templates import varies_between_deployments
from constructs_lib.cli.scanners import CFN_LINT_CONFIG
from constructs_lib.rules import model, retained_names
from tests.deploy_rule_cases import (ACCOUNT, CASES, app_layer_function, event_rules, events_metric, isolated_vpc,
                                     s3_loop_broken, stack_name, version_layers_broken)
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


def version_layer_findings(tmp_path: Path, build, **context) -> list[str]:
    """The rules DeployRules(app) reports on one stack `build` makes, in an app with `context`."""
    app = App(outdir=str(tmp_path), context={"aws:cdk:bundling-stacks": [], **context})
    build(Stack(app, "Versions"))
    Validations.of(app).add_plugins(DeployRules(app))
    try:
        app.synth()
    except RuntimeError:
        pass  # ValidationFailed: the report says why
    report = json.loads((tmp_path / "validation-report.json").read_text())
    return [v["ruleName"] for p in report["pluginReports"] if p["pluginName"] == "DeployRules"
            for v in p["violations"]]


@pytest.mark.parametrize("flag, reported", [(None, True), (False, True), (True, False)])
def test_a_layer_version_of_the_app_is_followed_only_with_the_flag(tmp_path: Path, flag, reported) -> None:
    """aws-cdk-lib 2.275 hashes a layer version of the app into current_version's logical ID only when the app
    sets recognizeLayerVersion: DeployRules(app) reads the flag."""
    context = {} if flag is None else {"@aws-cdk/aws-lambda:recognizeLayerVersion": flag}
    found = version_layer_findings(tmp_path, app_layer_function, **context)
    assert found == (["DR-LAMBDA-VERSION-LAYERS"] if reported else [])


def test_a_layer_from_an_ssm_parameter_is_not_followed_whatever_the_flag(tmp_path: Path) -> None:
    found = version_layer_findings(tmp_path, version_layers_broken,
                                   **{"@aws-cdk/aws-lambda:recognizeLayerVersion": True})
    assert found == ["DR-LAMBDA-VERSION-LAYERS"]


PINNED_IN_ANY_STACK = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":lambda:", {"Ref": "AWS::Region"}, ":",
                                          {"Fn::FindInMap": ["Accounts", {"Ref": "AWS::Region"}, "account"]},
                                          ":layer:shared:3"]]}


@pytest.mark.parametrize("value, varies", [
    ("arn:aws:lambda:eu-west-1:111122223333:layer:shared:3", False),
    (PINNED_IN_ANY_STACK, False),  # pseudo parameters and mappings are fixed for a stack
    ({"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:111122223333:layer:shared:${!Version}"}, False),
    ({"Ref": "PowertoolsParameter"}, True),
    ({"Ref": "LayerB20D2F06"}, True),
    ({"Fn::GetAtt": ["Publisher", "LayerArn"]}, True),
    ({"Fn::ImportValue": "Shared:LayerArn"}, True),
    ("{{resolve:ssm:/layers/shared}}", True),
    ({"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:111122223333:layer:shared:${Version}"}, True),
    ({"Fn::Sub": ["${Arn}", {"Arn": {"Ref": "LayerParameter"}}]}, True),
    ({"Fn::Sub": ["${Arn}", {"Arn": "arn:aws:lambda:eu-west-1:111122223333:layer:shared:3"}]}, False),
])
def test_what_cloudformation_resolves_again_at_each_deployment(value, varies: bool) -> None:
    assert varies_between_deployments(value) is varies


def test_a_rule_that_cannot_read_a_template_fails_the_synth(tmp_path: Path, monkeypatch) -> None:
    """aws-cdk-lib would let a synth pass whose plugin raised: a rule that raises is reported instead."""
    broken = model.Rule("DR-TEST", model.FAILS_DEPLOY, "Never holds.", "https://docs.aws.amazon.com/", "None.",
                        lambda app: iter([1 / 0]))
    monkeypatch.setattr("constructs_lib.rules.all_rules", lambda account_concurrency=1000, **_: [broken])
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
        assert rule.outcome in (model.FAILS_DEPLOY, model.DENIES_AT_RUN_TIME, model.DROPS_SILENTLY, model.LOOPS,
                                model.FAILS_AT_RUN_TIME, model.BYPASSES, model.STAYS_SILENT,
                                model.HIDES_ERRORS, model.DEPLOYS_ELSEWHERE)
        assert rule.source.startswith("https://") and rule.rule.endswith(".") and rule.fix.endswith(".")


def test_the_docs_list_every_rule() -> None:
    readme = (ROOT / "docs" / "deploy-rules.md").read_text()
    for rule in all_rules():
        assert f"| `{rule.id}` | {rule.outcome} | {rule.rule} |" in readme


def app_findings(app: App) -> list[tuple[str, str, str]]:
    """DeployRules' findings on every stack of `app` read together: (rule, stack, detail)."""
    stacks = [model.Stack.load(a.template_full_path, None, None, a.stack_name) for a in app.synth().stacks]
    return [(rule.id, hit.stack.construct_path or "", hit.detail)
            for rule, hit in findings(model.App(stacks), all_rules())]


def test_endpoints_with_private_dns_for_one_vpc_are_counted_across_stacks(tmp_path: Path) -> None:
    app = plain_app(tmp_path)
    network = Stack(app, "Network")
    vpc = isolated_vpc(network)
    vpc.add_interface_endpoint("Queues", service=ec2.InterfaceVpcEndpointAwsService.SQS)
    workers = Stack(app, "Workers")  # given the VPC: its ID reaches this template as an import
    ec2.InterfaceVpcEndpoint(workers, "Queues", vpc=vpc, service=ec2.InterfaceVpcEndpointAwsService.SQS)
    for name in ("Shared1", "Shared2"):  # a VPC the app does not define, imported by its ID in two stacks
        shared = ec2.Vpc.from_vpc_attributes(Stack(app, name), "Vpc", vpc_id="vpc-0a1b2c3d4e5f60718",
                                             vpc_cidr_block="10.1.0.0/16", availability_zones=["eu-west-1a"],
                                             isolated_subnet_ids=["subnet-0a1b2c3d4e5f60718"])
        shared.add_interface_endpoint("Secrets", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
    found = {stack: (rule, detail) for rule, stack, detail in app_findings(app)}
    assert sorted(found) == ["Shared2", "Workers"]
    assert {rule for rule, _ in found.values()} == {"DR-VPC-ENDPOINT-DNS"}
    assert found["Workers"][1].startswith("enables private DNS for sqs in the VPC where NetworkQueues")
    assert found["Workers"][1].endswith("of stack Network already does")
    assert found["Shared2"][1].startswith("enables private DNS for secretsmanager in the VPC where VpcSecrets")


def test_an_alarm_in_another_stack_is_judged_by_the_bus_of_its_rule(tmp_path: Path) -> None:
    app = plain_app(tmp_path)
    bus, placed, _ = event_rules(Stack(app, "Orders"))
    monitoring = Stack(app, "Monitoring")
    cloudwatch.Alarm(monitoring, "PlacedFailed", metric=events_metric(placed), threshold=1, evaluation_periods=1)
    cloudwatch.Alarm(monitoring, "PlacedFailedOnItsBus", threshold=1, evaluation_periods=1, metric=cloudwatch.Metric(
        namespace="AWS/Events", metric_name="FailedInvocations", dimensions_map={
            "RuleName": Fn.select(1, Fn.split("|", placed.rule_name)), "EventBusName": bus.event_bus_name}))
    cloudwatch.Alarm(monitoring, "PlacedFailedByRef", threshold=1, evaluation_periods=1,
                     metric=events_metric(placed, EventBusName=bus.event_bus_name))
    cloudwatch.Alarm(monitoring, "PlacedFailureRate", threshold=1, evaluation_periods=1,  # metric math
                     metric=cloudwatch.MathExpression(expression="failed * 100", using_metrics={
                         "failed": events_metric(placed)}))
    cloudwatch.Alarm(monitoring, "PlacedFailedOnDefault", threshold=1, evaluation_periods=1,
                     metric=events_metric(placed, EventBusName="default"))
    found = app_findings(app)
    assert [(rule, stack) for rule, stack, _ in found] == [("DR-EVENTS-ALARM-DIMENSIONS", "Monitoring")] * 4
    assert sum("by RuleName alone, but the rule is on the custom bus" in detail for _, _, detail in found) == 2
    assert sum("with RuleName the rule's Ref" in detail for _, _, detail in found) == 1
    assert any("with EventBusName default, but the rule is on the bus Orders" in detail for _, _, detail in found)


class Uploads(Construct):
    """A user's construct that reacts to a bucket's new objects through a queue of its own."""

    def __init__(self, scope: Construct, construct_id: str, bucket: s3.IBucket, prefix: str | None = None) -> None:
        super().__init__(scope, construct_id)
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(self, "Queue")),
                                      *([s3.NotificationKeyFilter(prefix=prefix)] if prefix else []))


def one_bucket_two_constructs(app: App, first: str | None, second: str) -> None:
    stack = Stack(app, "Shared")
    bucket = s3.Bucket(stack, "Bucket")
    Uploads(stack, "Catalog", bucket, first)
    Uploads(stack, "Audit", bucket, second)


def one_name_imported_twice(app: App, first: str | None, second: str) -> None:
    stack = Stack(app, "Shared")
    Uploads(stack, "Catalog", s3.Bucket.from_bucket_name(stack, "Uploads", "my-uploads"), first)
    Uploads(stack, "Audit", s3.Bucket.from_bucket_name(stack, "SameUploads", "my-uploads"), second)


def one_name_in_two_stacks(app: App, first: str | None, second: str) -> None:
    catalog, audit = Stack(app, "Catalog"), Stack(app, "Audit")
    Uploads(catalog, "Catalog", s3.Bucket.from_bucket_name(catalog, "Uploads", "my-uploads"), first)
    Uploads(audit, "Audit", s3.Bucket.from_bucket_name(audit, "Uploads", "my-uploads"), second)


def a_named_bucket_and_its_import(app: App, first: str | None, second: str) -> None:
    shared, elsewhere = Stack(app, "Shared"), Stack(app, "Elsewhere")
    Uploads(shared, "Catalog", s3.Bucket(shared, "Bucket", bucket_name="my-uploads",
                                         removal_policy=RemovalPolicy.DESTROY), first)
    Uploads(elsewhere, "Audit", s3.Bucket.from_bucket_name(elsewhere, "Uploads", "my-uploads"), second)


@pytest.mark.parametrize("build", [one_bucket_two_constructs, one_name_imported_twice, one_name_in_two_stacks,
                                   a_named_bucket_and_its_import])
def test_overlap_sees_every_notification_of_a_bucket(tmp_path: Path, build) -> None:
    """Whoever adds them: aws-cdk-lib writes one Custom::S3BucketNotifications per bucket construct, which two
    constructs share, but each import of a bucket name (in any stack) writes its own, to the same bucket."""
    def found(first: str | None, second: str) -> list[tuple]:
        app = plain_app(tmp_path / str(first))
        build(app, first, second)
        stacks = [model.Stack.load(a.template_full_path, None, None, a.stack_name) for a in app.synth().stacks]
        return findings(model.App(stacks), all_rules())

    overlapping = found(None, "images/")  # every new object, and the new objects under images/
    assert [rule.id for rule, _ in overlapping] == ["DR-S3-NOTIFY-OVERLAP"]
    (_, hit), = overlapping
    assert "'*' (s3:ObjectCreated:*)" in hit.detail and "'images/*' (s3:ObjectCreated:*)" in hit.detail
    assert found("documents/", "images/") == []


def subscription(topic_arn, protocol: str = "lambda") -> dict:
    return {"Type": "AWS::SNS::Subscription", "Properties": {
        "TopicArn": topic_arn, "Protocol": protocol, "Endpoint": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"}}


FIFO_TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {"FifoTopic": True, "TopicName": "orders.fifo"}}
IMPORTED_FIFO = f"arn:aws:sns:us-east-1:{ACCOUNT}:orders.fifo"


@pytest.mark.parametrize(("case", "reported"), [
    (template(Sub=subscription(IMPORTED_FIFO)), True),  # an imported FIFO topic: its name ends in .fifo
    (template(Sub=subscription({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sns:us-east-1:",
                                                  {"Ref": "AWS::AccountId"}, ":orders.fifo"]]})), True),
    (template(Topic={**FIFO_TOPIC, "Properties": {**FIFO_TOPIC["Properties"], "Subscription": [
        {"Protocol": "https", "Endpoint": "https://example.com/orders"}]}}), True),  # inline in the topic
    (template(Topic=FIFO_TOPIC, Sub=subscription({"Ref": "Topic"}, "firehose")), True),
    (template(Topic=FIFO_TOPIC, Sub=subscription({"Ref": "Topic"}, "sqs")), False),
    (template(Sub=subscription(f"arn:aws:sns:us-east-1:{ACCOUNT}:orders")), False),  # a standard topic
    (template(Sub=subscription({"Fn::ImportValue": "OrdersTopicArn"})), False),  # not known: not judged
])
def test_fifo_topics_deliver_to_queues_only(tmp_path: Path, case: dict, reported: bool) -> None:
    path = tmp_path / "Case.template.json"
    path.write_text(json.dumps(case))
    found = findings(model.App([model.Stack.load(str(path))]), all_rules())
    assert [rule.id for rule, _ in found] == (["DR-SNS-FIFO-PROTOCOL"] if reported else [])


@pytest.mark.parametrize("name, policy, fixed", [
    ("audit", "Retain", True),
    ({"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "audit"]]}, "RetainExceptOnCreate", True),  # same on re-create
    ({"Fn::Sub": "${AWS::StackName}-audit"}, "Retain", True),
    ({"Fn::Sub": "audit-${AWS::StackId}"}, "Retain", False),
    ({"Ref": "Name"}, "Retain", False),  # a parameter: the next create may give another
    ("audit", "Delete", False),
])
def test_a_retained_resource_is_refused_only_a_name_the_next_create_repeats(name, policy, fixed) -> None:
    template = {"Parameters": {"Name": {"Type": "String"}}, "Resources": {"Table": {
        "Type": "AWS::DynamoDB::Table", "DeletionPolicy": policy, "Properties": {"TableName": name}}}}
    found = retained_names.retained_fixed_names(model.App([model.Stack("Stack.template.json", template)]))
    assert [hit.logical_id for hit in found] == (["Table"] if fixed else [])
