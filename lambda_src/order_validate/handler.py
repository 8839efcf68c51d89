"""Checks an order and returns it, as {"order": ...}, in the shape the next steps read.

An order is {"order_id": str, "items": [{"sku": str, "quantity": int > 0}, ...], "amount": int cents > 0,
"address": {"country": "XX", ...}}. Anything else raises InvalidOrder: the workflow fails the order at once
(retrying cannot fix it).
"""

from aws_lambda_powertools import Logger, Tracer

logger = Logger()
tracer = Tracer()


class InvalidOrder(ValueError):
    """The order can never be processed as it is."""


def validated(order: object) -> dict:
    if not isinstance(order, dict):
        raise InvalidOrder(f"an order is a JSON object, not {type(order).__name__}")
    order_id, items, amount, address = (order.get(k) for k in ("order_id", "items", "amount", "address"))
    if not isinstance(order_id, str) or not order_id:
        raise InvalidOrder("no string 'order_id'")
    if not isinstance(items, list) or not items:
        raise InvalidOrder("no 'items'")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("sku"), str) or \
                not isinstance(item.get("quantity"), int) or item["quantity"] < 1:
            raise InvalidOrder(f"item {item!r} needs a string 'sku' and a 'quantity' of at least 1")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise InvalidOrder("'amount' must be a whole number of cents, at least 1")
    if not isinstance(address, dict) or not isinstance(address.get("country"), str):
        raise InvalidOrder("'address' needs a 'country'")
    return {"order_id": order_id, "items": [{"sku": i["sku"], "quantity": i["quantity"]} for i in items],
            "amount": amount, "address": address}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    order = validated(event)
    logger.info("order valid", extra={"order_id": order["order_id"], "items": len(order["items"])})
    return {"order": order}
