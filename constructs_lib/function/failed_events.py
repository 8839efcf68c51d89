"""Where the events of an asynchronous invoker end when they fail every retry of a function."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..core import findings
from ..resources.queues import failure_queue
from .options import FunctionOptions


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
