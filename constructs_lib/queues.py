"""Queues where failed events end: encrypted, SSL-only, kept 14 days (SQS's longest)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from . import findings
from .function_options import FunctionOptions


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
    for finding in ("AwsSolutions-SQS3", "Serverless-SQSRedrivePolicy"):
        findings.acknowledge(queue, finding, last_stop)
    findings.skip(queue, last_stop, cfn_lint=["ES6000"])
    skip_sqs_managed_encryption(queue)
    return queue


def keep_failed_events(scope: Construct, function_options: FunctionOptions) -> Optional[sqs.Queue]:
    """For a function invoked asynchronously: unless the options name an on_failure destination or a
    dead-letter queue, events that fail every retry go to a new queue, `Failures`, which is returned."""
    if function_options.get("on_failure") is not None or function_options.get("dead_letter_queue") is not None:
        return None
    failures = failure_queue(scope, "Failures")
    function_options["on_failure"] = failures
    return failures


def skip_async_permission_checks(
    permissions: Iterable[lambda_.CfnPermission], function: Construct, function_options: Mapping[str, Any], what: str,
) -> None:
    """cfn-lint-serverless asks each asynchronous invoker's permission for an EventInvokeConfig with a failure
    destination naming the function as the permission does; the function's own (on the alias when there is
    one) or its dead-letter queue keeps `what` fails every retry (see ``keep_failed_events``)."""
    target = function_options.get("on_failure") or function_options.get("dead_letter_queue")
    if target is None:
        return  # nothing keeps them: the finding stands
    for permission in permissions:
        findings.skip(
            permission,
            f"{what} that fail every retry of {function.node.path} go to {target.node.path} (its "
            "EventInvokeConfig's on-failure destination, or its dead-letter queue); the rule only matches a "
            "config naming the function as this permission does.",
            cfn_lint=["ES1007"],
        )


def skip_sqs_managed_encryption(queue: sqs.Queue) -> None:
    findings.skip(
        queue,
        "Encrypted at rest with SQS-managed keys (SSE-SQS, AES-256); the check asks for a KMS key. For a "
        "customer managed key, give a queue encrypted with one.",
        checkov=["CKV_AWS_27"],
    )
