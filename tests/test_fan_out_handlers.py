"""FanOutDemo's handlers and FanOut's s3_records helper, with the events that SQS (raw delivery from SNS)
and SNS deliver: the catalog worker against moto's DynamoDB."""

from __future__ import annotations

import json
import sys

import boto3
import pytest

from constructs_lib.function.records_layer import SOURCE as RECORDS_LAYER_SOURCE
from tests.handlers import Context, load_handler, moto_aws, on_demand_table
from tests.helpers import ROOT

HANDLERS = ROOT / "lambda_src"
TABLE = "fan-out-catalog"  # moto keeps one state per process: a name no other test uses
S3_EVENT = {"Records": [{
    "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventTime": "2026-11-24T10:00:00.000Z",
    "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
    "requestParameters": {"sourceIPAddress": "192.0.2.1"},
    "s3": {"bucket": {"name": "uploads"}, "object": {"key": "incoming/price+list.csv", "size": 42, "eTag": "e1"}},
}]}
TEST_EVENT = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-24T10:00:00Z", "Bucket": "uploads"}


@pytest.fixture(scope="module", autouse=True)
def records_layer():
    """FanOut's layer, as Lambda adds /opt/python to the path."""
    sys.path.insert(0, str(RECORDS_LAYER_SOURCE / "python"))
    yield
    sys.path.remove(str(RECORDS_LAYER_SOURCE / "python"))


def message(message_id: str, body: object) -> dict:
    return {"messageId": message_id, "receiptHandle": "h", "body": body if isinstance(body, str) else json.dumps(body),
            "attributes": {}, "messageAttributes": {}, "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:111122223333:catalog", "awsRegion": "us-east-1"}


def test_s3_records_reads_raw_deliveries_and_skips_the_test_event() -> None:
    import s3_records

    batch = {"Records": [message("a", S3_EVENT), message("b", TEST_EVENT)]}
    assert [(m, r["s3"]["object"]["key"]) for m, r in s3_records.s3_records(batch)] == [
        ("a", "incoming/price+list.csv")]
    for body, why in (("{oops", "the body is not JSON"), ([1], "the body is not an S3 event"),
                      ({"Records": [{"x": 1}]}, "the body is not an S3 event"), ("", "the body is not JSON")):
        with pytest.raises(ValueError, match=f"message bad: {why}"):
            list(s3_records.records_of(message("bad", body)))


@pytest.fixture(scope="module")
def catalog():
    with moto_aws(TABLE_NAME=TABLE, POWERTOOLS_SERVICE_NAME="catalog"):
        on_demand_table(TABLE, "object_key")
        yield load_handler(HANDLERS / "catalog_worker" / "handler.py", "catalog_worker"), \
            boto3.resource("dynamodb").Table(TABLE)


def test_the_catalog_stores_each_object_and_reports_poison(catalog) -> None:
    handler, table = catalog
    response = handler.handler({"Records": [
        message("good", S3_EVENT), message("test", TEST_EVENT), message("poison", "{not json"),
        message("again", S3_EVENT),  # the same event twice writes the same item
    ]}, Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    item = table.get_item(Key={"object_key": "incoming/price list.csv"})["Item"]
    assert (item["bucket"], item["size"], item["etag"]) == ("uploads", 42, "e1")
    assert table.scan()["Count"] == 1


def test_the_audit_writes_a_line_per_upload(caplog) -> None:
    handler = load_handler(HANDLERS / "upload_audit" / "handler.py", "upload_audit")
    response = handler.handler({"Records": [message("good", S3_EVENT), message("poison", [1, 2])]}, Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    (upload,) = [r for r in caplog.records if r.getMessage() == "upload"]
    assert (upload.key, upload.size, upload.principal, upload.source_ip) == (
        "incoming/price list.csv", 42, "AWS:AIDAEXAMPLE", "192.0.2.1")
    assert [r.levelname for r in caplog.records if r.getMessage() == "not an S3 event"] == ["ERROR"]


def sns_event(message_text: str) -> dict:
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": {
        "Type": "Notification", "MessageId": "n-1", "TopicArn": "arn:aws:sns:us-east-1:111122223333:uploads",
        "Message": message_text, "Timestamp": "2026-11-24T10:00:00.000Z"}}]}


def test_the_notice_announces_uploads_and_raises_on_what_is_not_an_s3_event() -> None:
    handler = load_handler(HANDLERS / "upload_notice" / "handler.py", "upload_notice")
    assert handler.handler(sns_event(json.dumps(S3_EVENT)), Context()) == {"announced": 1}
    assert handler.handler(sns_event(json.dumps(TEST_EVENT)), Context()) == {"announced": 0}
    # Asynchronous: raising makes Lambda retry, then send the event to the on-failure queue with the error.
    with pytest.raises(ValueError, match="the message is not JSON"):
        handler.handler(sns_event("plain text"), Context())
    with pytest.raises(ValueError, match="the message is not an S3 event"):
        handler.handler(sns_event(json.dumps({"hello": "world"})), Context())
