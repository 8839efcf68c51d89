"""Queues where failed events end: encrypted, SSL-only, kept 14 days (SQS's longest)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..core import findings


def failure_queue(scope: Construct, construct_id: str, *, fifo: bool = False) -> sqs.Queue:
    """A queue that is itself the last stop of failed events, so it has no dead-letter queue.

    ``fifo`` makes it a FIFO queue, as the dead-letter queue of a FIFO queue must be. Its redrive-allow
    policy says it serves as a dead-letter queue (allowAll: SQS's default, stated).
    """
    queue = sqs.Queue(
        scope,
        construct_id,
        fifo=fifo or None,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
        redrive_allow_policy=sqs.RedriveAllowPolicy(redrive_permission=sqs.RedrivePermission.ALLOW_ALL),
    )
    last_stop = "This queue is where failed events end: it needs no dead-letter queue of its own."
    findings.acknowledge_each(queue, dict.fromkeys(("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"), last_stop))
    findings.skip_each(queue, [findings.Skip(last_stop, cfn_lint=("ES6000",)), SQS_MANAGED_ENCRYPTION],
                       new_resource=True)
    return queue


SQS_MANAGED_ENCRYPTION = findings.Skip(
    "Encrypted at rest with SQS-managed keys (SSE-SQS, AES-256); the check asks for a KMS key. For a customer managed "
    "key, give a queue encrypted with one.", checkov=("CKV_AWS_27",))


def skip_sqs_managed_encryption(queue: sqs.Queue, new_resource: bool = False) -> None:
    findings.skip_each(queue, [SQS_MANAGED_ENCRYPTION], new_resource=new_resource)
