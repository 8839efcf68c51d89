"""QueueWorker: SQS queue (+ dead-letter queue) -> event source mapping -> function."""

from __future__ import annotations

import math
from typing import Optional, Unpack

from aws_cdk import Annotations, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..core import findings
from ..core.jsii_types import cfn_resource
from ..core.profile import inherit_profile, is_regulated
from ..core.validation import Checks, is_unresolved, seconds_of
from ..function.concurrency_share import need_at_least
from ..function.failed_events import SET_BY_SYNCHRONOUS_PATTERNS, invoked_synchronously
from ..function.mapping_controls import (
    ProvisionedPollers, check_expected_events, check_provisioned_pollers, metrics_config, no_events_alarm,
    override_pollers, poller_config,
)
from ..function.options import QueueWorkerFunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit
from ..observability.stack_alarms import QUEUE_NOT_EMPTY, QUEUE_OLDEST_MESSAGE, StackAlarms
from ..resources.queues import failure_queue, skip_sqs_managed_encryption

# AWS: "set the source queue's visibility timeout to at least six times the function's timeout".
VISIBILITY_FACTOR = 6
SQS_DEFAULT_VISIBILITY_SECONDS = 30
SQS_MAX_VISIBILITY_SECONDS = 12 * 3600
FIFO_MAX_BATCH = 10
STANDARD_MAX_BATCH = 10_000
DEFAULT_TIMEOUT = Duration.seconds(30)
# An SQS mapping's ScalingConfig MaximumConcurrency: 2-1000 (AWS::Lambda::EventSourceMapping ScalingConfig).
MIN_MAXIMUM_CONCURRENCY, MAX_MAXIMUM_CONCURRENCY = 2, 1000


def _mapping_cap(function: lambda_.Function) -> Optional[int]:
    """Under the regulated profile, the mapping invokes the function no more often than its reserved concurrency
    allows: a throttled batch counts a receive, and after max_receive_count goes to the dead-letter queue unrun
    (Lambda developer guide, "Configuring maximum concurrency for Amazon SQS event sources")."""
    reserved = cfn_resource(function, lambda_.CfnFunction).reserved_concurrent_executions
    if reserved is None or (not is_unresolved(reserved) and reserved < MIN_MAXIMUM_CONCURRENCY):
        return None
    need_at_least(function, MIN_MAXIMUM_CONCURRENCY)  # a share: at least what ScalingConfig takes
    return int(min(reserved, MAX_MAXIMUM_CONCURRENCY)) if not is_unresolved(reserved) else int(reserved)


class QueueWorkerOptions(QueueWorkerFunctionOptions, total=False):
    """Every ``QueueWorker`` keyword option, its function's included: what ``FanOut.add_worker`` passes on, so
    that type checkers flag an unknown or mistyped one there too. Kept equal to QueueWorker's by a test."""

    queue: Optional[sqs.IQueue]
    fifo: bool
    dead_letter_queue: Optional[sqs.IQueue]
    batch_size: int
    max_batching_window: Optional[Duration]
    max_receive_count: int
    max_concurrency: Optional[int]
    visibility_timeout: Optional[Duration]
    report_batch_item_failures: bool
    provisioned_pollers: Optional[ProvisionedPollers]
    metrics: bool
    expect_events_within: Optional[Duration]


