"""Keeps an audit trail of a table's changes: one audit item per DynamoDB stream record.

A change whose new image has an "amount" that is not a number is refused: the handler reports the
record in `batchItemFailures`, Lambda splits the batch and retries, and once the retries run out the
record's location goes to the consumer's on-failure queue; the shard moves on. Writing the same
record twice stores the same audit item (keyed by sequence number: idempotent).
Environment: AUDIT_TABLE.
"""

import os
from decimal import Decimal

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

logger = Logger()
audit = boto3.resource("dynamodb").Table(os.environ["AUDIT_TABLE"])
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


class InvalidChange(ValueError):
    """The change breaks the table's rules and is not audited as valid."""


def record_handler(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    new_image = change.new_image or {}
    if "amount" in new_image and not isinstance(new_image["amount"], Decimal):
        logger.error("invalid change", extra={"sequence_number": change.sequence_number, "keys": str(change.keys)})
        raise InvalidChange(f"amount {new_image['amount']!r} is not a number")
    audit.put_item(Item={
        "item_key": "#".join(f"{k}={v}" for k, v in sorted(change.keys.items())),
        "sequence_number": change.sequence_number,
        "event_name": record.event_name.name if record.event_name else "UNKNOWN",
        "approximate_time": change.approximate_creation_date_time,
    })
    logger.info("change audited", extra={"sequence_number": change.sequence_number})


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
