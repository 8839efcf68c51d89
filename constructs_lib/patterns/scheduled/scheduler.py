"""ScheduledFunction's EventBridge Scheduler mode: its checks, and the group, role and schedule it makes.

Rules from the EventBridge Scheduler user guide and API reference ("Schedule types", CreateSchedule):
time zones are IANA names; a flexible window is 1-1440 whole minutes; start and end dates bound recurring
schedules only (Scheduler ignores them for one-time ``at(...)`` schedules); cron and rate expressions are
those of EventBridge rules.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timezone
from functools import cache
from typing import Optional, Union

from aws_cdk import Duration, RemovalPolicy, Stack, TimeZone
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ...core.jsii_types import as_interface
from ...core.validation import Checks, seconds_of
from ...observability import alarms as alarm_kit

MAX_WINDOW_MINUTES = 1440
# Who the function is told invoked it, and when: Scheduler fills in these context attributes per invocation.
DEFAULT_INPUT = {
    "schedule_arn": scheduler.ContextAttribute.schedule_arn,
    "scheduled_time": scheduler.ContextAttribute.scheduled_time,
    "execution_id": scheduler.ContextAttribute.execution_id,
    "attempt_number": scheduler.ContextAttribute.attempt_number,
}
ScheduleInput = Union[str, events.Schedule, scheduler.ScheduleExpression]


@cache
def time_zone_names() -> frozenset[str]:
    """The canonical IANA time zone names, as aws-cdk-lib lists them in ``TimeZone``, and "UTC" (an IANA
    link to Etc/UTC that users write)."""
    return frozenset(getattr(TimeZone, name).timezone_name for name in dir(TimeZone) if name.isupper()) | {"UTC"}


def name_of(time_zone: Union[str, TimeZone, None]) -> Optional[str]:
    return time_zone.timezone_name if isinstance(time_zone, TimeZone) else time_zone


def check_time_zone(checks: Checks, time_zone: Optional[str]) -> None:
    if time_zone is None or time_zone in time_zone_names():
        return
    closest = difflib.get_close_matches(time_zone, sorted(time_zone_names()), n=1, cutoff=0.5)
    hint = f" (closest: '{closest[0]}')" if closest else ""
    checks.fail("time_zone", time_zone, f"must be a canonical IANA time zone name such as 'Europe/Paris'{hint}")


def check_window(checks: Checks, flexible_window: Optional[Duration]) -> None:
    seconds = seconds_of(flexible_window)
    if seconds is None:
        return
    checks.require(
        seconds % 60 == 0 and 1 <= seconds / 60 <= MAX_WINDOW_MINUTES, "flexible_window", flexible_window,
        f"must be a whole number of minutes between 1 and {MAX_WINDOW_MINUTES}",
    )


def check_dates(
    checks: Checks, at: Optional[datetime], start_date: Optional[datetime], end_date: Optional[datetime],
    now: datetime,
) -> None:
    def aware(prop: str, value: Optional[datetime]) -> Optional[datetime]:
        """The value if it carries its time zone; None if it is None or naive (reported)."""
        checks.require(
            value is None or value.tzinfo is not None, prop, value,
            "must carry its time zone (a datetime with tzinfo): a naive one is ambiguous",
        )
        return value if value is not None and value.tzinfo is not None else None

    stamp = f"{now:%Y-%m-%dT%H:%M:%SZ}"
    instant = aware("at", at)
    if instant is not None:
        checks.require(instant > now, "at", instant, f"is in the past (now {stamp}): it would never run")
    start, end = aware("start_date", start_date), aware("end_date", end_date)
    if start is not None:
        # CreateSchedule refuses a StartDate more than 5 minutes old; once it has passed, it says nothing anyway.
        checks.require(
            start > now, "start_date", start,
            f"is in the past (now {stamp}): Scheduler refuses a start date already passed; remove it",
        )
    if end is not None:
        checks.require(end > now, "end_date", end, f"is in the past (now {stamp}): it would never run")
    if start is not None and end is not None:
        checks.require(end > start, "end_date", end, f"must come after start_date {start}")


def at_expression(at: datetime) -> scheduler.ScheduleExpression:
    """A one-time schedule at an instant, written in UTC to the second."""
    return scheduler.ScheduleExpression.expression(
        f"at({at.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S})", TimeZone.ETC_UTC
    )


def recurring_expression(schedule: ScheduleInput, time_zone: Optional[str]) -> scheduler.ScheduleExpression:
    given_zone = getattr(schedule, "time_zone", None)
    zone = TimeZone.of(time_zone) if time_zone is not None else given_zone or TimeZone.ETC_UTC
    expression = expression_of(schedule)
    assert expression is not None  # each kind of ScheduleInput has one
    return scheduler.ScheduleExpression.expression(expression, zone)


def expression_of(schedule: Optional[ScheduleInput]) -> Optional[str]:
    return schedule if isinstance(schedule, str) else getattr(schedule, "expression_string", None)


class FunctionSchedule(Construct):
    """A schedule in a group of its own whose role may invoke one function (or alias) and write its
    undeliverable invocations to one queue; the group holds only it, so its metrics are this schedule's."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: lambda_.IFunction,
        expression: scheduler.ScheduleExpression,
        dead_letter_queue: sqs.IQueue,
        retry_attempts: int,
        max_event_age: Duration,
        input: Optional[scheduler.ScheduleTargetInput],
        enabled: bool,
        flexible_window: Optional[Duration],
        start_date: Optional[datetime],
        end_date: Optional[datetime],
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # Deleting the group deletes its schedules: it holds only this one, made and removed with the stack.
        self.group = scheduler.ScheduleGroup(self, "Group", removal_policy=RemovalPolicy.DESTROY)
        self.role = self._role(target, dead_letter_queue)
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            schedule=expression,
            schedule_group=self.group,
            # Without policy updates: the statements above are all this role may do.
            target=as_interface(scheduler.IScheduleTarget, scheduler_targets.LambdaInvoke(
                target,
                role=self.role.without_policy_updates(),
                dead_letter_queue=dead_letter_queue,
                retry_attempts=retry_attempts,
                max_event_age=max_event_age,
                input=input or scheduler.ScheduleTargetInput.from_object(DEFAULT_INPUT),
            )),
            enabled=enabled,
            time_window=scheduler.TimeWindow.flexible(flexible_window) if flexible_window else None,
            start=start_date,
            end=end_date,
            description=description,
        )

    def _role(self, target: lambda_.IFunction, dead_letter_queue: sqs.IQueue) -> iam.Role:
        stack = Stack.of(self)
        # Confused-deputy protection as the Scheduler guide sets it: only schedules of this group may assume it.
        role = iam.Role(
            self,
            "Role",
            assumed_by=as_interface(iam.IPrincipal, iam.ServicePrincipal("scheduler.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": stack.account, "aws:SourceArn": self.group.schedule_group_arn},
            })),
            description=f"EventBridge Scheduler invokes {target.node.path} with it",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[target.function_arn]))
        dead_letter_queue.grant_send_messages(role)
        return role

    def alarms(self, dead_letter_queue: sqs.IQueue) -> alarm_kit.Alarms:
        period = alarm_kit.PERIOD
        return {
            "failed_invocations": alarm_kit.any_of(
                self, "FailedInvocationsAlarm", self.group.metric_target_errors(period=period),
                "EventBridge Scheduler could not invoke",
            ),
            "dead_letter_delivery_failures": alarm_kit.any_of(
                self, "DeadLetterDeliveryFailuresAlarm", self.group.metric_failed_to_be_sent_to_dlq(period=period),
                "Invocations Scheduler gave up on and could not keep",
            ),
            "target_dead_letter_queue_not_empty": alarm_kit.queue_not_empty(
                self, "TargetDeadLetterQueueAlarm", dead_letter_queue, "Invocations Scheduler gave up on"
            ),
        }

