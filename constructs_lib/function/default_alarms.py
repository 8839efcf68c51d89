"""The alarms every ServerlessFunction has unless ``create_alarms=False``."""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..core.jsii_types import as_interface
from ..observability import alarms as alarm_kit


def default_alarms(
    scope: Construct, function: lambda_.Function, on_success: Any, on_failure: Any,
    dead_letter_queue: Optional[sqs.IQueue],
) -> alarm_kit.Alarms:
    """Errors and throttles; with destinations, failed deliveries; failure and dead-letter queues not empty."""
    period = alarm_kit.PERIOD
    found = {
        "errors": alarm_kit.any_of(scope, "ErrorsAlarm", function.metric_errors(period=period), "Function errors"),
        "throttles": alarm_kit.any_of(
            scope, "ThrottlesAlarm", function.metric_throttles(period=period), "Function throttles"
        ),
    }
    if on_success is not None or on_failure is not None:
        deliveries = function.metric("DestinationDeliveryFailures", period=period, statistic="Sum")
        found["destination_delivery_failures"] = alarm_kit.any_of(
            scope, "DestinationDeliveryFailuresAlarm", deliveries, "Asynchronous results not delivered"
        )
    if hasattr(on_failure, "queue_arn"):
        found["failure_queue_not_empty"] = alarm_kit.queue_not_empty(
            scope, "FailureQueueAlarm", as_interface(sqs.IQueue, on_failure),
            "Asynchronous events failed every retry",
        )
    if dead_letter_queue is not None:
        found["dead_letter_queue_not_empty"] = alarm_kit.queue_not_empty(
            scope, "DeadLetterQueueAlarm", dead_letter_queue, "Asynchronous events in the dead-letter queue"
        )
    return found
