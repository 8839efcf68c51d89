"""Reads a product from DynamoDB. The function runs in an isolated VPC: the request goes through the
VPC's DynamoDB gateway endpoint, since there is no route to the internet.

Event: {"product_id": "..."}. Answer: {"found": true, "item": {...}} or {"found": false}; an event
without a string product_id is answered {"error": ...} and logged. Environment: TABLE_NAME.
"""

import os

import boto3
from aws_lambda_powertools import Logger

logger = Logger()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    product_id = event.get("product_id")
    if not isinstance(product_id, str) or not product_id:
        logger.warning("no product_id", extra={"event_keys": sorted(event)})
        return {"error": "the event needs a string 'product_id'"}
    item = table.get_item(Key={"product_id": product_id}).get("Item")
    logger.info("product read", extra={"product_id": product_id, "found": item is not None})
    if item is None:
        return {"found": False}
    return {"found": True, "item": {key: str(value) for key, value in item.items()}}
