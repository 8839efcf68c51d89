"""ScheduledFunction: rule or Scheduler, target retry policy and DLQ, failure queue, alias target, synth-time
checks."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_events as events
from aws_cdk import aws_scheduler as scheduler
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
    # Events that fail in the function after its retries are kept in `failures`, its dead-letter queue.
    template.resource_count_is("AWS::Lambda::EventInvokeConfig", 0)
    assert only(template, "AWS::Lambda::Function")["DeadLetterConfig"] == {
        "TargetArn": stack.resolve(job.failures.queue_arn)}
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


PIPELINE_FAILED = events.EventPattern(source=["aws.codepipeline"], detail={"state": ["FAILED"]})


def failed_invocations_dimensions(stack: Stack, job: ScheduledFunction) -> list[dict]:
    alarms = template_of(stack).find_resources("AWS::CloudWatch::Alarm")
    props = alarms[stack.get_logical_id(job.alarms["failed_invocations"].node.default_child)]["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("AWS/Events", "FailedInvocations")
    return props["Dimensions"]


def test_the_failed_invocations_alarm_watches_the_metric_of_a_rule_on_a_custom_bus(stack: Stack) -> None:
    """EventBridge user guide, "Monitoring": a custom bus's rule metrics carry EventBusName and RuleName (the rule's
    own name); an alarm on RuleName alone, or on the rule's Ref (`<bus>|<rule>` on a custom bus), watches a metric
    that does not exist, and never fires."""
    bus = events.EventBus(stack, "Bus")
    job = ScheduledFunction(stack, "OnPipeline", entry=PLAIN, event_bus=bus, event_pattern=PIPELINE_FAILED)
    imported = events.EventBus.from_event_bus_arn(
        stack, "Imported", "arn:aws:events:eu-west-1:111122223333:event-bus/orders")
    other = ScheduledFunction(stack, "OnOrders", entry=PLAIN, event_bus=imported, event_pattern=PIPELINE_FAILED)
    assert failed_invocations_dimensions(stack, job) == [
        {"Name": "EventBusName", "Value": stack.resolve(bus.event_bus_name)},
        {"Name": "RuleName", "Value": {"Fn::Select": [1, {"Fn::Split": ["|", stack.resolve(job.rule.rule_name)]}]}},
    ]
    assert failed_invocations_dimensions(stack, other)[0] == {"Name": "EventBusName", "Value": "orders"}


def test_the_failed_invocations_alarm_of_a_rule_on_the_default_bus_has_only_the_rule_name(stack: Stack) -> None:
    hourly = ScheduledFunction(stack, "Hourly", schedule="rate(1 hour)", entry=PLAIN)
    named_default = events.EventBus.from_event_bus_name(stack, "Default", "default")
    matching = ScheduledFunction(stack, "OnPipeline", entry=PLAIN, event_bus=named_default,
                                 event_pattern=PIPELINE_FAILED)
    for job in (hourly, matching):
        assert failed_invocations_dimensions(stack, job) == [
            {"Name": "RuleName", "Value": stack.resolve(job.rule.rule_name)}]


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


# EventBridge Scheduler mode.

SOON = datetime.now(timezone.utc) + timedelta(days=30)


def scheduled(stack: Stack, **props) -> ScheduledFunction:
    return ScheduledFunction(stack, "Job", via="scheduler", entry=PLAIN, **props)


def test_scheduler_mode_defaults(stack: Stack) -> None:
    job = scheduled(stack, schedule="cron(0 8 ? * MON-FRI *)")
    assert job.rule is None and job.schedule is not None
    template = template_of(stack)
    assert not template.find_resources("AWS::Events::Rule")
    schedule = only(template, "AWS::Scheduler::Schedule")
    assert schedule["ScheduleExpression"] == "cron(0 8 ? * MON-FRI *)"
    assert schedule["ScheduleExpressionTimezone"] == "Etc/UTC"
    assert schedule["State"] == "ENABLED"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule["GroupName"] == stack.resolve(job.schedule_group.schedule_group_name)
    target = schedule["Target"]
    assert target["Arn"] == stack.resolve(job.function.function.function_arn)
    assert target["RoleArn"] == stack.resolve(job.scheduler_role.role_arn)
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    assert target["DeadLetterConfig"]["Arn"] == stack.resolve(job.target_dead_letter_queue.queue_arn)
    # The function is told which schedule invoked it, when, and which attempt this is.
    assert json.loads(target["Input"]) == {
        "schedule_arn": "<aws.scheduler.schedule-arn>", "scheduled_time": "<aws.scheduler.scheduled-time>",
        "execution_id": "<aws.scheduler.execution-id>", "attempt_number": "<aws.scheduler.attempt-number>",
    }
    # The group holds this schedule only and goes with the stack.
    (group,) = template.find_resources("AWS::Scheduler::ScheduleGroup").values()
    assert group["DeletionPolicy"] == "Delete"
    # Scheduler invokes through its role: no resource policy on the function for it.
    assert not template.find_resources("AWS::Lambda::Permission")


def test_the_scheduler_role_is_for_this_group_and_may_invoke_only_this_function(stack: Stack) -> None:
    job = scheduled(stack, schedule="rate(1 day)")
    template = template_of(stack)
    role = template.find_resources("AWS::IAM::Role")[stack.get_logical_id(job.scheduler_role.node.default_child)]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {
        "aws:SourceAccount": {"Ref": "AWS::AccountId"},
        "aws:SourceArn": stack.resolve(job.schedule_group.schedule_group_arn),
    }}
    policies = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if policy["Properties"]["Roles"] == [{"Ref": stack.get_logical_id(job.scheduler_role.node.default_child)}]
    ]
    (statements,) = policies
    actions = {json.dumps(statement["Resource"]): sorted(statement["Action"]) if isinstance(statement["Action"], list)
               else [statement["Action"]] for statement in statements}
    assert actions == {
        json.dumps(stack.resolve(job.function.function.function_arn)): ["lambda:InvokeFunction"],
        json.dumps(stack.resolve(job.target_dead_letter_queue.queue_arn)):
            ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
    }
    assert all(statement["Effect"] == "Allow" and "Condition" not in statement for statement in statements)


def test_scheduler_time_zone_window_dates_and_options(stack: Stack) -> None:
    paris = ZoneInfo("Europe/Paris")
    start, end = datetime(2030, 3, 1, 9, 0, tzinfo=paris), datetime(2030, 12, 31, 18, 30, tzinfo=paris)
    scheduled(
        stack, schedule=events.Schedule.cron(minute="0", hour="8"), time_zone="Europe/Paris",
        flexible_window=Duration.minutes(15), start_date=start, end_date=end, enabled=False,
        input=scheduler.ScheduleTargetInput.from_object({"task": "report"}),
        target_retry_attempts=3, target_max_event_age=Duration.hours(1),
    )
    schedule = only(template_of(stack), "AWS::Scheduler::Schedule")
    assert schedule["ScheduleExpression"] == "cron(0 8 * * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert schedule["StartDate"] == "2030-03-01T08:00:00.000Z"  # 09:00 in Paris is 08:00 UTC in March
    assert schedule["EndDate"] == "2030-12-31T17:30:00.000Z"
    assert schedule["State"] == "DISABLED"
    assert schedule["Target"]["Input"] == '{"task":"report"}'
    assert schedule["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}


@pytest.mark.parametrize("time_zone", ["UTC", TimeZone.AMERICA_NEW_YORK])
def test_scheduler_takes_utc_and_cdk_time_zones(stack: Stack, time_zone) -> None:
    scheduled(stack, schedule="rate(1 hour)", time_zone=time_zone)
    zone = only(template_of(stack), "AWS::Scheduler::Schedule")["ScheduleExpressionTimezone"]
    assert zone == (time_zone if isinstance(time_zone, str) else time_zone.timezone_name)


def test_a_one_off_schedule_runs_at_the_instant_in_utc(stack: Stack) -> None:
    at = datetime(2031, 6, 1, 10, 30, tzinfo=ZoneInfo("America/New_York"))
    scheduled(stack, at=at)
    schedule = only(template_of(stack), "AWS::Scheduler::Schedule")
    assert schedule["ScheduleExpression"] == "at(2031-06-01T14:30:00)"
    assert schedule["ScheduleExpressionTimezone"] == "Etc/UTC"


def test_the_schedule_invokes_the_alias_when_there_is_one(stack: Stack) -> None:
    job = scheduled(stack, schedule="rate(1 day)", snap_start=True)
    assert job.function.alias is not None
    template = template_of(stack)
    target_arn = stack.resolve(job.function.alias.function_arn)
    assert only(template, "AWS::Scheduler::Schedule")["Target"]["Arn"] == target_arn
    invoke = [statement for policy in template.find_resources("AWS::IAM::Policy").values()
              for statement in policy["Properties"]["PolicyDocument"]["Statement"]
              if statement["Action"] == "lambda:InvokeFunction"]
    assert any(statement["Resource"] == target_arn for statement in invoke)
    assert not any(statement["Resource"] == stack.resolve(job.function.function.function_arn)
                   for statement in invoke)


def test_scheduler_alarms_watch_the_group_and_the_dead_letter_queue(stack: Stack) -> None:
    job = scheduled(stack, schedule="rate(1 day)")
    assert {"failed_invocations", "dead_letter_delivery_failures", "target_dead_letter_queue_not_empty"} <= set(job.alarms)
    template = template_of(stack)
    alarms = template.find_resources("AWS::CloudWatch::Alarm")

    def alarm(key: str) -> dict:
        return alarms[stack.get_logical_id(job.alarms[key].node.default_child)]["Properties"]

    group_name = stack.resolve(job.schedule_group.schedule_group_name)
    for key, metric in (("failed_invocations", "TargetErrorCount"),
                        ("dead_letter_delivery_failures", "InvocationsFailedToBeSentToDeadLetterCount")):
        props = alarm(key)
        assert (props["Namespace"], props["MetricName"]) == ("AWS/Scheduler", metric)
        assert props["Dimensions"] == [{"Name": "ScheduleGroup", "Value": group_name}]
    assert alarm("target_dead_letter_queue_not_empty")["Dimensions"] == [
        {"Name": "QueueName", "Value": stack.resolve(job.target_dead_letter_queue.queue_name)}
    ]


def test_a_fifo_queue_cannot_keep_what_scheduler_gives_up_on(stack: Stack) -> None:
    """Scheduler user guide, "Configuring a schedule's dead-letter queue": standard queues only."""
    fifo = sqs.Queue(stack, "Fifo", fifo=True)
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(
            "target_dead_letter_queue 'a FIFO queue' cannot be: EventBridge Scheduler delivers dead-letter events "
            "to standard queues only")):
        scheduled(stack, schedule="rate(1 day)", target_dead_letter_queue=fifo)


@pytest.mark.parametrize("props, message", [
    ({}, "schedule None and at: give exactly one of them"),
    ({"schedule": "rate(1 day)", "at": SOON}, "and at: give exactly one of them"),
    ({"schedule": "rate(1 day)", "event_pattern": events.EventPattern(source=["x"])},
     "event_pattern 'given' needs via='rule'"),
    ({"schedule": "rate(1 day)", "input": events.RuleTargetInput.from_object({})},
     "must be a scheduler.ScheduleTargetInput with via='scheduler'"),
    ({"schedule": "cron(0 25 * * ? *)"}, "schedule 'cron(0 25 * * ? *)' cron hours '25' must be 0-23"),
    ({"schedule": "rate(1 day)", "time_zone": "Europe/Pariss"},
     "time_zone 'Europe/Pariss' must be a canonical IANA time zone name such as 'Europe/Paris' "
     "(closest: 'Europe/Paris')"),
    ({"schedule": "rate(1 day)", "time_zone": "CET+1"}, "time_zone 'CET+1' must be a canonical IANA"),
    ({"schedule": "rate(1 day)", "flexible_window": Duration.minutes(1441)},
     "flexible_window 1 day 1 minute must be a whole number of minutes between 1 and 1440"),
    ({"schedule": "rate(1 day)", "flexible_window": Duration.seconds(90)},
     "flexible_window 1 minute 30 seconds must be a whole number of minutes"),
    ({"schedule": "rate(1 day)", "start_date": datetime(2030, 1, 1)},
     "start_date datetime.datetime(2030, 1, 1, 0, 0) must carry its time zone"),
    ({"schedule": "rate(1 day)", "start_date": SOON, "end_date": SOON - timedelta(hours=1)},
     "must come after start_date"),
    ({"at": datetime(2020, 1, 1, tzinfo=timezone.utc)}, "is in the past"),
    ({"schedule": "rate(1 day)", "start_date": datetime(2020, 1, 1, tzinfo=timezone.utc)},
     "start_date datetime.datetime(2020, 1, 1, 0, 0, tzinfo=datetime.timezone.utc) is in the past"),
    ({"schedule": "rate(1 day)", "end_date": datetime(2020, 1, 1, tzinfo=timezone.utc)},
     "end_date datetime.datetime(2020, 1, 1, 0, 0, tzinfo=datetime.timezone.utc) is in the past"),
    ({"at": SOON, "time_zone": "Europe/Paris"}, "time_zone 'Europe/Paris' does not apply to a one-time schedule"),
    ({"at": SOON, "end_date": SOON}, "does not apply to a one-time schedule"),
    ({"schedule": "rate(1 day)", "target_retry_attempts": 186}, "target_retry_attempts 186 must be between 0 and 185"),
])
def test_each_scheduler_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + ".*" + re.escape(message)):
        scheduled(stack, **props)


@pytest.mark.parametrize("prop, value", [
    ("at", SOON), ("time_zone", "Europe/Paris"), ("flexible_window", Duration.minutes(5)),
    ("start_date", SOON), ("end_date", SOON),
])
def test_the_rule_mode_refuses_scheduler_options(stack: Stack, prop: str, value) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(prop) + ".*needs via='scheduler'"):
        ScheduledFunction(stack, "Job", schedule="rate(1 day)", entry=PLAIN, **{prop: value})


def test_the_rule_mode_refuses_a_scheduler_expression_and_unknown_modes(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match="schedule 'a scheduler.ScheduleExpression' needs via='scheduler'"):
        ScheduledFunction(stack, "Job", schedule=scheduler.ScheduleExpression.rate(Duration.hours(1)), entry=PLAIN)
    with pytest.raises(ConfigurationError, match="'Test/Job2': via 'cron' must be 'rule' or 'scheduler'"):
        ScheduledFunction(stack, "Job2", schedule="rate(1 day)", entry=PLAIN, via="cron")
