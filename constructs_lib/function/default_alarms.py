"""The alarms every ServerlessFunction has unless ``create_alarms=False``: by default it joins its stack's alarms
(`StackAlarms`: a few Metrics Insights alarms over every library function of the stack, each function a contributor);
with ``own_alarms=True``, alarms of its own."""

from __future__ import annotations

from typing import Optional

from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..observability import alarms as alarm_kit
from ..observability.stack_alarms import (
    DEAD_LETTER_ERRORS, DESTINATION_DELIVERY_FAILURES, FUNCTION_ERRORS, FUNCTION_THROTTLES, FleetMetric, StackAlarms,
)


def default_alarms(
    scope: Construct, function: lambda_.Function, *, stack: Stack, path: str, own: bool, topic: Optional[sns.ITopic],
    delivers: bool,
    failure_queue: Optional[sqs.IQueue], dead_letter_queue: Optional[sqs.IQueue], own_dead_letter_queue: bool,
) -> alarm_kit.Alarms:
    """Errors and throttles; with destinations (`delivers`), failed deliveries; with a dead-letter queue, failed
    writes to it: in the stack's alarms, or the function's `own`. The function's own failure and dead-letter queues
    (not the stack's FailedEvents queue, which has its alarm) not empty: alarms of the function. `path` is the
    function's (`scope`'s) construct path.

    Returns the function's own alarms."""
    watched: list[tuple[str, str, FleetMetric]] = [
        ("errors", "ErrorsAlarm", FUNCTION_ERRORS),
        ("throttles", "ThrottlesAlarm", FUNCTION_THROTTLES),
    ]
    if delivers:
        watched.append(("destination_delivery_failures", "DestinationDeliveryFailuresAlarm",
                        DESTINATION_DELIVERY_FAILURES))
    if dead_letter_queue is not None:
        watched.append(("dead_letter_errors", "DeadLetterErrorsAlarm", DEAD_LETTER_ERRORS))
    found: alarm_kit.Alarms = {}
    if own:
        period = alarm_kit.PERIOD
        for name, construct_id, metric in watched:
            found[name] = alarm_kit.any_of(
                scope, construct_id, function.metric(metric.metric, period=period, statistic="Sum"), metric.what)
    else:
        stack_alarms = StackAlarms.of(scope, stack)
        function_name = function.function_name
        for _, _, metric in watched:
            stack_alarms.watch(metric, function_name, topic, path)
    if failure_queue is not None:
        found["failure_queue_not_empty"] = alarm_kit.queue_not_empty(
            scope, "FailureQueueAlarm", failure_queue, "Asynchronous events failed every retry",
        )
    if dead_letter_queue is not None and own_dead_letter_queue:
        found["dead_letter_queue_not_empty"] = alarm_kit.queue_not_empty(
            scope, "DeadLetterQueueAlarm", dead_letter_queue, "Asynchronous events in the dead-letter queue"
        )
    return found
