"""Default alarms of every construct, their SNS action, and the Dashboard."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs_lib import (
    ConfigurationError,
    Dashboard,
    QueueWorker,
    ScheduledFunction,
    ServerlessFunction,
    StreamConsumer,
    ThumbnailPipeline,
)
from tests.helpers import PLAIN, template_of


def alarm_props(stack: Stack, alarm) -> dict:
    return template_of(stack).find_resources("AWS::CloudWatch::Alarm")[
        stack.get_logical_id(alarm.node.default_child)]["Properties"]


def test_function_defaults(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN)
    assert set(fn.alarms) == {"errors", "throttles"}
    errors = alarm_props(stack, fn.alarms["errors"])
    assert errors["Namespace"] == "AWS/Lambda" and errors["MetricName"] == "Errors"
    assert errors["Dimensions"] == [{"Name": "FunctionName", "Value": stack.resolve(fn.function.function_name)}]
    assert (errors["Threshold"], errors["Period"], errors["Statistic"]) == (1, 300, "Sum")
    assert errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert errors["TreatMissingData"] == "notBreaching"
    assert "AlarmActions" not in errors
    assert alarm_props(stack, fn.alarms["throttles"])["MetricName"] == "Throttles"


def test_function_destinations_and_dead_letter_queue(stack: Stack) -> None:
    failures, dlq = sqs.Queue(stack, "Failures"), sqs.Queue(stack, "Dlq")
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, on_failure=failures, dead_letter_queue=dlq)
    assert set(fn.alarms) == {"errors", "throttles", "destination_delivery_failures", "failure_queue_not_empty",
                              "dead_letter_queue_not_empty"}
    assert alarm_props(stack, fn.alarms["destination_delivery_failures"])["MetricName"] == "DestinationDeliveryFailures"
    failure_queue = alarm_props(stack, fn.alarms["failure_queue_not_empty"])
    assert failure_queue["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert failure_queue["Dimensions"] == [{"Name": "QueueName", "Value": stack.resolve(failures.queue_name)}]
    assert (failure_queue["Threshold"], failure_queue["Statistic"]) == (1, "Maximum")
    dead = alarm_props(stack, fn.alarms["dead_letter_queue_not_empty"])
    assert dead["Dimensions"] == [{"Name": "QueueName", "Value": stack.resolve(dlq.queue_name)}]


def test_alarm_topic_and_opting_out(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, alarm_topic=topic)
    quiet = ServerlessFunction(stack, "Quiet", entry=PLAIN, create_alarms=False)
    for alarm in fn.alarms.values():
        props = alarm_props(stack, alarm)
        assert props["AlarmActions"] == [stack.resolve(topic.topic_arn)]
        assert props["OKActions"] == [stack.resolve(topic.topic_arn)]
    assert quiet.alarms == {}
    assert len(template_of(stack).find_resources("AWS::CloudWatch::Alarm")) == 2


def test_pattern_alarms(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    job = ScheduledFunction(stack, "Job", schedule="rate(1 hour)", entry=PLAIN, alarm_topic=topic)
    worker = QueueWorker(stack, "Worker", entry=PLAIN, alarm_topic=topic)
    table = dynamodb.Table(stack, "T", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
                           stream=dynamodb.StreamViewType.NEW_IMAGE)
    consumer = StreamConsumer(stack, "Consumer", table=table, entry=PLAIN, alarm_topic=topic)
    pipeline = ThumbnailPipeline(stack, "Pipe", alarm_topic=topic)

    assert set(job.alarms) == {"errors", "throttles", "destination_delivery_failures", "failure_queue_not_empty",
                               "failed_invocations", "target_dead_letter_queue_not_empty"}
    failed = alarm_props(stack, job.alarms["failed_invocations"])
    assert (failed["Namespace"], failed["MetricName"]) == ("AWS/Events", "FailedInvocations")
    assert failed["Dimensions"] == [{"Name": "RuleName", "Value": stack.resolve(job.rule.rule_name)}]

    assert set(worker.alarms) == {"errors", "throttles", "oldest_message_too_old", "dead_letter_queue_not_empty"}
    oldest = alarm_props(stack, worker.alarms["oldest_message_too_old"])
    assert (oldest["MetricName"], oldest["Threshold"]) == ("ApproximateAgeOfOldestMessage", 900)

    assert set(consumer.alarms) == {"errors", "throttles", "iterator_age", "on_failure_not_empty"}
    age = alarm_props(stack, consumer.alarms["iterator_age"])
    assert (age["MetricName"], age["Threshold"], age["Statistic"]) == ("IteratorAge", 300_000, "Maximum")

    assert "failure_queue_not_empty" in pipeline.alarms
    every = [*job.alarms.values(), *worker.alarms.values(), *consumer.alarms.values(), *pipeline.alarms.values()]
    for alarm in every:
        assert alarm_props(stack, alarm)["AlarmActions"] == [stack.resolve(topic.topic_arn)]


def test_patterns_without_alarms(stack: Stack) -> None:
    worker = QueueWorker(stack, "Worker", entry=PLAIN, create_alarms=False)
    assert worker.alarms == {}
    assert not template_of(stack).find_resources("AWS::CloudWatch::Alarm")


def test_dashboard_draws_each_construct(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN)
    worker = QueueWorker(stack, "Worker", entry=PLAIN)
    Dashboard(stack, "Board", constructs=[fn, worker])
    (board,) = template_of(stack).find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(stack.resolve(board["Properties"]["DashboardBody"]))
    for title in ("Test/Fn: invocations", "Test/Fn: duration", "Test/Fn: concurrency", "Test/Fn: alarms",
                  "Test/Worker: invocations", "Test/Worker: alarms"):
        assert title in body
    assert body.count('\\"type\\":\\"alarm\\"') == 2
    for alarm in [*fn.alarms.values(), *worker.alarms.values()]:
        assert stack.get_logical_id(alarm.node.default_child) in body


def test_dashboard_rules(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape("Dashboard 'Test/Empty': constructs [] must name at least")):
        Dashboard(stack, "Empty", constructs=[])
    with pytest.raises(ConfigurationError, match=re.escape("must be a ServerlessFunction or one of the library's")):
        Dashboard(stack, "Odd", constructs=[sqs.Queue(stack, "Q")])


def test_an_encrypted_alarm_topic_lets_cloudwatch_use_its_key(stack: Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Topic", master_key=key)
    QueueWorker(stack, "Worker", entry=PLAIN, alarm_topic=topic)  # notifies twice: function and pattern alarms
    (key_resource,) = template_of(stack).find_resources("AWS::KMS::Key").values()
    statements = [s for s in key_resource["Properties"]["KeyPolicy"]["Statement"]
                  if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert statements == [{
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
    }]
