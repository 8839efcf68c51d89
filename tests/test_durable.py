"""ServerlessFunction(durable=Durable(...)): what Lambda checks when CloudFormation creates a durable function and
at its first execution, proven on the template of an app with no cdk.json context."""

from __future__ import annotations

import re

import pytest
from aws_cdk import CfnParameter, Duration, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match

from constructs_lib import ConfigurationError, Durable, QueueWorker, ServerlessFunction, TopicSubscriber
from constructs_lib.function.durable import offers_durable
from tests.helpers import PLAIN, make_app, role_statements, template_of

WHERE = re.escape("ServerlessFunction 'Test/Orders': ")
WEEK = Durable(execution_timeout=Duration.days(7))


def durable_function(stack: Stack, durable: Durable = WEEK, **props) -> ServerlessFunction:
    return ServerlessFunction(stack, "Orders", entry=PLAIN, durable=durable, **props)


def only(template, resource_type: str) -> tuple[str, dict]:
    (logical_id, resource), = template.find_resources(resource_type).items()
    return logical_id, resource


def test_the_function_is_created_durable_with_its_timeout_and_retention(stack: Stack) -> None:
    durable_function(stack, Durable(execution_timeout=Duration.days(7), retention=Duration.days(30)))
    template = template_of(stack)
    logical_id, function = only(template, "AWS::Lambda::Function")
    assert function["Properties"]["DurableConfig"] == {"ExecutionTimeout": 604800, "RetentionPeriodInDays": 30}
    assert function["Properties"]["Timeout"] == 10  # one invocation keeps its own timeout, at most 15 minutes
    assert logical_id.startswith("OrdersDurableFunction")


def test_retention_defaults_to_lambdas_14_days(stack: Stack) -> None:
    durable_function(stack)
    _, function = only(template_of(stack), "AWS::Lambda::Function")
    assert function["Properties"]["DurableConfig"]["RetentionPeriodInDays"] == 14


def test_adding_durable_replaces_the_function_and_says_so() -> None:
    """Lambda enables durable execution only on CreateFunction; CloudFormation would update DurableConfig in place
    (the property does not require replacement) and Lambda would refuse. A new logical ID replaces it instead."""
    plain, durable = Stack(make_app(), "Test"), Stack(make_app(), "Test")
    ServerlessFunction(plain, "Orders", entry=PLAIN)
    durable_function(durable)
    before, = template_of(plain).find_resources("AWS::Lambda::Function")
    after, = template_of(durable).find_resources("AWS::Lambda::Function")
    assert before != after
    Annotations.from_stack(durable).has_info("/Test/Orders", Match.string_like_regexp(
        "Lambda turns durable execution on only when it creates a function: this durable function is a resource "
        "of its own \\(DurableFunction\\), so adding or removing durable= on a deployed function replaces it"))


def test_versions_are_published_and_triggers_invoke_the_alias(stack: Stack) -> None:
    """Lambda refuses to invoke a durable function by its unqualified ARN."""
    subscriber = TopicSubscriber(stack, "Subscriber", entry=PLAIN, durable=Durable(Duration.hours(1)))
    template = template_of(stack)
    alias = stack.resolve(subscriber.function.alias.function_arn)
    assert template.find_resources("AWS::Lambda::Version")
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "lambda", "Endpoint": alias})
    template.has_resource_properties("AWS::Lambda::Permission", {"FunctionName": alias,
                                                                 "Principal": "sns.amazonaws.com"})
    assert subscriber.function.invoke_target is subscriber.function.alias


def test_the_role_may_checkpoint_this_functions_executions_only(stack: Stack) -> None:
    orders = durable_function(stack)
    template = template_of(stack)
    function_id = stack.get_logical_id(orders.function.node.default_child)
    policy_id = stack.get_logical_id(orders.durable_policy.node.default_child)
    template.has_resource_properties("AWS::IAM::Policy", {
        "PolicyName": Match.any_value(),
        "Roles": [{"Ref": stack.get_logical_id(orders.role.node.default_child)}],
        "PolicyDocument": {"Statement": [{
            "Action": ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"], "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [function_id, "Arn"]}, ":*"]]}}]}})
    statements = role_statements(template, stack.get_logical_id(orders.role.node.default_child))
    durable_actions = [s for s in statements if any("Durable" in a for a in s["Action"])]
    assert len(durable_actions) == 1 and policy_id in template.find_resources("AWS::IAM::Policy")
    _, role = only(template, "AWS::IAM::Role")
    assert "ManagedPolicyArns" not in role["Properties"]  # no AWSLambdaBasicDurableExecutionRolePolicy on '*'


