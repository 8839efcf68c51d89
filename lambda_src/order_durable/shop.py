"""The services an order goes through: stock, payments, shipping. Simulated here, deterministically, so that the
demo runs without accounts at a payment provider or a carrier. Each call takes the order ID as its idempotency
key, as a real service's would: a step that runs again (a retry, or a replay after a crash between the call and
its checkpoint) reserves, charges or refunds once."""

from __future__ import annotations

from typing import Any

Order = dict[str, Any]
SHIPS_TO = frozenset({"DE", "ES", "FR", "GB", "IE", "IT", "NL", "US"})


class InvalidOrder(ValueError):
    """The order cannot be processed as given: retrying would not help."""


class Unavailable(RuntimeError):
    """A service did not answer this time (throttled, timed out, 5xx): the same call may succeed later."""


class ShippingRefused(RuntimeError):
    """The carrier will not ship this order: retrying would not help."""


def validate(order: Order) -> Order:
    """The order, checked: an ID, items with positive quantities, an amount in cents and a country."""
    items = order.get("items")
    if not isinstance(order.get("order_id"), str) or not order["order_id"]:
        raise InvalidOrder("order_id must be a non-empty string")
    if not isinstance(items, list) or not items or not all(
            isinstance(item, dict) and isinstance(item.get("sku"), str) and isinstance(item.get("quantity"), int)
            and item["quantity"] >= 1 for item in items):
        raise InvalidOrder("items must be a non-empty list of {sku, quantity >= 1}")
    if not isinstance(order.get("amount_cents"), int) or order["amount_cents"] <= 0:
        raise InvalidOrder("amount_cents must be a positive integer")
    if not isinstance(order.get("country"), str):
        raise InvalidOrder("country must be an ISO 3166 code")
    return {key: order[key] for key in ("order_id", "items", "amount_cents", "country")}


def reserve_stock(order: Order) -> str:
    return f"reservation-{order['order_id']}"


def release_stock(reservation_id: str) -> str:
    return f"released-{reservation_id}"


def charge(order: Order) -> str:
    return f"payment-{order['order_id']}"


def refund(payment_id: str) -> str:
    return f"refund-{payment_id}"


def ship(order: Order) -> str:
    if order["country"] not in SHIPS_TO:
        raise ShippingRefused(f"no carrier ships to {order['country']}")
    return f"shipment-{order['order_id']}"
