"""Stores each order message of an SQS batch in a table; reports the messages it could not use.

A message whose body is not a JSON object with a string "order_id" is reported in
`batchItemFailures`: SQS makes it visible again and, after the queue's max receive count, moves it
to the dead-letter queue. The other messages of the batch are stored and deleted as usual.
Writing the same message twice stores the same item (idempotent). Environment: TABLE_NAME.
"""

import json
import os
from decimal import Decimal

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

logger = Logger()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
standard_processor = BatchProcessor(event_type=EventType.SQS)
# In a FIFO queue, the messages after a failed one must not run before it: stop at the first failure.
fifo_processor = SqsFifoPartialProcessor()


class InvalidMessage(ValueError):
    """The message can never be processed as it is."""


def parse(body: str) -> dict:
    try:
        order = json.loads(body, parse_float=Decimal)  # DynamoDB takes no floats
    except json.JSONDecodeError as error:
        raise InvalidMessage(f"body is not JSON: {error}") from None
    if not isinstance(order, dict):
        raise InvalidMessage(f"body is a JSON {type(order).__name__}, not an object")
    if not isinstance(order.get("order_id"), str) or not order["order_id"]:
        raise InvalidMessage("body has no string 'order_id'")
    return order


def record_handler(record: SQSRecord) -> None:
    try:
        order = parse(record.body)
    except InvalidMessage as error:
        logger.error("invalid message", extra={"message_id": record.message_id, "reason": str(error)})
        raise
    table.put_item(Item={**order, "message_id": record.message_id})
    logger.info("order stored", extra={"order_id": order["order_id"], "message_id": record.message_id})


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    fifo = any(str(r.get("eventSourceARN", "")).endswith(".fifo") for r in event.get("Records", []))
    processor = fifo_processor if fifo else standard_processor
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
