"""ScheduledFunction: an EventBridge rule (a schedule or an event pattern) or an EventBridge Scheduler
schedule -> function."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import partial
from typing import Any, Literal, Optional, Union, Unpack, get_args

from aws_cdk import Duration, TimeZone
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ...core.jsii_types import as_interface
from ...core.validation import Checks, is_unresolved, seconds_of
from ...function.failed_events import skip_async_permission_checks
from ...function.options import FunctionOptions
from ...function.pattern_options import check_function_options
from ...function.serverless_function import ServerlessFunction
from ...observability import alarms as alarm_kit
from ...observability.rule_metrics import rule_metric
from ...resources.queues import failure_queue
from . import scheduler as scheduler_mode
from .expression import problems_of

Via = Literal["rule", "scheduler"]
MODES: tuple[Via, ...] = get_args(Via)
SCHEDULER_ONLY = ("at", "time_zone", "flexible_window", "start_date", "end_date")


class ScheduledFunction(Construct):
    """A function run on a schedule or for matching events (the serverless cron job).

    ``via`` picks the service that invokes it:

    - ``"rule"`` (default): an EventBridge rule on a bus, for a schedule in UTC or an event pattern.
    - ``"scheduler"``: EventBridge Scheduler, for schedules only, with what rules lack: a time zone
      (daylight saving followed), one-off runs (``at``), a flexible window, start and end dates, and
      a million schedules a Region where a bus holds 300 rules. Its schedule sits in a group of its own,
      invoked through a role that may invoke only this function (its alias when there is one) and write
      only to the target dead-letter queue.

    Either way, failed deliveries are retried and what is never delivered is kept in a dead-letter queue.
    The function is invoked asynchronously, so its own ``retry_attempts``, ``max_event_age`` and
    destinations apply after delivery.

    :param schedule: when to run: ``events.Schedule.cron(...)``, ``events.Schedule.rate(...)`` or an
        expression string such as ``"rate(1 hour)"`` or ``"cron(0 12 ? * MON-FRI *)"`` (with ``via=
        "scheduler"``, a ``scheduler.ScheduleExpression`` too). Checked as EventBridge would: six cron
        fields, exactly one of day-of-month and day-of-week '?', values in range, rates of at least one
        minute. A rule's schedule is in UTC; a Scheduler's in ``time_zone``.
    :param event_pattern: run for events that match this pattern (e.g. CodePipeline state changes); rule only.
    :param event_bus: the bus whose events ``event_pattern`` matches (default: the account's default bus).
    :param input: what the function receives: an ``events.RuleTargetInput`` (default: the event EventBridge
        sends), or with ``via="scheduler"`` a ``scheduler.ScheduleTargetInput`` (default: ``schedule_arn``,
        ``scheduled_time``, ``execution_id`` and ``attempt_number`` of the invocation, as JSON).
    :param enabled: whether the rule or schedule is enabled (default True).
    :param target_retry_attempts: how often a failed delivery is retried, 0-185 (default 185).
    :param target_max_event_age: how long retries go on, 60 s-24 h (default 24 h).
    :param target_dead_letter_queue: where undeliverable events go (default: a new encrypted queue).
    :param via: ``"rule"`` (default) or ``"scheduler"``; the five parameters below need ``"scheduler"``.
    :param time_zone: the IANA time zone name (or ``aws_cdk.TimeZone``) of ``schedule`` (default UTC).
    :param flexible_window: run at any time this long after the scheduled time (1-1440 whole minutes),
        to spread invocations (default: run on time).
    :param start_date: a time zone aware datetime before which a recurring schedule does not run.
    :param end_date: a time zone aware datetime after which a recurring schedule stops; after ``start_date``.
    :param at: run once at this time zone aware datetime, instead of ``schedule``; it must be in the future
        at synth time: once it has run, remove it.
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option,
        ``deployment`` and ``snap_start`` included (the rule or schedule then invokes the alias).

    Unless ``on_failure`` or ``dead_letter_queue`` is given, events that fail in the function after
    its retries go to the stack's `FailedEvents` queue, ``failures``.

    Exposes ``rule`` (rule mode) or ``schedule`` (the ``scheduler.Schedule``), ``schedule_group`` and
    ``scheduler_role`` (scheduler mode), ``function`` (the ServerlessFunction), ``target_dead_letter_queue``,
    ``failures`` (the stack's FailedEvents queue; None when the options named a failure target) and ``alarms``: the function's, plus
    ``failed_invocations`` (EventBridge FailedInvocations, or Scheduler TargetErrorCount),
    ``target_dead_letter_queue_not_empty`` and, with Scheduler, ``dead_letter_delivery_failures``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        schedule: Optional[Union[events.Schedule, scheduler.ScheduleExpression, str]] = None,
        event_pattern: Optional[events.EventPattern] = None,
        event_bus: Optional[events.IEventBus] = None,
        input: Optional[Union[events.RuleTargetInput, scheduler.ScheduleTargetInput]] = None,
        enabled: bool = True,
        target_retry_attempts: int = 185,
        target_max_event_age: Duration = Duration.hours(24),
        target_dead_letter_queue: Optional[sqs.IQueue] = None,
        via: Via = "rule",
        time_zone: Optional[Union[str, TimeZone]] = None,
        flexible_window: Optional[Duration] = None,
        start_date: Optional[datetime] = None,
        end_date: Optional[datetime] = None,
        at: Optional[datetime] = None,
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, ScheduledFunction.__init__,
                               invoked_without_tenant_id_by="EventBridge")
        checks = Checks(self, "ScheduledFunction")
        scheduler_options: dict[str, Any] = {"at": at, "time_zone": time_zone, "flexible_window": flexible_window,
                             "start_date": start_date, "end_date": end_date}
        # What else applies depends on via: an unknown one gets its message alone, no knock-on ones.
        if checks.one_of("via", via, MODES) and via == "scheduler":
            _check_scheduler(checks, schedule, event_pattern, event_bus, input, scheduler_options)
            checks.require(
                target_dead_letter_queue is None or not target_dead_letter_queue.fifo, "target_dead_letter_queue",
                "a FIFO queue", "cannot be: EventBridge Scheduler delivers dead-letter events to standard queues only",
            )
        elif via == "rule":
            _check_rule(checks, schedule, event_pattern, event_bus, input, scheduler_options)
        expression = scheduler_mode.expression_of(schedule)
        if expression is not None and not is_unresolved(expression):
            for problem in problems_of(expression):
                checks.fail("schedule", expression, problem)
        checks.within("target_retry_attempts", target_retry_attempts, 0, 185)
        checks.within(
            "target_max_event_age", target_max_event_age, 60, 24 * 3600, "seconds",
            seconds_of(target_max_event_age),
        )
        checks.raise_if_any()

        # EventBridge invokes asynchronously: events that fail every retry are kept (by default in the stack's
        # FailedEvents queue), not dropped.
        self.function = ServerlessFunction(self, "Function", **function_options)
        self.failures = self.function.failed_events.queue if self.function.failed_events else None
        self.target_dead_letter_queue = target_dead_letter_queue or failure_queue(self, "TargetDeadLetterQueue")
        self.rule: Optional[events.Rule] = None
        self.schedule: Optional[scheduler.Schedule] = None
        self.schedule_group: Optional[scheduler.ScheduleGroup] = None
        self.scheduler_role: Optional[iam.Role] = None
        if via == "scheduler":
            if at is not None:
                expression = scheduler_mode.at_expression(at)
            else:
                assert schedule is not None  # exactly one of them, checked above
                expression = scheduler_mode.recurring_expression(schedule, scheduler_mode.name_of(time_zone))
            made = scheduler_mode.FunctionSchedule(
                self,
                "Scheduler",
                target=self.function.invoke_target,
                expression=expression,
                dead_letter_queue=self.target_dead_letter_queue,
                retry_attempts=target_retry_attempts,
                max_event_age=target_max_event_age,
                input=input if isinstance(input, scheduler.ScheduleTargetInput) else None,  # checked above
                enabled=enabled,
                flexible_window=flexible_window,
                start_date=start_date,
                end_date=end_date,
                description=f"Invokes {self.function.node.path}",
            )
            self.schedule, self.schedule_group, self.scheduler_role = made.schedule, made.group, made.role
            make_alarms = partial(made.alarms, self.target_dead_letter_queue)
        else:
            rule_input = input if isinstance(input, events.RuleTargetInput) else None  # checked above
            self.rule = self._rule(schedule, event_pattern, event_bus, rule_input, enabled,
                                   target_retry_attempts, target_max_event_age)
            skip_async_permission_checks(
                [c for c in self.rule.node.find_all() if isinstance(c, lambda_.CfnPermission)],
                self.function, self.function.failure_target, "Events",
            )
            make_alarms = self._rule_alarms
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, make_alarms)}
        alarm_kit.warn_if_silent(self)

    def _rule(
        self, schedule: Any, event_pattern: Optional[events.EventPattern], event_bus: Optional[events.IEventBus],
        input: Optional[events.RuleTargetInput], enabled: bool, retry_attempts: int, max_event_age: Duration,
    ) -> events.Rule:
        rule = events.Rule(
            self,
            "Rule",
            schedule=events.Schedule.expression(schedule) if isinstance(schedule, str) else schedule,
            event_pattern=event_pattern,
            event_bus=event_bus,
            enabled=enabled,
            description=f"Invokes {self.function.node.path}",
        )
        rule.add_target(as_interface(events.IRuleTarget, targets.LambdaFunction(
            self.function.invoke_target,
            event=input,
            dead_letter_queue=self.target_dead_letter_queue,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age,
        )))
        return rule

    def _rule_alarms(self) -> alarm_kit.Alarms:
        assert self.rule is not None
        failed = rule_metric(self.rule, "FailedInvocations", period=alarm_kit.PERIOD, statistic="Sum")
        return {
            "failed_invocations": alarm_kit.any_of(
                self, "FailedInvocationsAlarm", failed, "EventBridge could not invoke"
            ),
            "target_dead_letter_queue_not_empty": alarm_kit.queue_not_empty(
                self, "TargetDeadLetterQueueAlarm", self.target_dead_letter_queue, "Events EventBridge gave up on"
            ),
        }


