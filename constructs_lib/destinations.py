"""Turns queues, topics, functions, buses and buckets into the destinations Lambda sends results to.

Interfaces are recognised by their ARN attribute, so imported resources (``Queue.from_queue_arn`` ...)
work like the ones a stack creates.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

DestinationTarget = Union[sqs.IQueue, sns.ITopic, lambda_.IFunction, events.IEventBus]


def as_destination(target: Any) -> Optional[lambda_.IDestination]:
    """The asynchronous-invocation destination for `target`, or None when it is none of the four kinds."""
    if hasattr(target, "queue_arn"):
        return destinations.SqsDestination(target)
    if hasattr(target, "topic_arn"):
        return destinations.SnsDestination(target)
    if hasattr(target, "event_bus_arn"):
        return destinations.EventBridgeDestination(target)
    if hasattr(target, "function_arn"):
        return destinations.LambdaDestination(target)
    return None


def as_stream_failure_destination(target: Any) -> Optional[lambda_.IEventSourceDlq]:
    """Where a stream mapping describes discarded batches: an SQS queue, SNS topic or S3 bucket, or None."""
    if hasattr(target, "queue_arn"):
        return sources.SqsDlq(target)
    if hasattr(target, "topic_arn"):
        return sources.SnsDlq(target)
    if hasattr(target, "bucket_arn"):
        return sources.S3OnFailureDestination(target)
    return None
