"""QueueWorker: queues, redrive, visibility timeout, mapping, grants, alias target, synth-time checks."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Annotations, Match

from constructs_lib import ConfigurationError, QueueWorker
from tests.helpers import PLAIN, role_statements, template_of


def queue_props(stack: Stack, queue: sqs.IQueue) -> dict:
    logical_id = stack.get_logical_id(queue.node.default_child)
    return template_of(stack).find_resources("AWS::SQS::Queue")[logical_id]["Properties"]


def mapping_props(stack: Stack) -> dict:
    (mapping,) = template_of(stack).find_resources("AWS::Lambda::EventSourceMapping").values()
    return mapping["Properties"]


def test_defaults(stack: Stack) -> None:
    worker = QueueWorker(stack, "Worker", entry=PLAIN)
    queue = queue_props(stack, worker.queue)
    assert queue["VisibilityTimeout"] == 180  # 6 x the 30 s default timeout
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": stack.resolve(worker.dead_letter_queue.queue_arn), "maxReceiveCount": 3}
    dlq = queue_props(stack, worker.dead_letter_queue)
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600 and dlq["SqsManagedSseEnabled"] is True
    assert "FifoQueue" not in queue and "FifoQueue" not in dlq
    template = template_of(stack)
    # Both queues refuse requests without TLS.
    assert len(template.find_resources("AWS::SQS::QueuePolicy", {"Properties": {"PolicyDocument": {
        "Statement": Match.array_with([Match.object_like({
            "Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}}})) == 2
    assert mapping_props(stack) == {
        "BatchSize": 10,
        "EventSourceArn": stack.resolve(worker.queue.queue_arn),
        "FunctionName": stack.resolve(worker.function.function.function_name),
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "MetricsConfig": {"Metrics": ["EventCount"]},  # the mapping's own metrics, on by default
    }
    template.resource_count_is("AWS::IAM::Policy", 0)  # the function's role holds its statements inline
    statements = role_statements(template, stack.get_logical_id(worker.function.role.node.default_child))
    consume = next(s for s in statements if "sqs:ReceiveMessage" in s["Action"])
    assert {"sqs:DeleteMessage", "sqs:ReceiveMessage"} <= set(consume["Action"])
    assert consume["Resource"] == stack.resolve(worker.queue.queue_arn)
    (function,) = template.find_resources("AWS::Lambda::Function").values()
    assert function["Properties"]["Timeout"] == 30
    assert worker.event_source_mapping.event_source_mapping_id


def test_options(stack: Stack) -> None:
    worker = QueueWorker(
        stack, "Worker", entry=PLAIN, timeout=Duration.seconds(60), batch_size=100,
        max_batching_window=Duration.seconds(20), max_receive_count=5, max_concurrency=4,
        report_batch_item_failures=False, metrics=False,
    )
    queue = queue_props(stack, worker.queue)
    assert queue["VisibilityTimeout"] == 6 * 60 + 20
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert mapping_props(stack) == {
        "BatchSize": 100, "MaximumBatchingWindowInSeconds": 20, "ScalingConfig": {"MaximumConcurrency": 4},
        "EventSourceArn": stack.resolve(worker.queue.queue_arn),
        "FunctionName": stack.resolve(worker.function.function.function_name),
    }


def test_fifo_queues_match(stack: Stack) -> None:
    worker = QueueWorker(stack, "Worker", entry=PLAIN, fifo=True)
    assert queue_props(stack, worker.queue)["FifoQueue"] is True
    assert queue_props(stack, worker.dead_letter_queue)["FifoQueue"] is True


def test_a_given_queue_is_used_as_it_is(stack: Stack) -> None:
    given = sqs.Queue(stack, "Given", visibility_timeout=Duration.minutes(10))
    worker = QueueWorker(stack, "Worker", entry=PLAIN, queue=given)
    assert worker.queue is given and worker.dead_letter_queue is None
    assert len(template_of(stack).find_resources("AWS::SQS::Queue")) == 1
    assert mapping_props(stack)["EventSourceArn"] == stack.resolve(given.queue_arn)


def test_an_imported_queue_is_accepted(stack: Stack) -> None:
    imported = sqs.Queue.from_queue_arn(stack, "Imported", "arn:aws:sqs:us-east-1:111111111111:jobs")
    QueueWorker(stack, "Worker", entry=PLAIN, queue=imported)
    assert mapping_props(stack)["EventSourceArn"] == "arn:aws:sqs:us-east-1:111111111111:jobs"


def test_the_mapping_targets_the_alias_when_there_is_one(stack: Stack) -> None:
    worker = QueueWorker(stack, "Worker", entry=PLAIN, provisioned_concurrency=2)
    assert mapping_props(stack)["FunctionName"] == stack.resolve(worker.function.alias.function_name)


def test_few_receives_are_warned_about(stack: Stack) -> None:
    QueueWorker(stack, "Worker", entry=PLAIN, max_receive_count=1)
    Annotations.from_stack(stack).has_warning("/Test/Worker", Match.string_like_regexp("max_receive_count 1"))


WHERE = re.escape("QueueWorker 'Test/Worker': ")


@pytest.mark.parametrize("props, message", [
    ({"fifo": True, "batch_size": 11}, "batch_size 11 must be between 1 and 10 inclusive"),
    ({"batch_size": 10_001, "max_batching_window": Duration.seconds(1)}, "batch_size 10001 must be between 1 and 10000"),
    ({"batch_size": 0}, "batch_size 0 must be between 1 and 10000"),
    ({"batch_size": 11}, "batch_size 11 above 10 needs a max_batching_window"),
    ({"fifo": True, "max_batching_window": Duration.seconds(5)}, "max_batching_window 5 seconds is not supported for FIFO"),
    ({"max_batching_window": Duration.seconds(301)}, "max_batching_window 5 minutes 1 second must be between 0 and 300"),
    ({"max_receive_count": 0}, "max_receive_count 0 must be between 1 and 1000"),
    ({"max_receive_count": 1001}, "max_receive_count 1001 must be between 1 and 1000"),
    ({"max_concurrency": 1}, "max_concurrency 1 must be between 2 and 1000"),
    ({"max_concurrency": 1001}, "max_concurrency 1001 must be between 2 and 1000"),
    ({"visibility_timeout": Duration.seconds(100)},
     "visibility_timeout 1 minute 40 seconds is too short: the visibility timeout must be at least "
     "6 x function timeout (30 s) = 180 s"),
    ({"visibility_timeout": Duration.hours(13)}, "visibility_timeout 13 hours must be between 0 and 43200 seconds"),
])
def test_each_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        QueueWorker(stack, "Worker", entry=PLAIN, **props)


def test_a_given_queue_with_a_short_visibility_timeout_is_refused(stack: Stack) -> None:
    given = sqs.Queue(stack, "Given")  # SQS's default: 30 s
    message = (
        "queue 'Test/Given (visibility timeout 30 s)' is too short: the visibility timeout must be at least "
        "6 x function timeout (60 s) + batching window (10 s) = 370 s"
    )
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        QueueWorker(stack, "Worker", entry=PLAIN, queue=given, timeout=Duration.seconds(60),
                    max_batching_window=Duration.seconds(10))


def test_given_queue_rules(stack: Stack) -> None:
    given = sqs.Queue(stack, "Given", fifo=True, visibility_timeout=Duration.hours(1))
    with pytest.raises(ConfigurationError) as raised:
        QueueWorker(stack, "Worker", entry=PLAIN, queue=given, dead_letter_queue=sqs.Queue(stack, "Dlq"),
                    visibility_timeout=Duration.hours(1))
    assert raised.value.errors == [
        "QueueWorker 'Test/Worker': dead_letter_queue 'given' applies only to a queue the construct creates: "
        "set the given queue's redrive policy instead",
        "QueueWorker 'Test/Worker': visibility_timeout 1 hour applies only to a queue the construct creates",
        "QueueWorker 'Test/Worker': fifo False does not match the given queue, which is a FIFO queue",
    ]


def test_a_dead_letter_queue_of_the_other_kind_is_refused(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("dead_letter_queue 'given' must be a FIFO queue, like the queue")):
        QueueWorker(stack, "Worker", entry=PLAIN, fifo=True, dead_letter_queue=sqs.Queue(stack, "Dlq"))