def _check_rule(
    checks: Checks, schedule: Any, event_pattern: Any, event_bus: Any, input: Any, scheduler_options: dict[str, Any],
) -> None:
    checks.require(
        (schedule is None) != (event_pattern is None), "schedule", schedule,
        "and event_pattern: give exactly one of them",
    )
    checks.require(
        event_bus is None or event_pattern is not None, "event_bus", "given",
        "applies only to event_pattern: schedules always run on the default bus",
    )
    checks.require(
        not isinstance(schedule, scheduler.ScheduleExpression), "schedule", "a scheduler.ScheduleExpression",
        "needs via='scheduler' (a rule takes events.Schedule or an expression string)",
    )
    checks.require(
        input is None or isinstance(input, events.RuleTargetInput), "input", type(input).__name__,
        "must be an events.RuleTargetInput for a rule",
    )
    for prop, value in scheduler_options.items():
        checks.require(value is None, prop, value, "needs via='scheduler': EventBridge rules have no such option")


def _check_scheduler(
    checks: Checks, schedule: Any, event_pattern: Any, event_bus: Any, input: Any, scheduler_options: dict[str, Any],
) -> None:
    at = scheduler_options["at"]
    checks.require(
        (schedule is None) != (at is None), "schedule", schedule, "and at: give exactly one of them",
    )
    for prop, value in (("event_pattern", event_pattern), ("event_bus", event_bus)):
        checks.require(value is None, prop, "given", "needs via='rule': EventBridge Scheduler runs schedules only")
    checks.require(
        input is None or isinstance(input, scheduler.ScheduleTargetInput), "input", type(input).__name__,
        "must be a scheduler.ScheduleTargetInput with via='scheduler'",
    )
    if at is not None:
        for prop in ("time_zone", "start_date", "end_date"):
            checks.require(
                scheduler_options[prop] is None, prop, scheduler_options[prop],
                "does not apply to a one-time schedule: at is an instant, and Scheduler ignores start and end dates",
            )
    scheduler_mode.check_time_zone(checks, scheduler_mode.name_of(scheduler_options["time_zone"]))
    scheduler_mode.check_window(checks, scheduler_options["flexible_window"])
    scheduler_mode.check_dates(
        checks, at, scheduler_options["start_date"], scheduler_options["end_date"], datetime.now(timezone.utc)
    )
