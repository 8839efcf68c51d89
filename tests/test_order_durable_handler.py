"""The order as one durable function, run offline by the AWS Durable Execution testing SDK (its local runner
checkpoints and replays as Lambda does, and skips the waits between retries): the happy path, a transient
payment error retried, and the compensation when shipping fails."""

from __future__ import annotations

import json
from types import ModuleType

import pytest

pytest.importorskip("aws_durable_execution_sdk_python_testing", reason="the durable SDKs are dev dependencies")

from aws_durable_execution_sdk_python.execution import InvocationStatus  # noqa: E402
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner  # noqa: E402

from tests.handlers import load_handler  # noqa: E402
from tests.helpers import ROOT  # noqa: E402

FOLDER = ROOT / "lambda_src" / "order_durable"
ORDER = {"order_id": "o-1", "items": [{"sku": "book-1", "quantity": 2}], "amount_cents": 2500, "country": "FR"}


@pytest.fixture(scope="module")
def shop() -> ModuleType:
    return load_handler(FOLDER / "shop.py", "shop")  # the handler imports it as Lambda would, from its folder


@pytest.fixture(scope="module")
def order_durable(shop: ModuleType) -> ModuleType:
    return load_handler(FOLDER / "handler.py", "order_durable_handler")


def run(module: ModuleType, order: dict):
    with DurableFunctionTestRunner(handler=module.handler) as runner:
        return runner.run(input=json.dumps(order), execution_timeout=30)


def step_names(result) -> list[str]:
    return [operation.name for operation in result.operations]


def test_an_order_is_validated_reserved_charged_and_shipped(order_durable) -> None:
    result = run(order_durable, ORDER)
    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result) == {"order_id": "o-1", "status": "shipped", "reservation": "reservation-o-1",
                                         "payment": "payment-o-1", "shipment": "shipment-o-1"}
    assert step_names(result) == ["validate", "reserve-stock", "charge", "ship"]
    assert [result.get_step(name).attempt for name in step_names(result)] == [1, 1, 1, 1]


def test_a_transient_payment_error_is_retried(order_durable, shop, monkeypatch) -> None:
    calls: list[str] = []

    def busy_once(order: dict) -> str:
        calls.append(order["order_id"])
        if len(calls) == 1:
            raise shop.Unavailable("payment provider answered 503")
        return f"payment-{order['order_id']}"

    monkeypatch.setattr(shop, "charge", busy_once)
    result = run(order_durable, ORDER)
    assert result.status is InvocationStatus.SUCCEEDED
    assert json.loads(result.result)["payment"] == "payment-o-1"
    assert calls == ["o-1", "o-1"]  # once failed, once charged: the checkpoint keeps replays from charging again
    assert result.get_step("charge").attempt == 2


def test_a_refused_shipment_refunds_the_payment_and_releases_the_stock(order_durable, shop, monkeypatch) -> None:
    refunded: list[str] = []
    monkeypatch.setattr(shop, "refund", lambda payment: refunded.append(payment) or f"refund-{payment}")
    result = run(order_durable, {**ORDER, "country": "AQ"})
    assert result.status is InvocationStatus.FAILED
    assert result.error.type.endswith("OrderNotShipped")  # module.class, as the SDK records it
    assert "payment payment-o-1 refunded (refund-payment-o-1), stock released" in result.error.message
    assert step_names(result) == ["validate", "reserve-stock", "charge", "ship", "refund", "release-stock"]
    assert result.get_step("ship").error.type == "shop.ShippingRefused"
    assert result.get_step("ship").attempt == 1  # a refusal is not retried
    assert result.get_step("release-stock").result == '"released-reservation-o-1"'
    assert refunded == ["payment-o-1"]


def test_an_invalid_order_fails_at_once_without_side_effects(order_durable) -> None:
    result = run(order_durable, {**ORDER, "items": []})
    assert result.status is InvocationStatus.FAILED
    assert "items must be a non-empty list" in result.error.message
    assert step_names(result) == ["validate"]
