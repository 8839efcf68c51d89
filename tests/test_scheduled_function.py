"""ScheduledFunction: rule, target retry policy and DLQ, failure queue, alias target, synth-time checks."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match

from constructs_lib import ConfigurationError, ScheduledFunction
from tests.helpers import PLAIN, template_of


def only(template, kind: str) -> dict:
    (resource,) = template.find_resources(kind).values()
    return resource["Properties"]


def test_defaults(stack: Stack) -> None:
    job = ScheduledFunction(stack, "Job", schedule=events.Schedule.rate(Duration.hours(1)), entry=PLAIN)
    template = template_of(stack)
    rule = only(template, "AWS::Events::Rule")
    assert rule["ScheduleExpression"] == "rate(1 hour)"
    assert rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    assert target["DeadLetterConfig"]["Arn"] == stack.resolve(job.target_dead_letter_queue.queue_arn)
    assert target["Arn"] == stack.resolve(job.function.function.function_arn)
    template.has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
        "SourceArn": stack.resolve(job.rule.rule_arn),
    })
    # EventBridge may write undeliverable events into the target DLQ, and only for this rule.
    template.has_resource_properties("AWS::SQS::QueuePolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": "sqs:SendMessage", "Principal": {"Service": "events.amazonaws.com"},
                           "Condition": {"ArnEquals": {"aws:SourceArn": stack.resolve(job.rule.rule_arn)}}}),
    ])}})
    # Events that fail in the function after its retries are kept in `failures`.
    config = only(template, "AWS::Lambda::EventInvokeConfig")
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == stack.resolve(job.failures.queue_arn)
    for queue in (job.failures, job.target_dead_letter_queue):
        props = template.find_resources("AWS::SQS::Queue")[stack.get_logical_id(queue.node.default_child)]
        assert props["Properties"]["SqsManagedSseEnabled"] is True


def test_schedule_as_a_string_and_every_target_option(stack: Stack) -> None:
    ScheduledFunction(
        stack, "Job", schedule="cron(0 12 ? * MON-FRI *)", entry=PLAIN, enabled=False,
        input=events.RuleTargetInput.from_object({"task": "report"}),
        target_retry_attempts=0, target_max_event_age=Duration.minutes(5),
    )
    rule = only(template_of(stack), "AWS::Events::Rule")
    assert rule["ScheduleExpression"] == "cron(0 12 ? * MON-FRI *)"
    assert rule["State"] == "DISABLED"
    (target,) = rule["Targets"]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 300}
    assert target["Input"] == '{"task":"report"}'


def test_event_pattern_on_a_given_bus(stack: Stack) -> None:
    bus = events.EventBus(stack, "Bus")
    ScheduledFunction(
        stack, "OnPipeline", entry=PLAIN, event_bus=bus,
        event_pattern=events.EventPattern(
            source=["aws.codepipeline"], detail_type=["CodePipeline Pipeline Execution State Change"],
            detail={"state": ["FAILED"]},
        ),
    )
    rule = only(template_of(stack), "AWS::Events::Rule")
    assert "ScheduleExpression" not in rule
    assert rule["EventBusName"] == stack.resolve(bus.event_bus_name)
    assert rule["EventPattern"]["source"] == ["aws.codepipeline"]
    assert rule["EventPattern"]["detail"] == {"state": ["FAILED"]}


def test_given_failure_target_and_dead_letter_queue_are_used(stack: Stack) -> None:
    failures, dlq = sqs.Queue(stack, "MyFailures"), sqs.Queue(stack, "MyDlq")
    job = ScheduledFunction(
        stack, "Job", schedule="rate(1 day)", entry=PLAIN, on_failure=failures, target_dead_letter_queue=dlq
    )
    assert job.failures is None and job.target_dead_letter_queue is dlq
    template = template_of(stack)
    assert len(template.find_resources("AWS::SQS::Queue")) == 2
    config = only(template, "AWS::Lambda::EventInvokeConfig")
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == stack.resolve(failures.queue_arn)


def test_the_rule_targets_the_alias_when_there_is_one(stack: Stack) -> None:
    job = ScheduledFunction(stack, "Job", schedule="rate(1 day)", entry=PLAIN, provisioned_concurrency=1)
    (target,) = only(template_of(stack), "AWS::Events::Rule")["Targets"]
    assert job.function.alias is not None
    assert target["Arn"] == stack.resolve(job.function.alias.function_arn)


WHERE = re.escape("ScheduledFunction 'Test/Job': ")


@pytest.mark.parametrize("props, message", [
    ({}, "schedule None and event_pattern: give exactly one of them"),
    ({"schedule": "rate(1 day)", "event_pattern": events.EventPattern(source=["x"])}, "give exactly one of them"),
    ({"schedule": "rate(1 day)", "event_bus": "bus"}, "event_bus 'given' applies only to event_pattern"),
    ({"schedule": "cron(0 0 1 * MON *)"}, "schedule 'cron(0 0 1 * MON *)' cron day-of-month '1' and day-of-week"),
    ({"schedule": events.Schedule.expression("rate(30 seconds)")}, "schedule 'rate(30 seconds)' rate unit 'seconds'"),
    ({"schedule": "cron(0 25 * * ? *)"}, "schedule 'cron(0 25 * * ? *)' cron hours '25' must be 0-23"),
    ({"schedule": "rate(1 day)", "target_retry_attempts": 186}, "target_retry_attempts 186 must be between 0 and 185"),
    ({"schedule": "rate(1 day)", "target_max_event_age": Duration.seconds(59)},
     "target_max_event_age 59 seconds must be between 60 and 86400 seconds"),
    ({"schedule": "rate(1 day)", "target_max_event_age": Duration.hours(25)},
     "target_max_event_age 1 day 1 hour must be between 60 and 86400 seconds"),
])
def test_each_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    if props.get("event_bus") == "bus":
        props["event_bus"] = events.EventBus(stack, "Bus")
    with pytest.raises(ConfigurationError, match=WHERE + ".*" + re.escape(message)):
        ScheduledFunction(stack, "Job", entry=PLAIN, **props)


def test_function_options_are_checked_too(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape("ServerlessFunction 'Test/Job/Function': memory_size 64")):
        ScheduledFunction(stack, "Job", schedule="rate(1 day)", entry=PLAIN, memory_size=64)
