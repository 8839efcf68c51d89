"""The queue worker against moto's SQS and DynamoDB: a poison message ends in the dead-letter queue.

The test plays Lambda's SQS poller: receive, build the documented event, invoke, delete what the
handler did not report as failed; until the queue is empty.
"""

from __future__ import annotations

import json

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.handlers import Context, load_handler, moto_aws, on_demand_table
from tests.helpers import ROOT

TABLE = "orders"
MAX_RECEIVE_COUNT = 3


@pytest.fixture(scope="module")
def aws():
    with moto_aws(TABLE_NAME=TABLE, POWERTOOLS_SERVICE_NAME="order-worker"):
        on_demand_table(TABLE, "order_id")
        handler = load_handler(ROOT / "lambda_src" / "queue_worker" / "handler.py", "queue_worker_handler")
        yield handler, boto3.client("sqs"), boto3.resource("dynamodb").Table(TABLE)


def make_queues(sqs, name: str) -> tuple[str, str]:
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": "0",  # failed messages come straight back, so the test needs no waiting
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}),
    })["QueueUrl"]
    return queue, dlq


def lambda_event(queue_arn: str, messages: list[dict]) -> dict:
    """The event Lambda's SQS poller sends (AWS Lambda developer guide, "Using Lambda with Amazon SQS")."""
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m["Attributes"], "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": "us-east-1",
    } for m in messages]}


def drain(aws, queue: str) -> list[dict]:
    """Polls like Lambda until the queue is empty; returns every handler response."""
    handler, sqs, _ = aws
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    responses = []
    for _ in range(20):
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages", []
        )
        if not messages:
            return responses
        try:
            response = handler.handler(lambda_event(arn, messages), Context())
        except BatchProcessingError:  # every record failed: Lambda returns the whole batch
            response = {"batchItemFailures": [{"itemIdentifier": m["MessageId"]} for m in messages]}
        responses.append(response)
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=queue, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
            ])
    raise AssertionError("the queue never emptied")


def test_good_messages_are_stored_and_poison_ends_in_the_dead_letter_queue(aws, caplog) -> None:
    _, sqs, table = aws
    queue, dlq = make_queues(sqs, "orders")
    bodies = [json.dumps({"order_id": "o-1", "total": 9.5}), "not json", json.dumps(["a", "list"]),
              json.dumps({"order_id": "o-2"}), json.dumps({"no_id": True})]
    for body in bodies:
        sqs.send_message(QueueUrl=queue, MessageBody=body)

    responses = drain(aws, queue)

    assert {item["order_id"] for item in table.scan()["Items"]} == {"o-1", "o-2"}
    assert str(table.get_item(Key={"order_id": "o-1"})["Item"]["total"]) == "9.5"
    assert len(responses[0]["batchItemFailures"]) == 3
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in dead) == sorted([bodies[1], bodies[2], bodies[4]])
    reasons = [r.reason for r in caplog.records if r.getMessage() == "invalid message"]
    assert len(reasons) == 3 * MAX_RECEIVE_COUNT  # each poison message was tried until it moved
    assert "body is a JSON list, not an object" in reasons


def test_a_fifo_batch_stops_at_the_first_failure(aws) -> None:
    handler, _, table = aws
    arn = "arn:aws:sqs:us-east-1:123456789012:orders.fifo"
    messages = [
        {"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": body, "Attributes": {}, "MD5OfBody": "x"}
        for i, body in enumerate([json.dumps({"order_id": "f-1"}), "bad", json.dumps({"order_id": "f-2"})])
    ]
    response = handler.handler(lambda_event(arn, messages), Context())
    # f-2 comes after the failed message: it must not run before it, so it is returned too.
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}
    assert "Item" in table.get_item(Key={"order_id": "f-1"})
    assert "Item" not in table.get_item(Key={"order_id": "f-2"})
