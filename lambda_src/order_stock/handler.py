"""Reserves an order's stock, or releases it again (the compensation when a later step fails).

Event: {"action": "reserve" | "release", "order": <the validated order>}. One table (STOCK_TABLE, key "pk")
holds "stock#<sku>" items with "available" and "reservation#<order_id>" items. Both actions run in one
DynamoDB transaction and are idempotent: reserving twice, or releasing what is not reserved, changes nothing.
Reserving more than is available raises OutOfStock.
"""

import os

import boto3
from aws_lambda_powertools import Logger, Tracer

logger = Logger()
tracer = Tracer()
TABLE = os.environ["STOCK_TABLE"]
dynamodb = boto3.client("dynamodb")


class OutOfStock(Exception):
    """Some item has less stock than ordered."""


def _reservation(order_id: str) -> dict:
    return {"pk": {"S": f"reservation#{order_id}"}}


def _stock_update(sku: str, change: int, condition: str = "") -> dict:
    update = {"TableName": TABLE, "Key": {"pk": {"S": f"stock#{sku}"}},
              "UpdateExpression": "ADD available :change",
              "ExpressionAttributeValues": {":change": {"N": str(change)}}}
    if condition:
        update["ConditionExpression"] = condition
        update["ExpressionAttributeValues"][":needed"] = {"N": str(-change)}
    return {"Update": update}


def reserve(order: dict) -> dict:
    writes = [{"Put": {"TableName": TABLE, "Item": _reservation(order["order_id"]),
                       "ConditionExpression": "attribute_not_exists(pk)"}}]
    writes += [_stock_update(i["sku"], -i["quantity"], "available >= :needed") for i in order["items"]]
    try:
        dynamodb.transact_write_items(TransactItems=writes)
    except dynamodb.exceptions.TransactionCanceledException as error:
        reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            return {"reserved": True, "again": True}  # reserved before: a retried step
        raise OutOfStock(f"not enough stock for order {order['order_id']}") from None
    return {"reserved": True}


def release(order: dict) -> dict:
    writes = [{"Delete": {"TableName": TABLE, "Key": _reservation(order["order_id"]),
                          "ConditionExpression": "attribute_exists(pk)"}}]
    writes += [_stock_update(i["sku"], i["quantity"]) for i in order["items"]]
    try:
        dynamodb.transact_write_items(TransactItems=writes)
    except dynamodb.exceptions.TransactionCanceledException:
        return {"released": False}  # nothing reserved, or released before
    return {"released": True}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    action, order = event.get("action", "reserve"), event["order"]
    result = release(order) if action == "release" else reserve(order)
    logger.info(f"stock {action}", extra={"order_id": order["order_id"], **result})
    return result
