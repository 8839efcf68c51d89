"""Nothing lost by default: an asynchronous event that fails every retry of a library function without a
failure target of its own goes to one queue per stack, FailedEvents, made on first need and alarmed; a
function only invoked synchronously says so with ``no_failure_target``."""

from __future__ import annotations

import pytest
from aws_cdk import Stack, Validations
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template
from cdk_nag import ServerlessChecks

from constructs_lib import (
    ConfigurationError, Deployment, QueueWorker, ScheduledFunction, ServerlessFunction, TopicSubscriber,
)
from constructs_lib.resources.queues import failure_queue
from tests.helpers import PLAIN, make_app, role_statements, watched_by

QUEUE = "AWS::SQS::Queue"


def shared_queue_id(template: Template) -> str:
    (logical_id,) = [i for i in template.find_resources(QUEUE) if i.startswith("FailedEventsQueue")]
    return logical_id


def test_a_bare_function_keeps_failed_events_in_the_stacks_queue() -> None:
    """It passes the Serverless pack without an acknowledgment (it reported Serverless-LambdaDLQ and
    Serverless-LambdaAsyncFailureDestination before, in every user's app)."""
    app = make_app()
    stack = Stack(app, "Bare")
    function = ServerlessFunction(stack, "Fn", entry=PLAIN)
    Validations.of(app).add_plugins(ServerlessChecks(app))
    app.synth()  # raises on an unacknowledged finding
    template = Template.from_stack(stack)
    queue = shared_queue_id(template)
    assert function.failed_events is not None and function.failure_target is function.failed_events.queue
    # Lambda's own asynchronous settings: the queue is the function's dead-letter queue, no EventInvokeConfig.
    template.has_resource_properties("AWS::Lambda::Function", {
        "DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}})
    template.resource_count_is("AWS::Lambda::EventInvokeConfig", 0)
    # Encrypted, kept 14 days, SSL only; the function may send to it.
    template.has_resource_properties(QUEUE, {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1209600})
    template.has_resource_properties("AWS::SQS::QueuePolicy", {
        "Queues": [{"Ref": queue}],
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like(
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])},
    })
    sends = [s for s in role_statements(template, stack.get_logical_id(function.role.node.default_child))
             if s["Resource"] == {"Fn::GetAtt": [queue, "Arn"]}]
    assert [s["Action"] for s in sends] == ["sqs:SendMessage"]
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
    })
    # The stack's alarms watch the function's failed writes to it; the queue's own alarm is the stack's too.
    assert function.alarms == {} and watched_by(function) == {"FunctionErrors", "FunctionThrottles", "DeadLetterErrors"}


