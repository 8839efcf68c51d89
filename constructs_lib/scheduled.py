"""ScheduledFunction: an EventBridge rule (a schedule or an event pattern) -> function."""

from __future__ import annotations

from typing import Any, Optional, Union

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from . import alarms as alarm_kit
from . import findings
from .function import ServerlessFunction
from .queues import failure_queue, keep_failed_events
from .schedule_expression import problems_of
from .validation import Checks, is_unresolved, seconds_of


class ScheduledFunction(Construct):
    """A function that EventBridge invokes on a schedule or for matching events (the serverless cron job).

    The rule's target retries failed deliveries and keeps the events it could not deliver in a
    dead-letter queue. EventBridge invokes the function asynchronously, so the function's own
    ``retry_attempts``, ``max_event_age`` and destinations apply after delivery.

    :param schedule: when to run: ``events.Schedule.cron(...)``, ``events.Schedule.rate(...)`` or an
        expression string such as ``"rate(1 hour)"`` or ``"cron(0 12 ? * MON-FRI *)"`` (UTC).
        Checked as EventBridge would: six cron fields, exactly one of day-of-month and day-of-week
        '?', values in range, rates of at least one minute. Exclusive with ``event_pattern``.
    :param event_pattern: run for events that match this pattern (e.g. CodePipeline state changes).
    :param event_bus: the bus whose events ``event_pattern`` matches (default: the account's default bus).
    :param input: what the function receives (default: the event EventBridge sends).
    :param enabled: whether the rule is enabled (default True).
    :param target_retry_attempts: how often EventBridge retries a failed delivery, 0-185 (default 185).
    :param target_max_event_age: how long EventBridge keeps retrying, 60 s-24 h (default 24 h).
    :param target_dead_letter_queue: where undeliverable events go (default: a new encrypted queue).
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option,
        ``deployment`` included (the rule then targets the alias).

    Unless ``on_failure`` or ``dead_letter_queue`` is given, events that fail in the function after
    its retries go to a new queue, ``failures``.

    Exposes ``rule``, ``function`` (the ServerlessFunction), ``target_dead_letter_queue``,
    ``failures`` (None when the user gave a failure target) and ``alarms``: the function's, plus
    EventBridge FailedInvocations and the target dead-letter queue not empty.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        schedule: Optional[Union[events.Schedule, str]] = None,
        event_pattern: Optional[events.EventPattern] = None,
        event_bus: Optional[events.IEventBus] = None,
        input: Optional[events.RuleTargetInput] = None,
        enabled: bool = True,
        target_retry_attempts: int = 185,
        target_max_event_age: Duration = Duration.hours(24),
        target_dead_letter_queue: Optional[sqs.IQueue] = None,
        **function_options: Any,
    ) -> None:
        super().__init__(scope, construct_id)
        checks = Checks(self, "ScheduledFunction")
        checks.require(
            (schedule is None) != (event_pattern is None), "schedule", schedule,
            "and event_pattern: give exactly one of them",
        )
        checks.require(
            event_bus is None or event_pattern is not None, "event_bus", "given",
            "applies only to event_pattern: schedules always run on the default bus",
        )
        expression = schedule if isinstance(schedule, str) else getattr(schedule, "expression_string", None)
        if expression is not None and not is_unresolved(expression):
            for problem in problems_of(expression):
                checks.fail("schedule", expression, problem)
        checks.within("target_retry_attempts", target_retry_attempts, 0, 185)
        checks.within(
            "target_max_event_age", target_max_event_age, 60, 24 * 3600, "seconds",
            seconds_of(target_max_event_age),
        )
        checks.raise_if_any()

        # EventBridge invokes asynchronously: events that fail every retry are kept, not dropped.
        self.failures = keep_failed_events(self, function_options)
        self.function = ServerlessFunction(self, "Function", **function_options)
        self.target_dead_letter_queue = target_dead_letter_queue or failure_queue(self, "TargetDeadLetterQueue")
        self.rule = events.Rule(
            self,
            "Rule",
            schedule=events.Schedule.expression(schedule) if isinstance(schedule, str) else schedule,
            event_pattern=event_pattern,
            event_bus=event_bus,
            enabled=enabled,
            description=f"Invokes {self.function.node.path}",
        )
        self.rule.add_target(
            targets.LambdaFunction(
                self.function.invoke_target,
                event=input,
                dead_letter_queue=self.target_dead_letter_queue,
                retry_attempts=target_retry_attempts,
                max_event_age=target_max_event_age,
            )
        )
        self._skip_async_permission_check(function_options)
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, self._alarms)}
        alarm_kit.warn_if_silent(self)

    def _skip_async_permission_check(self, function_options: dict) -> None:
        """EventBridge invokes asynchronously; the function's EventInvokeConfig (or its dead-letter queue)
        keeps what fails every retry."""
        target = function_options.get("on_failure") or function_options.get("dead_letter_queue")
        for permission in self.rule.node.find_all():
            if isinstance(permission, lambda_.CfnPermission):
                findings.skip(
                    permission,
                    f"Events that fail every retry of {self.function.node.path} go to {target.node.path} "
                    "(its EventInvokeConfig's on-failure destination, or its dead-letter queue); the rule only "
                    "matches a config naming the function as this permission does.",
                    cfn_lint=["ES1007"],
                )

    def _alarms(self) -> alarm_kit.Alarms:
        failed = cloudwatch.Metric(
            namespace="AWS/Events", metric_name="FailedInvocations", dimensions_map={"RuleName": self.rule.rule_name},
            period=alarm_kit.PERIOD, statistic="Sum",
        )
        return {
            "failed_invocations": alarm_kit.any_of(self, "FailedInvocationsAlarm", failed, "EventBridge could not invoke"),
            "target_dead_letter_queue_not_empty": alarm_kit.queue_not_empty(
                self, "TargetDeadLetterQueueAlarm", self.target_dead_letter_queue, "Events EventBridge gave up on"
            ),
        }