class QueueWorker(Construct):
    """A function that works through an SQS queue, reporting the messages it failed one by one.

    By default the construct creates the queue and its dead-letter queue (both encrypted with
    SQS-managed keys, SSL only, the dead-letter queue keeps messages 14 days). A message that fails
    ``max_receive_count`` times rests in the dead-letter queue. The mapping reports batch item
    failures, so one bad message does not make the whole batch run again.

    :param queue: an existing queue to work through, instead of a new one. Its visibility timeout,
        when known at synth time, must be at least 6 x the function timeout (+ the batching window).
        Its redrive policy is its owner's business.
    :param fifo: create FIFO queues (default False). With ``queue``, must agree with the queue's kind.
    :param dead_letter_queue: the dead-letter queue of the new queue (default: a new one of the same kind).
    :param batch_size: messages per invocation: 1-10 for FIFO, 1-10000 otherwise; above 10 needs
        ``max_batching_window`` (default 10).
    :param max_batching_window: how long to gather a batch, 0-300 s; not for FIFO (default none).
    :param max_receive_count: receives before a message moves to the dead-letter queue, 1-1000
        (default 3; below 3, throttled messages may reach it without ever running).
    :param max_concurrency: most concurrent invocations by this mapping, 2-1000 (default: no limit).
        Prefer it over reserved concurrency, which throttles and so burns receives.
    :param visibility_timeout: of the new queue (default 6 x function timeout + batching window).
    :param report_batch_item_failures: (default True) the handler returns ``batchItemFailures``.
    :param provisioned_pollers: ``(minimum, maximum)`` event pollers of SQS provisioned mode: minimum 2-200,
        maximum 2-10,000 (Lambda's ranges); billed per Event Poller Unit while provisioned. Not with
        ``max_concurrency`` (default none: Lambda scales its pollers itself).
    :param metrics: the mapping's EventCount metrics (polled, filtered, invoked, failed, deleted events), per
        mapping (default True).
    :param expect_events_within: alarm when the mapping polls no message for this long (whole minutes, up to a
        day; needs ``metrics``) (default none: a quiet queue is no alarm).
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option,
        ``deployment`` included (the mapping then targets the alias). Default timeout 30 s.

    Exposes ``queue``, ``dead_letter_queue`` (None for a given queue), ``function`` (the
    ServerlessFunction), ``event_source_mapping`` and ``alarms``: the function's own, and (with
    ``expect_events_within``) no message polled. The queue's oldest message older than 15 minutes and the
    dead-letter queue not empty are watched by the stack's alarms (`StackAlarms`, each queue a contributor), or
    with ``own_alarms=True`` by alarms of the worker's own (``oldest_message_too_old``,
    ``dead_letter_queue_not_empty``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue: Optional[sqs.IQueue] = None,
        fifo: bool = False,
        dead_letter_queue: Optional[sqs.IQueue] = None,
        batch_size: int = 10,
        max_batching_window: Optional[Duration] = None,
        max_receive_count: int = 3,
        max_concurrency: Optional[int] = None,
        visibility_timeout: Optional[Duration] = None,
        report_batch_item_failures: bool = True,
        provisioned_pollers: Optional[ProvisionedPollers] = None,
        metrics: bool = True,
        expect_events_within: Optional[Duration] = None,
        **function_options: Unpack[QueueWorkerFunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        inherit_profile(self, scope)
        check_function_options(self, function_options, QueueWorker.__init__, SET_BY_SYNCHRONOUS_PATTERNS,
                               invoked_without_tenant_id_by="An SQS event source mapping")
        function_timeout = seconds_of(function_options.setdefault("timeout", DEFAULT_TIMEOUT))
        window = seconds_of(max_batching_window) or 0
        needed_visibility = None if function_timeout is None else VISIBILITY_FACTOR * function_timeout + window

        checks = Checks(self, "QueueWorker")
        if queue is not None:
            checks.require(
                dead_letter_queue is None, "dead_letter_queue", "given",
                "applies only to a queue the construct creates: set the given queue's redrive policy instead",
            )
            checks.require(
                visibility_timeout is None, "visibility_timeout", visibility_timeout,
                "applies only to a queue the construct creates",
            )
            checks.require(
                is_unresolved(queue.fifo) or queue.fifo == fifo, "fifo", fifo,
                f"does not match the given queue, which is {'' if queue.fifo else 'not '}a FIFO queue",
            )
            _check_given_visibility(checks, queue, needed_visibility, function_timeout, window)
        elif dead_letter_queue is not None:
            checks.require(
                is_unresolved(dead_letter_queue.fifo) or dead_letter_queue.fifo == fifo, "dead_letter_queue",
                "given", f"must be {'a FIFO' if fifo else 'a standard (not FIFO)'} queue, like the queue",
            )
        _check_batching(checks, fifo, batch_size, max_batching_window)
        checks.within("max_receive_count", max_receive_count, 1, 1000)
        checks.within("max_concurrency", max_concurrency, 2, 1000)
        check_provisioned_pollers(checks, provisioned_pollers, max_concurrency)
        check_expected_events(checks, expect_events_within, metrics)
        if visibility_timeout is not None and needed_visibility is not None:
            given = seconds_of(visibility_timeout)
            checks.require(
                given is None or given >= needed_visibility, "visibility_timeout", visibility_timeout,
                _visibility_rule(needed_visibility, function_timeout, window),
            )
        checks.within(
            "visibility_timeout", visibility_timeout, 0, SQS_MAX_VISIBILITY_SECONDS, "seconds",
            seconds_of(visibility_timeout),
        )
        checks.raise_if_any()
        if not is_unresolved(max_receive_count) and max_receive_count < 3:
            Annotations.of(self).add_warning_v2(
                "constructs_lib:QueueWorker:maxReceiveCount",
                f"max_receive_count {max_receive_count}: a throttled message counts as received, so it may "
                "reach the dead-letter queue without running; 3 or more is safer",
            )

        self.dead_letter_queue: Optional[sqs.IQueue] = None
        if queue is None:
            self.dead_letter_queue = dead_letter_queue or failure_queue(self, "DeadLetterQueue", fifo=fifo)
            queue = sqs.Queue(
                self,
                "Queue",
                fifo=fifo or None,
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                visibility_timeout=visibility_timeout or _whole_seconds(needed_visibility),
                dead_letter_queue=sqs.DeadLetterQueue(
                    queue=self.dead_letter_queue, max_receive_count=max_receive_count
                ),
            )
            skip_sqs_managed_encryption(queue, new_resource=True)
        self.queue = queue
        failures = "messages that keep failing move to the queue's dead-letter queue (redrive policy)"
        function_options["no_failure_target"] = invoked_synchronously(
            function_options, "An event source mapping", failures
        )
        self.function = ServerlessFunction(self, "Function", **function_options)
        if max_concurrency is None and provisioned_pollers is None and is_regulated(self):
            max_concurrency = _mapping_cap(self.function.function)
        self.event_source_mapping = lambda_.EventSourceMapping(
            self,
            "EventSourceMapping",
            target=self.function.invoke_target,
            event_source_arn=queue.queue_arn,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            max_concurrency=max_concurrency,
            report_batch_item_failures=report_batch_item_failures,
            provisioned_poller_config=poller_config(provisioned_pollers),
            metrics_config=metrics_config(metrics),
        )
        override_pollers(self.event_source_mapping, provisioned_pollers)
        self._expect_events_within = expect_events_within
        self._own_alarms = bool(function_options.get("own_alarms", False))
        self._alarm_topic = function_options.get("alarm_topic")
        queue.grant_consume_messages(self.function.role)
        # The mapping polls with the role: it must exist with its permissions first.
        self.event_source_mapping.node.add_dependency(self.function.role)
        no_destination = f"SQS event source mappings take no on-failure destination: {failures}."
        findings.acknowledge(
            self.event_source_mapping, "Serverless-LambdaEventSourceMappingDestination", no_destination
        )
        findings.skip_each(self.event_source_mapping, [findings.Skip(no_destination, cfn_lint=("ES1001",))],
                           new_resource=True)
        self._stack, self._path = Stack.of(self), self.node.path
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, self._alarms)}
        alarm_kit.warn_if_silent(self, self._stack, self._path)

    def _alarms(self) -> alarm_kit.Alarms:
        """With ``own_alarms``, the queue's alarms are the worker's own; else its queues are contributors of the
        stack's alarms on a queue's oldest message and on a dead-letter queue not empty (`StackAlarms`)."""
        found: alarm_kit.Alarms = {}
        stack_alarms = None if self._own_alarms else StackAlarms.of(self, self._stack)
        if stack_alarms is None:
            found["oldest_message_too_old"] = alarm_kit.oldest_message_too_old(self, "OldestMessageAlarm", self.queue)
        else:
            stack_alarms.watch(QUEUE_OLDEST_MESSAGE, self.queue.queue_name, self._alarm_topic, self._path)
        if self._expect_events_within is not None:
            found["no_events"] = no_events_alarm(self, self.event_source_mapping, self._expect_events_within)
        if self.dead_letter_queue is not None and stack_alarms is None:
            found["dead_letter_queue_not_empty"] = alarm_kit.queue_not_empty(
                self, "DeadLetterQueueAlarm", self.dead_letter_queue, "Messages failed every receive"
            )
        elif self.dead_letter_queue is not None and stack_alarms is not None:
            stack_alarms.watch(QUEUE_NOT_EMPTY, self.dead_letter_queue.queue_name, self._alarm_topic, self._path)
        return found


def _check_batching(
    checks: Checks, fifo: bool, batch_size: int, window: Optional[Duration]
) -> None:
    checks.within("batch_size", batch_size, 1, FIFO_MAX_BATCH if fifo else STANDARD_MAX_BATCH)
    checks.within("max_batching_window", window, 0, 300, "seconds", seconds_of(window))
    if fifo:
        checks.require(window is None, "max_batching_window", window, "is not supported for FIFO queues")
    elif not is_unresolved(batch_size) and batch_size > FIFO_MAX_BATCH:
        checks.require(
            window is not None, "batch_size", batch_size,
            "above 10 needs a max_batching_window (Lambda's rule for standard queues)",
        )


def _check_given_visibility(
    checks: Checks, queue: sqs.IQueue, needed: Optional[float], timeout: Optional[float], window: float
) -> None:
    """A given queue's visibility timeout, when the template states it, must outlast the retries."""
    resource = queue.node.default_child
    if needed is None or not isinstance(resource, sqs.CfnQueue):
        return  # imported queues: unknown at synth time
    given = resource.visibility_timeout
    if is_unresolved(given):
        return
    given = SQS_DEFAULT_VISIBILITY_SECONDS if given is None else given
    checks.require(
        given >= needed, "queue", f"{queue.node.path} (visibility timeout {given:g} s)",
        _visibility_rule(needed, timeout, window),
    )


def _visibility_rule(needed: float, timeout: Optional[float], window: float) -> str:
    batching = f" + batching window ({window:g} s)" if window else ""
    return (
        f"is too short: the visibility timeout must be at least {VISIBILITY_FACTOR} x function timeout "
        f"({timeout:g} s){batching} = {needed:g} s"
    )


def _whole_seconds(seconds: Optional[float]) -> Optional[Duration]:
    return None if seconds is None else Duration.seconds(math.ceil(seconds))
