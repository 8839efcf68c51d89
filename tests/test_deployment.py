"""Deployment: versions, the alias, the CodeDeploy group (config, alarms, rollback), hooks, and the
alias wiring of every pattern's trigger."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb

from constructs_lib import (
    ConfigurationError,
    Deployment,
    ProvisionedConcurrencyScaling,
    QueueWorker,
    ScheduledFunction,
    ServerlessFunction,
    StreamConsumer,
    ThumbnailPipeline,
)
from constructs_lib.core.templates import as_list
from constructs_lib.function.safe_deployment import HOOKS_ENTRY
from tests.helpers import FIXTURES, PLAIN, make_app, role_statements, template_of, watched_by


def only(template, kind: str) -> dict:
    (resource,) = template.find_resources(kind).values()
    return resource


def test_canary_builds_version_alias_group_and_alarms(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=Deployment.canary())
    template = template_of(stack)
    version = only(template, "AWS::Lambda::Version")
    alias = only(template, "AWS::Lambda::Alias")
    assert alias["Properties"]["Name"] == "live"
    assert alias["Properties"]["FunctionVersion"] == stack.resolve(fn.function.current_version.version)
    assert version["Properties"]["FunctionName"] == stack.resolve(fn.function.function_name)
    group = only(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]
    assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    assert group["AutoRollbackConfiguration"] == {
        "Enabled": True, "Events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"]}
    deployment_alarms = fn.deployment.alarms
    assert set(deployment_alarms) == {"alias_errors", "alias_throttles", "new_version_errors"}
    assert group["AlarmConfiguration"] == {"Enabled": True, "Alarms": [
        {"Name": stack.resolve(a.alarm_name)} for a in deployment_alarms.values()]}
    assert "IgnorePollAlarmFailure" not in group["AlarmConfiguration"]
    # The alias update goes through CodeDeploy.
    assert alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"] == {
        "Ref": stack.get_logical_id(fn.deployment.deployment_group.node.default_child)}
    # Alarms watch the alias and the new version, not $LATEST.
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    alias_errors = alarms[stack.get_logical_id(deployment_alarms["alias_errors"].node.default_child)]["Properties"]
    assert alias_errors["MetricName"] == "Errors" and alias_errors["Period"] == 60
    assert {d["Name"] for d in alias_errors["Dimensions"]} == {"FunctionName", "Resource"}
    # Canary traffic goes through the alias: Lambda publishes it under Resource=<function>:<alias> with the
    # version that ran as ExecutedVersion (never under Resource=<function>:<version>).
    version_errors = alarms[stack.get_logical_id(deployment_alarms["new_version_errors"].node.default_child)]
    assert sorted(version_errors["Properties"]["Dimensions"], key=lambda d: d["Name"]) == [
        {"Name": "ExecutedVersion", "Value": stack.resolve(fn.function.current_version.version)},
        {"Name": "FunctionName", "Value": stack.resolve(fn.function.function_name)},
        {"Name": "Resource", "Value": {"Fn::Join": [":", [stack.resolve(fn.function.function_name), "live"]]}},
    ]
    assert version_errors["Properties"]["MetricName"] == "Errors"
    # The deployment's alarms are the function's own (they decide rollbacks); its errors and throttles the stack's.
    assert set(fn.alarms) == {"alias_errors", "alias_throttles", "new_version_errors"}
    assert watched_by(fn) == {"FunctionErrors", "FunctionThrottles", "DeadLetterErrors"}


@pytest.mark.parametrize("deployment, config_name", [
    (Deployment.canary(percent=10, interval_minutes=30), "CodeDeployDefault.LambdaCanary10Percent30Minutes"),
    (Deployment.linear(), "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"),
    (Deployment.linear(percent=10, interval_minutes=3), "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes"),
    (Deployment.all_at_once(), "CodeDeployDefault.LambdaAllAtOnce"),
])
def test_predefined_configs(stack: Stack, deployment: Deployment, config_name: str) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=deployment)
    template = template_of(stack)
    assert only(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]["DeploymentConfigName"] == config_name
    assert not template.find_resources("AWS::CodeDeploy::DeploymentConfig")


@pytest.mark.parametrize("deployment, routing", [
    (Deployment.canary(percent=25, interval_minutes=7),
     {"Type": "TimeBasedCanary", "TimeBasedCanary": {"CanaryInterval": 7, "CanaryPercentage": 25}}),
    (Deployment.linear(percent=20, interval_minutes=2),
     {"Type": "TimeBasedLinear", "TimeBasedLinear": {"LinearInterval": 2, "LinearPercentage": 20}}),
])
def test_custom_configs(stack: Stack, deployment: Deployment, routing: dict) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=deployment)
    template = template_of(stack)
    config = only(template, "AWS::CodeDeploy::DeploymentConfig")["Properties"]
    assert config["ComputePlatform"] == "Lambda" and config["TrafficRoutingConfig"] == routing
    name = only(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]["DeploymentConfigName"]
    assert name == {"Ref": next(iter(template.find_resources("AWS::CodeDeploy::DeploymentConfig")))}


def test_options_alias_name_extra_alarms_and_ignore_alarms(stack: Stack) -> None:
    extra = cloudwatch.Alarm(stack, "Latency", metric=cloudwatch.Metric(namespace="N", metric_name="M"),
                             threshold=1, evaluation_periods=1)
    ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=Deployment.linear(
        alias_name="prod", alarms=[extra], ignore_alarms=True))
    template = template_of(stack)
    assert only(template, "AWS::Lambda::Alias")["Properties"]["Name"] == "prod"
    alarms = only(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]["AlarmConfiguration"]
    assert alarms["Enabled"] is False  # ignore_alarms: deploy the fix while an alarm is on
    assert {"Name": stack.resolve(extra.alarm_name)} in alarms["Alarms"]


def test_packaged_hooks(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=Deployment.canary(
        pre_traffic_hook=True, post_traffic_hook=True, smoke_event={"ping": 1}))
    pre, post = fn.deployment.pre_traffic_hook, fn.deployment.post_traffic_hook
    template = template_of(stack)
    functions = template.find_resources("AWS::Lambda::Function")
    pre_props = functions[stack.get_logical_id(pre.function.node.default_child)]["Properties"]
    post_props = functions[stack.get_logical_id(post.function.node.default_child)]["Properties"]
    assert pre_props["Handler"] == "pre_traffic.handler" and post_props["Handler"] == "post_traffic.handler"
    assert pre_props["Environment"]["Variables"]["TARGET_VERSION_ARN"] == stack.resolve(
        fn.function.current_version.function_arn)
    assert pre_props["Environment"]["Variables"]["SMOKE_EVENT"] == '{"ping": 1}'
    assert pre_props["Timeout"] == 10 + 60  # the target's timeout and time to report
    assert post_props["Environment"]["Variables"] == {
        "ALIAS_NAME": "live", "FUNCTION_NAME": stack.resolve(fn.function.function_name),
        "TARGET_VERSION": stack.resolve(fn.function.current_version.version)}  # the new version's errors only
    alias_resource = only(template, "AWS::Lambda::Alias")
    alias = alias_resource["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert alias["BeforeAllowTrafficHook"] == stack.resolve(pre.function.function_name)
    assert alias["AfterAllowTrafficHook"] == stack.resolve(post.function.function_name)
    # The hooks' environments name the new version: CloudFormation updates them before the alias.
    hook_ids = {stack.get_logical_id(h.function.node.default_child) for h in (pre, post)}
    assert hook_ids <= set(alias_resource["DependsOn"])
    statements = role_statements(template, stack.get_logical_id(pre.role.node.default_child))
    actions = {s["Action"] if isinstance(s["Action"], str) else tuple(s["Action"]) for s in statements}
    assert "codedeploy:PutLifecycleEventHookExecutionStatus" in actions  # else CodeDeploy waits an hour
    assert "lambda:InvokeFunction" in actions
    post_statements = role_statements(template, stack.get_logical_id(post.role.node.default_child))
    assert {"Action": "cloudwatch:GetMetricStatistics", "Effect": "Allow", "Resource": "*"} in post_statements
    group_arn = stack.resolve(fn.deployment.deployment_group.deployment_group_arn)
    codedeploy_statements = [s for s in post_statements if str(s["Action"]).startswith("codedeploy:")]
    assert codedeploy_statements == [  # when its deployment began, and its verdict: on its deployment group only
        {"Action": "codedeploy:PutLifecycleEventHookExecutionStatus", "Effect": "Allow", "Resource": group_arn},
        {"Action": "codedeploy:GetDeployment", "Effect": "Allow", "Resource": group_arn},
    ]
    assert {a for s in post_statements for a in as_list(s["Action"])} == {
        "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments",
        "codedeploy:PutLifecycleEventHookExecutionStatus", "codedeploy:GetDeployment",
        "cloudwatch:GetMetricStatistics"}
    assert not pre.alarms and not post.alarms  # hooks run once per deployment


def test_hooks_from_a_folder_or_a_function(stack: Stack) -> None:
    own = ServerlessFunction(stack, "Smoke", entry=PLAIN)
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=Deployment.all_at_once(
        pre_traffic_hook=PLAIN, post_traffic_hook=own))
    assert fn.deployment.post_traffic_hook is own
    pre = fn.deployment.pre_traffic_hook
    props = template_of(stack).find_resources("AWS::Lambda::Function")[
        stack.get_logical_id(pre.function.node.default_child)]["Properties"]
    assert props["Handler"] == "handler.handler" and "TARGET_VERSION_ARN" in props["Environment"]["Variables"]


def test_hooks_ship_in_the_package() -> None:
    assert {p.name for p in HOOKS_ENTRY.glob("*.py")} == {"pre_traffic.py", "post_traffic.py", "report.py"}


def test_a_version_is_published_for_every_code_or_configuration_change() -> None:
    def version_id(**props) -> str:
        stack = Stack(make_app(), "S")
        props = {"entry": PLAIN, "environment": {"COLOUR": "blue"}, **props}
        ServerlessFunction(stack, "Fn", deployment=Deployment.canary(), **props)
        (logical_id,) = template_of(stack).find_resources("AWS::Lambda::Version")
        return logical_id

    first = version_id()
    assert version_id() == first  # nothing changed: no new version
    assert version_id(environment={"COLOUR": "green"}) != first
    assert version_id(memory_size=512) != first
    assert version_id(entry=FIXTURES / "nested", handler="pkg.app.handler") != first


def test_provisioned_concurrency_sits_on_the_alias_with_auto_scaling(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=Deployment.canary(), provisioned_concurrency=2,
                       provisioned_concurrency_scaling=ProvisionedConcurrencyScaling(1, 10, 0.6))
    template = template_of(stack)
    alias = only(template, "AWS::Lambda::Alias")["Properties"]
    assert alias["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    target = only(template, "AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 10)
    assert target["ScalableDimension"] == "lambda:function:ProvisionedConcurrency"
    policy = only(template, "AWS::ApplicationAutoScaling::ScalingPolicy")["Properties"]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 0.6


def test_every_trigger_points_at_the_alias(stack: Stack) -> None:
    deployment = Deployment.canary()
    table = dynamodb.Table(stack, "T", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
                           stream=dynamodb.StreamViewType.NEW_IMAGE)
    url_fn = ServerlessFunction(stack, "Url", entry=PLAIN, deployment=deployment, function_url_auth="AWS_IAM")
    job = ScheduledFunction(stack, "Job", schedule="rate(1 hour)", entry=PLAIN, deployment=deployment)
    worker = QueueWorker(stack, "Worker", entry=PLAIN, deployment=deployment)
    consumer = StreamConsumer(stack, "Consumer", table=table, entry=PLAIN, deployment=deployment)
    pipeline = ThumbnailPipeline(stack, "Pipe", deployment=deployment)
    template = template_of(stack)

    url = only(template, "AWS::Lambda::Url")["Properties"]
    assert url["Qualifier"] == "live"
    (target,) = only(template, "AWS::Events::Rule")["Properties"]["Targets"]
    assert target["Arn"] == stack.resolve(job.function.alias.function_arn)
    mappings = {m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]: m["Properties"]["FunctionName"]
                for m in template.find_resources("AWS::Lambda::EventSourceMapping").values()}
    assert mappings[stack.get_logical_id(worker.queue.node.default_child)] == stack.resolve(
        worker.function.alias.function_name)
    assert mappings[stack.get_logical_id(table.node.default_child)] == stack.resolve(
        consumer.function.alias.function_name)
    notification = only(template, "Custom::S3BucketNotifications")["Properties"]["NotificationConfiguration"]
    arns = {c["LambdaFunctionArn"]["Ref"] for c in notification["LambdaFunctionConfigurations"]}
    assert arns == {stack.get_logical_id(pipeline.function.alias.node.default_child)}
    assert len(template.find_resources("AWS::CodeDeploy::DeploymentGroup")) == 5
    assert url_fn.url is not None


WHERE = re.escape("ServerlessFunction 'Test/Fn': ")


@pytest.mark.parametrize("deployment, message", [
    (Deployment.canary(percent=0), "deployment.percent (Canary0Percent5Minutes) 0 must be between 1 and 99 %"),
    (Deployment.canary(percent=100), "deployment.percent (Canary100Percent5Minutes) 100 must be between 1 and 99"),
    (Deployment.linear(percent=10, interval_minutes=0),
     "deployment.interval_minutes (Linear10Percent0Minutes) 0 must be between 1 and 2880 minutes"),
    (Deployment.canary(interval_minutes=2881), "deployment.interval_minutes (Canary10Percent2881Minutes) 2881 must be between 1"),
    (Deployment.canary(alias_name="123"), "deployment.alias_name '123' must be 1-128 letters"),
    (Deployment.canary(alias_name="a b"), "deployment.alias_name 'a b' must be 1-128 letters"),
    (Deployment.canary(pre_traffic_hook=FIXTURES), "deployment.pre_traffic_hook '" + str(FIXTURES) + "' must be a folder"),
    (Deployment.canary(post_traffic_hook=42), "deployment.post_traffic_hook 42 must be True, a folder"),
    (Deployment.canary(smoke_event={"when": object}), "deployment.smoke_event"),
])
def test_each_deployment_rule_is_checked(stack: Stack, deployment: Deployment, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=deployment)


def alarms_of(stack: Stack, name: str, count: int) -> list[cloudwatch.Alarm]:
    metric = cloudwatch.Metric(namespace="Orders", metric_name="Failed")
    return [cloudwatch.Alarm(stack, f"{name}{i}", metric=metric, threshold=1, evaluation_periods=1)
            for i in range(count)]


def test_a_deployment_group_takes_at_most_ten_alarms(stack: Stack) -> None:
    """CodeDeploy refuses an eleventh alarm when it creates the deployment group; the library adds three."""
    ServerlessFunction(stack, "Seven", entry=PLAIN, deployment=Deployment.canary(alarms=alarms_of(stack, "Ok", 7)))
    (group,) = template_of(stack).find_resources("AWS::CodeDeploy::DeploymentGroup").values()
    assert len(group["Properties"]["AlarmConfiguration"]["Alarms"]) == 10
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(
            "deployment.alarms '8 alarms' exceed CodeDeploy's limit of 10 alarms per deployment group: with "
            "the library's 3 (alias errors and throttles, new version errors) that makes 11; give at most 7")):
        ServerlessFunction(stack, "Fn", entry=PLAIN, deployment=Deployment.canary(alarms=alarms_of(stack, "TooMany", 8)))


@pytest.mark.parametrize("props, message", [
    ({"provisioned_concurrency_scaling": ProvisionedConcurrencyScaling(1, 5)},
     "provisioned_concurrency_scaling 'given' needs provisioned_concurrency"),
    ({"provisioned_concurrency": 2, "provisioned_concurrency_scaling": ProvisionedConcurrencyScaling(0, 5)},
     "provisioned_concurrency_scaling 0 min_capacity must be 1 or more"),
    ({"provisioned_concurrency": 2, "provisioned_concurrency_scaling": ProvisionedConcurrencyScaling(3, 2)},
     "provisioned_concurrency_scaling 2 max_capacity must be at least min_capacity (3)"),
    ({"provisioned_concurrency": 2, "provisioned_concurrency_scaling": ProvisionedConcurrencyScaling(1, 5, 0.95)},
     "provisioned_concurrency_scaling.target_utilization 0.95 must be between 0.1 and 0.9"),
    ({"provisioned_concurrency": 9, "provisioned_concurrency_scaling": ProvisionedConcurrencyScaling(1, 5)},
     "provisioned_concurrency 9 must be between the scaling's min_capacity (1) and max_capacity (5)"),
])
def test_each_scaling_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ServerlessFunction(stack, "Fn", entry=PLAIN, **props)
