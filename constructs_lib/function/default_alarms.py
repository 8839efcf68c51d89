"""The alarms every ServerlessFunction has unless ``create_alarms=False``."""

from __future__ import annotations

from typing import Optional

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..observability import alarms as alarm_kit


def default_alarms(
    scope: Construct, function: lambda_.Function, *, delivers: bool, failure_queue: Optional[sqs.IQueue],
    dead_letter_queue: Optional[sqs.IQueue],
) -> alarm_kit.Alarms:
    """Errors and throttles; with destinations (`delivers`), failed deliveries; with a dead-letter queue, failed
    writes to it; the function's own failure and dead-letter queues not empty."""
    period = alarm_kit.PERIOD
    found = {
        "errors": alarm_kit.any_of(scope, "ErrorsAlarm", function.metric_errors(period=period), "Function errors"),
        "throttles": alarm_kit.any_of(
            scope, "ThrottlesAlarm", function.metric_throttles(period=period), "Function throttles"
        ),
    }
    if delivers:
        deliveries = function.metric("DestinationDeliveryFailures", period=period, statistic="Sum")
        found["destination_delivery_failures"] = alarm_kit.any_of(
            scope, "DestinationDeliveryFailuresAlarm", deliveries, "Asynchronous results not delivered"
        )
    if failure_queue is not None:
        found["failure_queue_not_empty"] = alarm_kit.queue_not_empty(
            scope, "FailureQueueAlarm", failure_queue,
            "Asynchronous events failed every retry",
        )
    if dead_letter_queue is not None:
        # DeadLetterErrors counts events Lambda could not write to the queue (its policy, its key): lost events
        # that no queue shows (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
        dead_letter_errors = function.metric("DeadLetterErrors", period=period, statistic="Sum")
        found["dead_letter_errors"] = alarm_kit.any_of(
            scope, "DeadLetterErrorsAlarm", dead_letter_errors, "Asynchronous events not written to the dead-letter queue"
        )
        found["dead_letter_queue_not_empty"] = alarm_kit.queue_not_empty(
            scope, "DeadLetterQueueAlarm", dead_letter_queue, "Asynchronous events in the dead-letter queue"
        )
    return found
