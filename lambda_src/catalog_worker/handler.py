"""Keeps a catalog of the bucket's files: one item per object key (size, ETag, when), from FanOut's queue.

Each SQS message body is an S3 event (raw delivery through SNS); `s3_records` (FanOut's layer) reads them
and skips S3's test event. A message whose body is not an S3 event, or whose item could not be written, is
reported in `batchItemFailures`: SQS delivers it again and, after the queue's receives, keeps it in the
dead-letter queue. Writing the same event twice writes the same item. Environment: TABLE_NAME.
"""

import os
from urllib.parse import unquote_plus

import boto3
from aws_lambda_powertools import Logger
from s3_records import records_of

logger = Logger()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def catalog(record: dict) -> None:
    obj = record["s3"]["object"]
    key = unquote_plus(obj["key"])  # S3 events URL-encode keys ('+' for spaces)
    table.put_item(Item={
        "object_key": key, "bucket": record["s3"]["bucket"]["name"], "size": obj.get("size", 0),
        "etag": obj.get("eTag", ""), "event_time": record.get("eventTime", ""),
    })
    logger.info("catalogued", extra={"key": key, "size": obj.get("size", 0)})


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    failed = []
    for message in event.get("Records", []):
        try:
            for _, record in records_of(message):
                catalog(record)
        except Exception as error:  # noqa: BLE001 - this message is retried, the others are not
            logger.exception("message failed", extra={"message_id": message["messageId"], "error": str(error)})
            failed.append({"itemIdentifier": message["messageId"]})
    return {"batchItemFailures": failed}
