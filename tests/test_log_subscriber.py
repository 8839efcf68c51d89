"""LogSubscriber: CloudWatch Logs invokes the function for this log group of this account only, after the
permission exists; failed batches are kept; a third filter on a log group and a loop back to the function are
refused (when built, and at synth for what is added afterwards)."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as destinations

from constructs_lib import ConfigurationError, Deployment, LogSubscriber, ServerlessFunction
from constructs_lib.core.templates import refs
from tests.helpers import PLAIN, make_app, template_of

ERRORS = '{ $.level = "ERROR" }'


def logical_id(stack: Stack, construct) -> str:
    return stack.get_logical_id(construct.node.default_child)


def test_logs_invoke_the_function_for_this_log_group_only_once_allowed(stack: Stack) -> None:
    worker = ServerlessFunction(stack, "Worker", entry=PLAIN)
    subscriber = LogSubscriber(stack, "Errors", log_group=worker.log_group, filter_pattern=ERRORS, entry=PLAIN)
    template = template_of(stack).to_json()["Resources"]
    (filter_id, found), = [(k, r) for k, r in template.items() if r["Type"] == "AWS::Logs::SubscriptionFilter"]
    assert found["Properties"]["FilterPattern"] == ERRORS
    assert refs(found["Properties"]["LogGroupName"]) == {logical_id(stack, worker.log_group)}
    assert refs(found["Properties"]["DestinationArn"]) == {logical_id(stack, subscriber.function.function)}
    (permission_id, permission), = [(k, r["Properties"]) for k, r in template.items()
                                    if r["Type"] == "AWS::Lambda::Permission"]
    assert permission_id in found["DependsOn"]  # CloudWatch Logs checks the permission when it creates the filter
    assert permission["Principal"] == "logs.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": [logical_id(stack, worker.log_group), "Arn"]}
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert subscriber.failures is not None  # invoked asynchronously: failed batches are kept
    # Lambda's own asynchronous settings: the stack's queue is the function's dead-letter queue.
    function = template[logical_id(stack, subscriber.function.function)]["Properties"]
    assert refs(function["DeadLetterConfig"]) == {logical_id(stack, subscriber.failures)}
    assert not [r for r in template.values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]


def test_an_imported_log_group_and_the_alias_of_a_deployment(stack: Stack) -> None:
    group = logs.LogGroup.from_log_group_name(stack, "Legacy", "/legacy/orders")
    subscriber = LogSubscriber(stack, "Reader", log_group=group, entry=PLAIN, deployment=Deployment.all_at_once())
    template = template_of(stack).to_json()["Resources"]
    (found,) = [r["Properties"] for r in template.values() if r["Type"] == "AWS::Logs::SubscriptionFilter"]
    assert found["LogGroupName"] == "/legacy/orders" and found["FilterPattern"] == ""
    assert refs(found["DestinationArn"]) == {logical_id(stack, subscriber.function.alias)}


def test_a_third_filter_on_a_log_group_is_refused_when_built(stack: Stack) -> None:
    group = logs.LogGroup(stack, "Orders")
    LogSubscriber(stack, "First", log_group=group, entry=PLAIN)
    LogSubscriber(stack, "Second", log_group=group, entry=PLAIN)
    with pytest.raises(ConfigurationError, match=re.escape(
            "LogSubscriber 'Test/Third': log_group 'Test/Orders' has 2 subscription filters already "
            "(Test/First/Filter/Resource, Test/Second/Filter/Resource): CloudWatch Logs allows 2 per log group")):
        LogSubscriber(stack, "Third", log_group=group, entry=PLAIN)


@pytest.mark.parametrize("pattern, message", [
    ("x" * 1025, "filter_pattern 'xxxxxxxxxx"),
    (ERRORS.encode(), "filter_pattern b'{ $.level = \"ERROR\" }' must be a str, given bytes"),
])
def test_a_filter_pattern_cloudwatch_would_refuse_is_refused(stack: Stack, pattern, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(f"LogSubscriber 'Test/Errors': {message}")):
        LogSubscriber(stack, "Errors", log_group=logs.LogGroup(stack, "Orders"), filter_pattern=pattern, entry=PLAIN)


def synth_errors(stack: Stack) -> str:
    with pytest.raises(RuntimeError) as raised:
        stack.node.root.synth()
    return str(raised.value)


def test_a_third_filter_added_afterwards_is_refused_at_synth() -> None:
    stack = Stack(make_app(), "Test")
    group = logs.LogGroup(stack, "Orders")
    LogSubscriber(stack, "First", log_group=group, entry=PLAIN)
    LogSubscriber(stack, "Second", log_group=group, entry=PLAIN)
    group.add_subscription_filter("Archive", filter_pattern=logs.FilterPattern.all_events(),
                                  destination=destinations.LambdaDestination(
                                      ServerlessFunction(stack, "Archiver", entry=PLAIN).function))
    assert "LogSubscriber 'Test/First': log_group 'Test/Orders' has 3 subscription filters" in synth_errors(stack)


def chain(stack: Stack) -> tuple[LogSubscriber, LogSubscriber]:
    """A subscriber of a worker's logs, and a subscriber of that subscriber's logs."""
    worker = ServerlessFunction(stack, "Worker", entry=PLAIN)
    first = LogSubscriber(stack, "First", log_group=worker.log_group, entry=PLAIN)
    return first, LogSubscriber(stack, "Second", log_group=first.function.log_group, entry=PLAIN)


def test_a_chain_of_subscribers_is_no_loop(stack: Stack) -> None:
    chain(stack)
    template_of(stack).resource_count_is("AWS::Logs::SubscriptionFilter", 2)


def test_a_function_that_its_own_logs_reach_is_refused_at_synth() -> None:
    """The chain becomes a loop when a filter closes it: from the second one's log group to the first one's function."""
    stack = Stack(make_app(), "Test")
    first, second = chain(stack)
    logs.SubscriptionFilter(stack, "Back", log_group=second.function.log_group,
                            filter_pattern=logs.FilterPattern.all_events(),
                            destination=destinations.LambdaDestination(
                                lambda_.Function.from_function_arn(stack, "FirstFn",
                                                                   first.function.function.function_arn)))
    errors = synth_errors(stack)
    assert ("LogSubscriber 'Test/First': log_group 'Test/Worker/LogGroup' is reached by the function's own logs "
            "through Test/Second/Filter/Resource -> Test/Back/Resource") in errors
    assert "without end (Lambda's recursive loop detection does not cover CloudWatch Logs)" in errors
