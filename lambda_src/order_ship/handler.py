"""Books the shipment of an order: returns its tracking id.

Raises ShipmentFailed for a country the carrier does not serve (SHIPS_TO, comma-separated country codes): the
workflow then refunds the payment and releases the stock.
"""

import os

from aws_lambda_powertools import Logger, Tracer

logger = Logger()
tracer = Tracer()
SHIPS_TO = {code.strip() for code in os.environ.get("SHIPS_TO", "US,CA,GB,FR,DE").split(",") if code.strip()}


class ShipmentFailed(Exception):
    """The carrier cannot take the order."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    order = event["order"]
    country = order["address"]["country"]
    if country not in SHIPS_TO:
        raise ShipmentFailed(f"no carrier ships to {country}")
    tracking_id = f"TRK-{order['order_id']}"
    logger.info("shipment booked", extra={"order_id": order["order_id"], "tracking_id": tracking_id})
    return {"tracking_id": tracking_id, "country": country}
