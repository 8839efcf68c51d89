"""The asynchronous demo's handler: confirms orders, fails on purpose for a marked one."""

from __future__ import annotations

import pytest

from tests.handlers import Context, load_handler
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def orders():
    return load_handler(ROOT / "lambda_src" / "async_orders" / "handler.py", "async_orders_handler")


def test_an_order_is_confirmed(orders) -> None:
    assert orders.handler({"order_id": "o-1"}, Context()) == {"order_id": "o-1", "status": "CONFIRMED"}


@pytest.mark.parametrize("event, message", [
    ({"order_id": "o-2", "fail": True}, "order o-2 was marked to fail"),
    ({"fail": False}, "event has no string 'order_id'"),
    ({"order_id": ["o-3"]}, "event has no string 'order_id'"),
])
def test_a_marked_or_broken_event_raises_and_is_logged(orders, caplog, event, message) -> None:
    with pytest.raises(orders.OrderRejected, match=message):
        orders.handler(event, Context())
    assert [r.levelname for r in caplog.records] == ["ERROR"]
