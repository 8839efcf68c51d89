"""A stage's health, as one alarm the pipeline can name: a composite alarm per stack over the stack's alarms, and
one for the stage over those. Every name is fixed at synth, so that no stack refers to another's alarms (no
export to lock) and the pipeline, in another stage of the app and often another account, can name the alarm."""

from __future__ import annotations

from typing import Optional, Sequence

from aws_cdk import Aws, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from ..core.jsii_types import as_interface
from ..observability.stack_alarms import fleet_metric_of

# CloudWatch API reference, PutCompositeAlarm: "The rule expression of a composite alarm can include as many as
# 100 underlying alarms."
MAX_UNDERLYING_ALARMS = 100


def alarms_of(stack: Stack) -> list[cloudwatch.Alarm]:
    """The metric alarms defined in `stack` (not in its nested stacks) that say how the deployed code behaves: not
    those on a queue's depth (a dead-letter or failure queue), which stay in ALARM until someone drains the queue and
    would roll back every later release, the fix included."""
    return [c for c in stack.node.find_all()
            if isinstance(c, cloudwatch.Alarm) and Stack.of(c) is stack and not _on_queue_depth(c)]


def _on_queue_depth(alarm: cloudwatch.Alarm) -> bool:
    """An alarm on one queue's depth, or one of the stack's alarms over many queues' (StackAlarms)."""
    fleet = fleet_metric_of(alarm)
    metric = alarm.metric
    namespace, name = ((fleet.namespace, fleet.metric) if fleet is not None else
                       (metric.namespace, metric.metric_name) if isinstance(metric, cloudwatch.Metric) else (None, None))
    return namespace == "AWS/SQS" and name == "ApproximateNumberOfMessagesVisible"


def chunks(items: Sequence[cloudwatch.Alarm]) -> list[Sequence[cloudwatch.Alarm]]:
    return [items[start:start + MAX_UNDERLYING_ALARMS] for start in range(0, len(items), MAX_UNDERLYING_ALARMS)]


def stack_health(stack: Stack) -> list[str]:
    """Adds to `stack` a composite alarm in ALARM while any of its alarms is (one per 100 alarms); their names. A
    stack without alarms gets one that never is: the stage's alarm names it, and CloudWatch refuses to delete an
    alarm another composite alarm names, so it must outlive the stack's last alarm."""
    names: list[str] = []
    for index, alarms in enumerate(chunks(alarms_of(stack)) or [[]]):
        suffix = "" if index == 0 else f"{index + 1}"
        name = f"{stack.stack_name}-health{'-' + suffix if suffix else ''}"
        rules = [cloudwatch.AlarmRule.from_alarm(as_interface(cloudwatch.IAlarm, alarm), cloudwatch.AlarmState.ALARM)
                 for alarm in alarms]
        rule = cloudwatch.AlarmRule.any_of(*rules) if rules else cloudwatch.AlarmRule.from_boolean(False)
        cloudwatch.CompositeAlarm(
            stack, f"DeliveryHealth{suffix}", composite_alarm_name=name,
            alarm_rule=as_interface(cloudwatch.IAlarmRule, rule),
            alarm_description=f"In ALARM while any alarm of {stack.stack_name} is: the delivery pipeline bakes on it",
        )
        names.append(name)
    return names


def stage_health(scope: Construct, name: str, stack_alarms: Sequence[str]) -> Optional[cloudwatch.CompositeAlarm]:
    """A composite alarm `name` over the stacks' composite alarms, named in its rule (None when there are none)."""
    if not stack_alarms:
        return None
    rule = " OR ".join(f'ALARM("{alarm}")' for alarm in stack_alarms)
    return cloudwatch.CompositeAlarm(
        scope, "Health", composite_alarm_name=name,
        alarm_rule=as_interface(cloudwatch.IAlarmRule, cloudwatch.AlarmRule.from_string(rule)),
        alarm_description="In ALARM while any alarm of the stage is: the delivery pipeline bakes on it",
    )


def alarm_arn(name: str, account: str, region: str) -> str:
    return f"arn:{Aws.PARTITION}:cloudwatch:{region}:{account}:alarm:{name}"
