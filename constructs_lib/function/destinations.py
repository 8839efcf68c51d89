"""Turns queues, topics, functions, buses and buckets into the destinations Lambda sends results to.

Interfaces are recognised by their ARN attribute, so imported resources (``Queue.from_queue_arn`` ...)
work like the ones a stack creates.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Union

from aws_cdk import Duration

from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from ..core.validation import Checks, is_unresolved, seconds_of

DestinationTarget = Union[sqs.IQueue, sns.ITopic, lambda_.IFunction, events.IEventBus]


# Each kind is recognised by its ARN attribute, tried in this order.
Kinds = tuple[tuple[str, Callable[[Any], Any]], ...]
ASYNC_DESTINATIONS: Kinds = (
    ("queue_arn", destinations.SqsDestination),
    ("topic_arn", destinations.SnsDestination),
    ("event_bus_arn", destinations.EventBridgeDestination),
    ("function_arn", destinations.LambdaDestination),
)
STREAM_FAILURE_DESTINATIONS: Kinds = (
    ("queue_arn", sources.SqsDlq),
    ("topic_arn", sources.SnsDlq),
    ("bucket_arn", sources.S3OnFailureDestination),
)


def as_destination(target: Any) -> Optional[lambda_.IDestination]:
    """The asynchronous-invocation destination for `target`, or None when it is none of the four kinds."""
    return _adapt(target, ASYNC_DESTINATIONS)


def as_stream_failure_destination(target: Any) -> Optional[lambda_.IEventSourceDlq]:
    """Where a stream mapping describes discarded batches: an SQS queue, SNS topic or S3 bucket, or None."""
    return _adapt(target, STREAM_FAILURE_DESTINATIONS)


def _adapt(target: Any, kinds: Kinds) -> Any:
    for attribute, make in kinds:
        if hasattr(target, attribute):
            return make(target)
    return None


def lambda_destinations(
    checks: Checks, **targets: Optional[DestinationTarget]
) -> dict[str, Optional[lambda_.IDestination]]:
    """Lambda's destinations for the targets given (an SQS queue, SNS topic, function or EventBridge bus)."""
    found: dict[str, Optional[lambda_.IDestination]] = {}
    for prop, target in targets.items():
        if target is not None:
            found[prop] = as_destination(target)
            checks.require(
                found[prop] is not None, prop, type(target).__name__,
                "must be an SQS queue, SNS topic, Lambda function or EventBridge bus",
            )
    return found


# Lambda's own asynchronous settings when a function has no EventInvokeConfig: two retries, events kept six hours
# (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
LAMBDA_DEFAULT_RETRY_ATTEMPTS = 2
LAMBDA_DEFAULT_MAX_EVENT_AGE_SECONDS = 6 * 3600


def asynchronous_settings(retry_attempts: int, max_event_age: Duration,
                          destinations: Mapping[str, Optional[lambda_.IDestination]]) -> dict[str, Any]:
    """The keyword options of a function or alias for its asynchronous invocations: none (and so no
    EventInvokeConfig resource) when they equal Lambda's defaults and name no destination."""
    defaults = (not destinations and not is_unresolved(retry_attempts)
                and retry_attempts == LAMBDA_DEFAULT_RETRY_ATTEMPTS
                and seconds_of(max_event_age) == LAMBDA_DEFAULT_MAX_EVENT_AGE_SECONDS)
    if defaults:
        return {}
    return {"retry_attempts": retry_attempts, "max_event_age": max_event_age, **destinations}