def test_the_alias_exists_only_once_the_role_may_checkpoint(stack: Stack) -> None:
    """Triggers name the alias: no execution starts before the checkpoint permissions exist."""
    orders = durable_function(stack)
    policy_id = stack.get_logical_id(orders.durable_policy.node.default_child)
    _, alias = only(template_of(stack), "AWS::Lambda::Alias")
    assert policy_id in alias["DependsOn"]


def test_alarms_on_failed_and_timed_out_executions(stack: Stack) -> None:
    orders = durable_function(stack)
    template = template_of(stack)
    function = stack.resolve(orders.function.function_name)
    for metric, alarm in (("DurableExecutionFailed", "durable_executions_failed"),
                          ("DurableExecutionTimedOut", "durable_executions_timed_out")):
        template.has_resource_properties("AWS::CloudWatch::Alarm", {
            "Namespace": "AWS/Lambda", "MetricName": metric, "Statistic": "Sum", "Period": 300, "Threshold": 1,
            "Dimensions": [{"Name": "FunctionName", "Value": function}],
            "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching"})
        assert alarm in orders.alarms


def test_no_alarms_when_asked_for_none(stack: Stack) -> None:
    orders = durable_function(stack, create_alarms=False)
    metrics = [a["Properties"]["MetricName"] for a in template_of(stack).find_resources("AWS::CloudWatch::Alarm").values()]
    assert orders.alarms == {} and metrics == ["ApproximateNumberOfMessagesVisible"]  # the stack's FailedEvents queue


@pytest.mark.parametrize(("durable", "message"), [
    (Durable(Duration.seconds(0)), "durable.execution_timeout 0 seconds must be between 1 and 3.16224e\\+07 seconds "
                                   "\\(366 days\\) inclusive"),
    (Durable(Duration.days(367)), "durable.execution_timeout 367 days must be between 1 and 3.16224e\\+07 seconds"),
    (Durable(Duration.millis(1500)), "durable.execution_timeout 1 second 500 millis must be whole seconds"),
    (Durable(Duration.hours(1), retention=Duration.days(0)), "durable.retention 0 days must be between 1 and 90 "
                                                             "days inclusive"),
    (Durable(Duration.hours(1), retention=Duration.days(91)), "durable.retention 91 days must be between 1 and 90"),
    (Durable(Duration.hours(1), retention=Duration.hours(36)), "durable.retention 1 day 12 hours must be whole days"),
    (Durable(3600), "durable.execution_timeout 3600 must be a Duration, given int"),  # type: ignore[arg-type]
])
def test_durable_settings_within_what_lambda_accepts(stack: Stack, durable: Durable, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + message):
        durable_function(stack, durable)


def test_durable_must_be_a_durable(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + "durable '7 days' must be a Durable"):
        durable_function(stack, "7 days")  # type: ignore[arg-type]


def test_the_limits_themselves_are_accepted() -> None:
    for durable in (Durable(Duration.seconds(1), retention=Duration.days(1)),
                    Durable(Duration.days(366), retention=Duration.days(90))):
        durable_function(Stack(make_app(), "Test"), durable)


@pytest.mark.parametrize("runtime", [lambda_.Runtime.PYTHON_3_12, lambda_.Runtime.PYTHON_3_11])
def test_python_older_than_3_13_is_refused(stack: Stack, runtime: lambda_.Runtime) -> None:
    """aws-cdk-lib accepts it; Lambda offers durable functions on python3.13 and newer only."""
    with pytest.raises(ConfigurationError, match=WHERE + f"runtime '{runtime.name}' does not run durable functions: "
                       "Lambda offers them on python3.13 and newer"):
        durable_function(stack, runtime=runtime)


def test_runtimes_lambda_offers_durable_functions_on() -> None:
    offered = [lambda_.Runtime.PYTHON_3_13, lambda_.Runtime.PYTHON_3_14, lambda_.Runtime.NODEJS_22_X,
               lambda_.Runtime.NODEJS_24_X, lambda_.Runtime.JAVA_17, lambda_.Runtime.JAVA_21, lambda_.Runtime.DOTNET_8]
    assert all(offers_durable(runtime) for runtime in offered)
    assert not any(offers_durable(runtime) for runtime in (lambda_.Runtime.PYTHON_3_12, lambda_.Runtime.NODEJS_20_X,
                                                           lambda_.Runtime.JAVA_11, lambda_.Runtime.PROVIDED_AL2023))


