"""The CloudWatch alarms every construct creates by default, and their optional SNS action.

Thresholds are chosen to page on something a user must look at, not on noise:
- function Errors or Throttles: any in a 5-minute period;
- a dead-letter or failure queue: any message visible (something was given up on);
- a queue's oldest message older than 15 minutes (the worker is not keeping up);
- a stream's iterator age above 5 minutes (the consumer is falling behind);
- an event source mapping that polled nothing for as long as its owner expects events (opt-in);
- EventBridge FailedInvocations, Lambda DestinationDeliveryFailures: any;
- a state machine's executions failed, timed out, aborted or throttled: any;
- a Firehose stream's processing or delivery success ratio under 1: any record failed.

Alarms reach people through an SNS topic: ``alarm_topic=`` on a construct, or ``route_alarms(scope, topic)``
for every library alarm under an app, stage or stack. A construct whose alarms notify nobody says so at
synth (a warning).
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Mapping, Optional

import jsii
from aws_cdk import Annotations, AspectPriority, Aspects, Duration, IAspect, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct, IConstruct, IValidation

from ..core.jsii_types import as_interface, cfn_resource
from .alarm_topics import allow_cloudwatch

PERIOD = Duration.minutes(5)
OLDEST_MESSAGE_SECONDS = 15 * 60
ITERATOR_AGE_MILLISECONDS = 5 * 60 * 1000

Alarms = dict[str, cloudwatch.Alarm]
SILENT_ALARMS = "constructs_lib:alarms:noAction"

# Every alarm the library made.
_LIBRARY_ALARMS: "weakref.WeakSet[cloudwatch.Alarm]" = weakref.WeakSet()
# Each stack's constructs that report on their alarms, with their paths, checked by one validation of the stack; and
# alarms this module gave an action.
_OWNERS_BY_STACK: "weakref.WeakKeyDictionary[Stack, list[tuple[Construct, str]]]" = weakref.WeakKeyDictionary()
_NOTIFIED: "weakref.WeakSet[cloudwatch.Alarm]" = weakref.WeakSet()
# Each stack's alarms over many resources (StackAlarms), by the path of each construct whose resource one watches.
_WATCHING: "weakref.WeakKeyDictionary[Stack, dict[str, list[cloudwatch.Alarm]]]" = weakref.WeakKeyDictionary()


def any_of(scope: Construct, construct_id: str, metric: cloudwatch.IMetric, what: str) -> cloudwatch.Alarm:
    """Alarms when the metric's sum is 1 or more in a period."""
    return above(scope, construct_id, metric, 1, what)


def above(
    scope: Construct, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str
) -> cloudwatch.Alarm:
    """Alarms when the metric reaches `threshold` in one 5-minute period; no data is not a breach."""
    return _alarm(scope, construct_id, metric, threshold, what,
                  cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)


def ratio_below(
    scope: Construct, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str
) -> cloudwatch.Alarm:
    """Alarms when the metric falls under `threshold` in one 5-minute period (e.g. a success ratio under 1); no
    data is not a breach (unlike `below`: a stream with no traffic has no ratio)."""
    return _alarm(scope, construct_id, metric, threshold, what, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD)


def description(scope: Construct, what: str) -> str:
    """An alarm's description: what it means, and the construct it watches."""
    return f"{what} ({scope.node.path})"


def _alarm(scope: Construct, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str,
           comparison: cloudwatch.ComparisonOperator) -> cloudwatch.Alarm:
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        evaluation_periods=1,
        comparison_operator=comparison,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description(scope, what),
    )
    _LIBRARY_ALARMS.add(alarm)
    return alarm


def below(
    scope: Construct, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str
) -> cloudwatch.Alarm:
    """Alarms when the metric stays under `threshold` for one of its periods; no data is a breach (a source that
    went quiet publishes nothing)."""
    alarm = cloudwatch.Alarm(
        scope, construct_id, metric=metric, threshold=threshold, evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        alarm_description=description(scope, what),
    )
    _LIBRARY_ALARMS.add(alarm)
    return alarm


def queue_not_empty(scope: Construct, construct_id: str, queue: sqs.IQueue, what: str) -> cloudwatch.Alarm:
    metric = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
    return any_of(scope, construct_id, metric, what)


def oldest_message_too_old(scope: Construct, construct_id: str, queue: sqs.IQueue) -> cloudwatch.Alarm:
    metric = queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
    return above(
        scope, construct_id, metric, OLDEST_MESSAGE_SECONDS,
        f"The queue's oldest message is older than {OLDEST_MESSAGE_SECONDS // 60} minutes",
    )


def state_machine_alarms(scope: Construct, machine: sfn.StateMachine) -> Alarms:
    """Any execution of `machine` that failed, timed out, was aborted or was throttled in a period (Step Functions'
    ExecutionsFailed, ExecutionsTimedOut, ExecutionsAborted and ExecutionThrottled metrics)."""
    metrics = {
        "executions_failed": ("ExecutionsFailedAlarm", machine.metric_failed, "Executions failed"),
        "executions_timed_out": ("ExecutionsTimedOutAlarm", machine.metric_timed_out, "Executions timed out"),
        "executions_aborted": ("ExecutionsAbortedAlarm", machine.metric_aborted, "Executions were aborted"),
        "executions_throttled": ("ExecutionsThrottledAlarm", machine.metric_throttled, "Executions were throttled"),
    }
    return {name: any_of(scope, construct_id, metric(period=PERIOD, statistic="Sum"), what)
            for name, (construct_id, metric, what) in metrics.items()}


