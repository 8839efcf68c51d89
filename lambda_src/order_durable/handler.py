"""An order as one durable function: validate it, reserve its stock, charge it, ship it. When shipping fails, the
saga compensates (refunds the charge, releases the stock) and the execution fails with the reason.

Each step is checkpointed by the AWS Durable Execution SDK: after a crash, a timeout or a retry, the function is
replayed and every step that already finished returns its recorded result instead of running again. Steps retry
only what may succeed later (``shop.Unavailable``), with backoff; an error that would fail again fails at once.
The same process as a Step Functions workflow of four functions is the other half of the order demo.
"""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, StepError, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy

import shop

# Transient errors: three attempts, 2 s then 4 s apart (plus jitter). The wait between attempts is not billed.
RETRY_TRANSIENT = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(2), backoff_rate=2,
    retryable_error_types=[shop.Unavailable])))
# Validation is deterministic: an invalid order is invalid on every attempt.
NO_RETRY = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(max_attempts=1)))


class OrderNotShipped(RuntimeError):
    """Shipping failed; the payment was refunded and the stock released."""


@durable_step
def validate(step: StepContext, order: shop.Order) -> shop.Order:
    return shop.validate(order)


@durable_step
def reserve_stock(step: StepContext, order: shop.Order) -> str:
    return shop.reserve_stock(order)


@durable_step
def charge(step: StepContext, order: shop.Order) -> str:
    return shop.charge(order)


@durable_step
def ship(step: StepContext, order: shop.Order) -> str:
    return shop.ship(order)


@durable_step
def refund(step: StepContext, payment_id: str) -> str:
    return shop.refund(payment_id)


@durable_step
def release_stock(step: StepContext, reservation_id: str) -> str:
    return shop.release_stock(reservation_id)


@durable_execution
def handler(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
    order = context.step(validate(event), name="validate", config=NO_RETRY)
    reservation = context.step(reserve_stock(order), name="reserve-stock", config=RETRY_TRANSIENT)
    payment = context.step(charge(order), name="charge", config=RETRY_TRANSIENT)
    try:
        shipment = context.step(ship(order), name="ship", config=RETRY_TRANSIENT)
    except StepError as error:
        context.logger.warning("Shipping failed: compensating", extra={"order_id": order["order_id"]})
        refund_id = context.step(refund(payment), name="refund", config=RETRY_TRANSIENT)
        context.step(release_stock(reservation), name="release-stock", config=RETRY_TRANSIENT)
        raise OrderNotShipped(f"order {order['order_id']} not shipped ({error.message}); "
                              f"payment {payment} refunded ({refund_id}), stock released") from error
    return {"order_id": order["order_id"], "status": "shipped", "reservation": reservation, "payment": payment,
            "shipment": shipment}