def test_unresolved_durations_are_not_checked(stack: Stack) -> None:
    seconds = CfnParameter(stack, "Seconds", type="Number").value_as_number
    days = CfnParameter(stack, "Days", type="Number").value_as_number
    durable_function(stack, Durable(Duration.seconds(seconds), retention=Duration.days(days)))


def test_an_event_source_mapping_caps_the_execution_at_15_minutes() -> None:
    """An event source mapping waits for the whole execution and stops it after 15 minutes."""
    stack = Stack(make_app(), "Test")
    QueueWorker(stack, "Worker", entry=PLAIN, durable=Durable(Duration.hours(1)))
    with pytest.raises(RuntimeError, match=re.escape(
            "ServerlessFunction 'Test/Worker/Function': durable.execution_timeout 1 hour must be at most 15 minutes: "
            "event source mapping Test/Worker/EventSourceMapping/Resource invokes this function synchronously, and "
            "Lambda ends a synchronous invocation after 15 minutes")):
        template_of(stack)


@pytest.mark.parametrize("invoker", ["state machine Test/Flow/StateMachine/Resource", "API Gateway (Test/Api/Api/",
                                     "function URL Test/Url/Alias/FunctionUrl/",
                                     "Firehose (the transformation of Test/Clicks/Stream)",
                                     "Cognito (a trigger of Test/Users)"])
def test_every_synchronous_invoker_caps_the_execution_at_15_minutes(invoker: str) -> None:
    """A state machine task, API Gateway, a load balancer or a function URL waits for the answer, and Lambda ends a
    synchronous invocation of a durable function after 15 minutes ("Invoking durable Lambda functions")."""
    from constructs_lib import ApiFunction, FirehoseTransform, FunctionStep, UserPoolTrigger, Workflow

    stack = Stack(make_app(), "Test")
    long = Durable(Duration.hours(1))
    if invoker.startswith("state machine"):
        step = FunctionStep(stack, "Step", function=durable_function(stack, long))
        Workflow(stack, "Flow", definition=step)
    elif invoker.startswith("API"):
        ApiFunction(stack, "Api", entry=PLAIN, runtime=lambda_.Runtime.PYTHON_3_13, durable=long)
    elif invoker.startswith("Firehose"):
        FirehoseTransform(stack, "Clicks", entry=PLAIN, runtime=lambda_.Runtime.PYTHON_3_13, durable=long)
    elif invoker.startswith("Cognito"):
        UserPoolTrigger(stack, "SignUp", user_pool=cognito.UserPool(stack, "Users"), operation="pre_sign_up",
                        entry=PLAIN, runtime=lambda_.Runtime.PYTHON_3_13, durable=long)
    else:
        ServerlessFunction(stack, "Url", entry=PLAIN, runtime=lambda_.Runtime.PYTHON_3_13, durable=long,
                           function_url_auth="AWS_IAM")
    with pytest.raises(RuntimeError, match=re.escape(invoker)):
        template_of(stack)


def test_a_durable_function_keeps_the_versions_its_executions_replay() -> None:
    """A durable execution replays the version it started on (its ARN is NAME:VERSION/durable-execution/...):
    a deploy must not delete the previous version while its executions may still run."""
    stack = Stack(make_app(), "Test")
    durable_function(stack, Durable(Duration.minutes(10)))
    (version,) = template_of(stack).find_resources("AWS::Lambda::Version").values()
    assert (version["DeletionPolicy"], version["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_an_event_source_mapping_added_later_is_checked_too() -> None:
    stack = Stack(make_app(), "Test")
    orders = durable_function(stack, Durable(Duration.minutes(16)))
    lambda_.EventSourceMapping(stack, "Mapping", target=orders.invoke_target,
                               event_source_arn=sqs.Queue(stack, "Queue").queue_arn)
    with pytest.raises(RuntimeError, match=WHERE + "durable.execution_timeout 16 minutes must be at most 15 minutes"):
        template_of(stack)


def test_fifteen_minutes_behind_an_event_source_mapping_is_accepted() -> None:
    stack = Stack(make_app(), "Test")
    worker = QueueWorker(stack, "Worker", entry=PLAIN, durable=Durable(Duration.minutes(15)))
    template_of(stack).has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "FunctionName": Match.any_value()})
    assert worker.function.alias is not None
