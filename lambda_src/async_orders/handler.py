"""Confirms an order sent by an asynchronous invocation; fails on purpose for a marked order.

An event {"order_id": "...", "fail": true} raises: Lambda retries it (the function's retry
attempts), then hands it to the on-failure destination (and the DLQ) with the error. Any other
order is confirmed, and the returned result reaches the on-success destination.
"""

from aws_lambda_powertools import Logger

logger = Logger()


class OrderRejected(RuntimeError):
    """The order was marked to fail: it shows the asynchronous failure path."""


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    order_id = event.get("order_id")
    if not isinstance(order_id, str) or not order_id:
        logger.error("no order_id", extra={"event_keys": sorted(event)})
        raise OrderRejected("event has no string 'order_id'")
    if event.get("fail") is True:
        logger.error("order marked to fail", extra={"order_id": order_id})
        raise OrderRejected(f"order {order_id} was marked to fail")
    logger.info("order confirmed", extra={"order_id": order_id})
    return {"order_id": order_id, "status": "CONFIRMED"}