def notify(alarms: Mapping[str, cloudwatch.Alarm], topic: Optional[sns.ITopic]) -> None:
    """Sends every alarm's state changes to ALARM (and back to OK) to `topic`."""
    if topic is None or not alarms:
        return
    allow_cloudwatch(topic)
    action = as_interface(cloudwatch.IAlarmAction, actions.SnsAction(topic))
    for alarm in alarms.values():
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
        _NOTIFIED.add(alarm)


def route_alarms(scope: Construct, topic: sns.ITopic) -> None:
    """Sends the state changes to ALARM and back to OK of every library alarm under `scope` that has no
    alarm action of its own to `topic`, whether the alarm was made before this call or after.

    :param scope: an app, stage or stack (or any construct).
    :param topic: where notifications go, in the alarms' region (e.g. ``AlarmTopic(...).topic``). A topic
        defined in the app is made to let this account's CloudWatch alarms publish and use its key.
    """
    allow_cloudwatch(topic)
    Aspects.of(scope).add(_RouteAlarms(topic), priority=AspectPriority.MUTATING)


@jsii.implements(IAspect)
class _RouteAlarms:
    def __init__(self, topic: sns.ITopic) -> None:
        self.topic = topic

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, cloudwatch.Alarm) and node in _LIBRARY_ALARMS and not has_alarm_actions(node):
            notify({"": node}, self.topic)


def has_alarm_actions(alarm: cloudwatch.Alarm) -> bool:
    return alarm in _NOTIFIED or bool(Stack.of(alarm).resolve(cfn_resource(alarm, cloudwatch.CfnAlarm).alarm_actions))


def watched(stack: Stack, path: str, alarm: cloudwatch.Alarm) -> None:
    """Records that `alarm`, one of `stack`'s alarms over many resources, watches a resource of the construct at
    `path` (its function, its queue)."""
    _WATCHING.setdefault(stack, {}).setdefault(path, []).append(alarm)


def watching(construct: IConstruct) -> list[cloudwatch.Alarm]:
    """The alarms of `construct`'s stack over many resources that watch a resource of `construct` or of a construct
    in it (each in ALARM when any resource it watches breaches)."""
    return _watching(Stack.of(construct), construct.node.path)


def _watching(stack: Stack, path: str) -> list[cloudwatch.Alarm]:
    found: list[cloudwatch.Alarm] = []
    for watcher, alarms in _WATCHING.get(stack, {}).items():
        if watcher == path or watcher.startswith(f"{path}/"):
            found += [alarm for alarm in alarms if not any(alarm is known for known in found)]
    return found


def warn_if_silent(owner: Construct, stack: Optional[Stack] = None, path: Optional[str] = None) -> None:
    """At synth, warns when none of ``owner.alarms``, nor of the stack's alarms that watch its resources, has an
    alarm action; a construct of the library that encloses `owner` speaks for its alarms instead. One check per
    stack, over all its owners. `stack` and `path`: the owner's, when known."""
    stack = stack or Stack.of(owner)
    owners = _OWNERS_BY_STACK.get(stack)
    if owners is None:
        owners = _OWNERS_BY_STACK[stack] = []
        stack.node.add_validation(_SilentAlarms(stack, owners))
    owners.append((owner, path or owner.node.path))


@jsii.implements(IValidation)
class _SilentAlarms:
    def __init__(self, stack: Stack, owners: list[tuple[Construct, str]]) -> None:
        self.stack = stack
        self.owners = owners

    def validate(self) -> list[str]:
        paths = {path for _, path in self.owners}
        heard: dict[cloudwatch.Alarm, bool] = {}  # whether each alarm has an action, asked once per alarm
        for owner, path in self.owners:
            parts = path.split("/")
            if any("/".join(parts[:end]) in paths for end in range(1, len(parts))):
                continue  # an enclosing construct of the library speaks for it
            alarms = list(getattr(owner, "alarms", {}).values()) + _watching(self.stack, path)
            if not alarms:
                continue
            for alarm in alarms:
                if alarm not in heard:
                    heard[alarm] = has_alarm_actions(alarm)
            if not any(heard[alarm] for alarm in alarms):
                Annotations.of(owner).add_warning_v2(
                    SILENT_ALARMS,
                    f"{len(alarms)} alarms notify nobody: give alarm_topic=, or route_alarms(scope, topic) "
                    "for every construct of an app, stage or stack",
                )
        return []  # a warning, not an error


def pattern_alarms(function_options: Mapping[str, Any], make: Callable[[], Alarms]) -> Alarms:
    """A pattern's own alarms: made unless ``create_alarms=False``, sent to the ``alarm_topic`` option."""
    if not function_options.get("create_alarms", True):
        return {}
    made = make()
    notify(made, function_options.get("alarm_topic"))
    return made
