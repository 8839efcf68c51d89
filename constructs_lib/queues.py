"""Queues where failed events end: encrypted, SSL-only, kept 14 days (SQS's longest)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from . import nag


def failure_queue(scope: Construct, construct_id: str, *, fifo: bool = False) -> sqs.Queue:
    """A queue that is itself the last stop of failed events, so it has no dead-letter queue.

    ``fifo`` makes it a FIFO queue, as the dead-letter queue of a FIFO queue must be.
    """
    queue = sqs.Queue(
        scope,
        construct_id,
        fifo=fifo or None,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    for finding in ("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"):
        nag.acknowledge(queue, finding, "This queue is where failed events end: it needs no dead-letter queue.")
    return queue
