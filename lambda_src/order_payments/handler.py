"""Charges an order, or refunds the charge (the compensation when shipping fails).

Event: {"action": "charge" | "refund", "order": <the validated order>}. PAYMENTS_TABLE (key "order_id") keeps one
payment per order, so both actions are idempotent: a retried charge does not charge twice, and a refund of a
refunded payment changes nothing. Charges above LIMIT_CENTS (default 100000) raise PaymentDeclined, as a card
network would.
"""

import os

import boto3
from aws_lambda_powertools import Logger, Tracer

logger = Logger()
tracer = Tracer()
table = boto3.resource("dynamodb").Table(os.environ["PAYMENTS_TABLE"])
LIMIT_CENTS = int(os.environ.get("LIMIT_CENTS", "100000"))


class PaymentDeclined(Exception):
    """The payment was refused: retrying does not help."""


def charge(order: dict) -> dict:
    if order["amount"] > LIMIT_CENTS:
        raise PaymentDeclined(f"{order['amount']} cents is above the limit of {LIMIT_CENTS}")
    try:
        table.put_item(Item={"order_id": order["order_id"], "amount": order["amount"], "status": "charged"},
                       ConditionExpression="attribute_not_exists(order_id)")
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        pass  # charged before: a retried step
    return {"payment_id": order["order_id"], "status": "charged", "amount": order["amount"]}


def refund(order: dict) -> dict:
    try:
        table.update_item(Key={"order_id": order["order_id"]}, UpdateExpression="SET #s = :refunded",
                          ConditionExpression="attribute_exists(order_id)",
                          ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":refunded": "refunded"})
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        return {"payment_id": order["order_id"], "status": "never charged"}
    return {"payment_id": order["order_id"], "status": "refunded", "amount": order["amount"]}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    action, order = event.get("action", "charge"), event["order"]
    result = refund(order) if action == "refund" else charge(order)
    logger.info(f"payment {action}", extra={"order_id": order["order_id"], "status": result["status"]})
    return result