def test_functions_of_a_stack_share_one_queue_and_one_alarm() -> None:
    app = make_app()
    first, second = Stack(app, "One"), Stack(app, "Two")
    for name in ("A", "B", "C"):
        ServerlessFunction(first, name, entry=PLAIN)
    ServerlessFunction(second, "D", entry=PLAIN)
    for stack, functions in ((first, 3), (second, 1)):
        template = Template.from_stack(stack)
        queue = shared_queue_id(template)
        template.resource_count_is(QUEUE, 1)
        template.resource_properties_count_is("AWS::Lambda::Function", {
            "DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}}, functions)
        template.resource_properties_count_is("AWS::CloudWatch::Alarm", {
            "MetricName": "ApproximateNumberOfMessagesVisible"}, 1)


def test_a_target_of_the_functions_own_makes_no_shared_queue(stack: Stack) -> None:
    own = failure_queue(stack, "Own")
    ServerlessFunction(stack, "WithDestination", entry=PLAIN, on_failure=own)
    ServerlessFunction(stack, "WithDeadLetters", entry=PLAIN, dead_letter_queue=failure_queue(stack, "Dlq"))
    template = Template.from_stack(stack)
    assert stack.node.try_find_child("FailedEvents") is None
    template.resource_count_is(QUEUE, 2)


def test_the_alias_keeps_failed_events_too(stack: Stack) -> None:
    """Triggers invoke the alias: its version's dead-letter queue (a function's DeadLetterConfig is published with
    each version), or with settings other than Lambda's own the alias's EventInvokeConfig, whose settings are its
    own; the CodeDeploy hooks report to CodeDeploy and keep no events (they say why)."""
    deployed = ServerlessFunction(stack, "Deployed", entry=PLAIN, deployment=Deployment.all_at_once(
        pre_traffic_hook=True, post_traffic_hook=True))
    ServerlessFunction(stack, "Retried", entry=PLAIN, retry_attempts=1, deployment=Deployment.all_at_once())
    template = Template.from_stack(stack)
    queue = shared_queue_id(template)
    (function,) = [f for logical_id, f in template.find_resources("AWS::Lambda::Function").items()
                   if logical_id.startswith("DeployedFunction")]
    assert function["Properties"]["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}
    configs = template.find_resources("AWS::Lambda::EventInvokeConfig")
    assert not [logical_id for logical_id in configs if logical_id.startswith(("DeployedFunction", "DeployedAlias"))]
    (alias,) = [config for logical_id, config in configs.items() if logical_id.startswith("RetriedAlias")]
    assert alias["Properties"]["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}}
    assert deployed.deployment is not None
    for hook in (deployed.deployment.pre_traffic_hook, deployed.deployment.post_traffic_hook):
        assert isinstance(hook, ServerlessFunction) and hook.failure_target is None


def test_no_failure_target_opts_out_with_its_reason() -> None:
    app = make_app()
    stack = Stack(app, "Sync")
    reason = "Only the orders service invokes it, synchronously: errors are answered to the caller"
    function = ServerlessFunction(stack, "Fn", entry=PLAIN, no_failure_target=reason)
    Validations.of(app).add_plugins(ServerlessChecks(app))
    app.synth()  # the Serverless pack's dead-letter findings are acknowledged with the reason
    template = Template.from_stack(stack)
    assert function.failure_target is None and stack.node.try_find_child("FailedEvents") is None
    template.resource_count_is(QUEUE, 0)
    assert not template.find_resources("AWS::Lambda::EventInvokeConfig", {
        "Properties": {"DestinationConfig": Match.any_value()}})
    (resource,) = template.find_resources("AWS::Lambda::Function").values()
    assert {"id": "CKV_AWS_116", "comment": reason} in resource["Metadata"]["checkov"]["skip"]
    acknowledged = [entry.data for entry in function.node.metadata if entry.type == "aws:cdk:acknowledged-rules"]
    assert {"Annotation::Serverless-LambdaDLQ": reason} in acknowledged


def test_no_failure_target_with_a_failure_target_is_refused(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=(
        "ServerlessFunction 'Test/Fn': no_failure_target 'sync' cannot be given with on_failure or "
        "dead_letter_queue: they are failure targets")):
        ServerlessFunction(stack, "Fn", entry=PLAIN, no_failure_target="sync", on_failure=failure_queue(stack, "Q"))


def test_synchronous_patterns_make_no_shared_queue_and_refuse_the_option(stack: Stack) -> None:
    worker = QueueWorker(stack, "Worker", entry=PLAIN)
    assert worker.function.failure_target is None
    assert stack.node.try_find_child("FailedEvents") is None
    with pytest.raises(ConfigurationError, match="no_failure_target 'given' is set by QueueWorker"):
        QueueWorker(stack, "Other", entry=PLAIN, no_failure_target="mine")


def test_asynchronous_patterns_keep_failed_events_in_the_stacks_queue(stack: Stack) -> None:
    scheduled = ScheduledFunction(stack, "Nightly", schedule="rate(1 day)", entry=PLAIN)
    subscriber = TopicSubscriber(stack, "Notice", entry=PLAIN)
    shared = stack.node.find_child("FailedEvents")
    assert scheduled.failures is subscriber.failures is getattr(shared, "queue")
    template = Template.from_stack(stack)
    template.resource_properties_count_is("AWS::CloudWatch::Alarm", {
        "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [shared_queue_id(template), "QueueName"]}}],
    }, 1)


def test_the_shared_alarm_goes_to_each_functions_topic_once(stack: Stack) -> None:
    topic = sns.Topic(stack, "Alarms", enforce_ssl=True)
    ServerlessFunction(stack, "A", entry=PLAIN, alarm_topic=topic)
    ServerlessFunction(stack, "B", entry=PLAIN, alarm_topic=topic)
    shared = stack.node.find_child("FailedEvents")
    (alarm,) = getattr(shared, "alarms").values()
    actions = Stack.of(alarm).resolve(alarm.node.default_child.alarm_actions)  # type: ignore[union-attr]
    assert actions == [{"Ref": stack.get_logical_id(topic.node.default_child)}]  # type: ignore[arg-type]
