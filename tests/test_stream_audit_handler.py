"""The audit-trail consumer against moto's DynamoDB, fed the records of moto's DynamoDB stream."""

from __future__ import annotations

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.handlers import Context, load_handler, moto_aws
from tests.helpers import ROOT

ACCOUNTS, AUDIT = "accounts", "audit"


@pytest.fixture(scope="module")
def aws():
    with moto_aws(AUDIT_TABLE=AUDIT, POWERTOOLS_SERVICE_NAME="audit-trail"):
        dynamodb = boto3.client("dynamodb")
        stream_arn = dynamodb.create_table(
            TableName=ACCOUNTS, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "account_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "account_id", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]["LatestStreamArn"]
        dynamodb.create_table(
            TableName=AUDIT, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "item_key", "KeyType": "HASH"},
                       {"AttributeName": "sequence_number", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "item_key", "AttributeType": "S"},
                                  {"AttributeName": "sequence_number", "AttributeType": "S"}],
        )
        handler = load_handler(ROOT / "lambda_src" / "stream_audit" / "handler.py", "stream_audit_handler")
        resource = boto3.resource("dynamodb")
        yield handler, stream_arn, resource.Table(ACCOUNTS), resource.Table(AUDIT)


def stream_event(stream_arn: str) -> dict:
    """The event Lambda sends: the stream's records with their source ARN, times as epoch seconds."""
    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    for record in records:
        record["eventSourceARN"] = stream_arn
        created = record["dynamodb"].get("ApproximateCreationDateTime")
        if created is not None and not isinstance(created, (int, float)):
            record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    return {"Records": records}


def test_changes_are_audited_and_a_bad_one_is_reported(aws, caplog) -> None:
    handler, stream_arn, accounts, audit = aws
    accounts.put_item(Item={"account_id": "a-1", "amount": 10})
    accounts.update_item(
        Key={"account_id": "a-1"}, UpdateExpression="SET amount = :a", ExpressionAttributeValues={":a": 25}
    )
    accounts.put_item(Item={"account_id": "a-2", "amount": "lots"})
    accounts.delete_item(Key={"account_id": "a-1"})
    event = stream_event(stream_arn)
    assert [r["eventName"] for r in event["Records"]] == ["INSERT", "MODIFY", "INSERT", "REMOVE"]

    response = handler.handler(event, Context())

    bad = event["Records"][2]["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": bad}]}
    items = audit.scan()["Items"]
    assert sorted(i["event_name"] for i in items) == ["INSERT", "MODIFY", "REMOVE"]
    assert {i["item_key"] for i in items} == {"account_id=a-1"}
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == ["invalid change"]

    handler.handler(event, Context())  # a retried batch writes the same items again
    assert len(audit.scan()["Items"]) == 3


def test_a_batch_of_only_bad_changes_fails_the_invocation(aws) -> None:
    handler, stream_arn, _, _ = aws
    record = stream_event(stream_arn)["Records"][2]
    with pytest.raises(BatchProcessingError):
        handler.handler({"Records": [record]}, Context())
