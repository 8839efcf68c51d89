"""Where asynchronous events end when they fail every retry of a function: the function's own target, or
one queue per stack that every library function without a target of its own shares."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct, IConstruct

from ..core import findings
from ..core.stack_singletons import StackSingletons
from ..observability import alarms as alarm_kit
from ..resources.queues import failure_queue

CONSTRUCT_ID = "FailedEvents"
# The option a pattern whose trigger invokes synchronously sets itself (see invoked_synchronously).
SET_BY_SYNCHRONOUS_PATTERNS = ("no_failure_target",)


class FailedEvents(Construct):
    """The stack's queue of asynchronous events that failed every retry of a library function naming no
    ``on_failure`` or ``dead_letter_queue`` of its own: made once per stack, when the first such function is.

    Each message is Lambda's on-failure record: ``requestContext.functionArn`` names the function (and its
    qualifier), ``requestContext.condition`` why it failed, ``requestPayload`` the event. The queue is
    encrypted (SSE-SQS), SSL-only and keeps a message 14 days; its alarm fires when a message waits.

    Exposes ``queue`` and ``alarms`` (``not_empty``), which go to every ``alarm_topic`` a function using the
    queue names, and to ``route_alarms``.
    """

    def __init__(self, scope: Stack, construct_id: str = CONSTRUCT_ID) -> None:
        super().__init__(scope, construct_id)
        self.queue = failure_queue(self, "Queue")
        self.alarms: alarm_kit.Alarms = {
            "not_empty": alarm_kit.queue_not_empty(
                self, "NotEmptyAlarm", self.queue,
                "Asynchronous events failed every retry of a function of this stack",
            ),
        }
        self._topics: list[sns.ITopic] = []
        alarm_kit.warn_if_silent(self, scope)

    @classmethod
    def of(cls, scope: IConstruct, stack: Optional[Stack] = None) -> "FailedEvents":
        """The queue of `scope`'s stack (`stack`, when known), made on first need."""
        return _SINGLETONS.of(scope, stack)

    def notify(self, topic: Optional[sns.ITopic]) -> None:
        """Sends the queue's alarm to `topic` too (once however many functions name it)."""
        if topic is None or any(topic is known for known in self._topics):
            return
        self._topics.append(topic)
        alarm_kit.notify(self.alarms, topic)


def invoked_synchronously(function_options: Mapping[str, object], invoker: str, failures: str) -> Optional[str]:
    """For a pattern whose trigger invokes its function synchronously, its ``no_failure_target``: why no failure
    target is made (None when the options name one)."""
    if function_options.get("on_failure") is None and function_options.get("dead_letter_queue") is None:
        return findings.synchronously_invoked(invoker, failures)
    return None


def skip_async_permission_checks(
    permissions: Iterable[lambda_.CfnPermission], function: IConstruct, target: Optional[IConstruct], what: str,
) -> None:
    """cfn-lint-serverless asks each asynchronous invoker's permission for an EventInvokeConfig with a failure
    destination naming the function as the permission does; `target`, the function's own failure target (on
    the alias when there is one), keeps `what` fails every retry."""
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


_SINGLETONS = StackSingletons(FailedEvents, CONSTRUCT_ID, FailedEvents)
