"""Alarms that watch one metric of many resources of a stack in one alarm each: a CloudWatch Metrics Insights query
grouped by the resource's name (a multi-time-series alarm), instead of one alarm per resource.

Each resource the query names is a contributor of the alarm: the alarm goes to ALARM when any one breaches, and
CloudWatch notifies the alarm's SNS actions for the alarm and for each contributor, naming it (its ``FunctionName``
or ``QueueName``): https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Acting_Alarm_Changes.html,
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/multi-time-series-alarm.html.

A query is at most 2,048 characters (PutMetricAlarm's MetricDataQuery.Expression), so an alarm names at most the
resources whose longest possible names fit in it; more make a second alarm. An account has 200 Metrics Insights
alarms per region by default (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import weakref

import jsii
from aws_cdk import IResolvable, IResolveContext, Names, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sns as sns
from constructs import Construct, IConstruct

from ..core.stack_singletons import StackSingletons
from .alarms import PERIOD, Alarms, above, notify, watched

CONSTRUCT_ID = "LibraryAlarms"
EXPRESSION_LIMIT = 2048  # characters of a MetricDataQuery's Expression
FUNCTION_NAME_LIMIT = 64  # https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
QUEUE_NAME_LIMIT = 80  # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html


@dataclass(frozen=True)
class FleetMetric:
    """One metric of many resources, the alarm's threshold, and what a breach means."""

    construct_id: str
    namespace: str
    dimension: str
    metric: str
    statistic: str
    threshold: float
    what: str
    longest_name: int

    def query(self, names: list[str]) -> str:
        where = " OR ".join(f"{self.dimension} = '{name}'" for name in names)
        return (f'SELECT {self.statistic}({self.metric}) FROM SCHEMA("{self.namespace}", {self.dimension}) '
                f"WHERE {where} GROUP BY {self.dimension}")

    @property
    def names_per_alarm(self) -> int:
        fixed = len(self.query([""])) - len(f"{self.dimension} = ''")
        return (EXPRESSION_LIMIT - fixed) // len(f"{self.dimension} = '{'x' * self.longest_name}' OR ")


def _lambda(construct_id: str, metric: str, what: str) -> FleetMetric:
    return FleetMetric(construct_id, "AWS/Lambda", "FunctionName", metric, "SUM", 1, what, FUNCTION_NAME_LIMIT)


FUNCTION_ERRORS = _lambda("FunctionErrors", "Errors", "Function errors")
FUNCTION_THROTTLES = _lambda("FunctionThrottles", "Throttles", "Function throttles")
DESTINATION_DELIVERY_FAILURES = _lambda(
    "DestinationDeliveryFailures", "DestinationDeliveryFailures", "Asynchronous results not delivered")
# DeadLetterErrors counts events Lambda could not write to the dead-letter queue (its policy, its key): lost events
# that no queue shows (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
DEAD_LETTER_ERRORS = _lambda(
    "DeadLetterErrors", "DeadLetterErrors", "Asynchronous events not written to the dead-letter queue")
OLDEST_MESSAGE_SECONDS = 15 * 60
QUEUE_OLDEST_MESSAGE = FleetMetric(
    "QueueOldestMessage", "AWS/SQS", "QueueName", "ApproximateAgeOfOldestMessage", "MAX", OLDEST_MESSAGE_SECONDS,
    f"A queue's oldest message is older than {OLDEST_MESSAGE_SECONDS // 60} minutes", QUEUE_NAME_LIMIT)
QUEUE_NOT_EMPTY = FleetMetric(
    "DeadLetterQueueNotEmpty", "AWS/SQS", "QueueName", "ApproximateNumberOfMessagesVisible", "MAX", 1,
    "Messages failed every receive and wait in a dead-letter queue", QUEUE_NAME_LIMIT)


@jsii.implements(IResolvable)
class _Query:
    """The query of one alarm, written at synth, when every resource it watches is known."""

    def __init__(self, metric: FleetMetric) -> None:
        self.metric = metric
        self.names: list[str] = []

    @property
    def creation_stack(self) -> list[str]:
        return []

    @property
    def type_hint(self) -> Any:
        return None

    def resolve(self, context: IResolveContext) -> str:
        return self.metric.query(self.names)

    def to_string(self) -> str:
        return Token.as_string(self)


@dataclass
class _Alarm:
    alarm: cloudwatch.Alarm
    query: _Query


class StackAlarms(Construct):
    """The library's alarms of a stack that watch many resources each (``LibraryAlarms``, made on first need).

    Resources whose construct names an ``alarm_topic`` are watched by alarms of their own that notify that topic;
    the others' alarms have no action until ``route_alarms`` sends them to a topic. The constructs whose resources
    they watch are warned about when their alarms notify nobody (``warn_if_silent``), not this one.

    Exposes ``alarms``: every alarm, by construct id.
    """

    def __init__(self, scope: Stack) -> None:
        super().__init__(scope, CONSTRUCT_ID)
        self._groups: dict[tuple[str, Optional[str]], list[_Alarm]] = {}
        self.alarms: Alarms = {}
        self._stack = scope

    @classmethod
    def of(cls, scope: IConstruct, stack: Optional[Stack] = None) -> "StackAlarms":
        """The alarms of `scope`'s stack (`stack`, when known), made on first need."""
        return _SINGLETONS.of(scope, stack)

    def watch(self, metric: FleetMetric, name: str, topic: Optional[sns.ITopic], owner: str) -> cloudwatch.Alarm:
        """Adds the resource called `name` (a token) of the construct at path `owner` to an alarm on `metric` that
        notifies `topic`, and returns it."""
        topic_id = None if topic is None else Names.unique_id(topic)
        group = self._groups.setdefault((metric.construct_id, topic_id), [])
        if not group or len(group[-1].query.names) >= metric.names_per_alarm:
            group.append(self._alarm(metric, len(group), topic_id, topic))
        group[-1].query.names.append(name)
        watched(self._stack, owner, group[-1].alarm)
        return group[-1].alarm

    def _alarm(self, metric: FleetMetric, index: int, topic_id: Optional[str],
               topic: Optional[sns.ITopic]) -> _Alarm:
        construct_id = f"{metric.construct_id}{index + 1 if index else ''}{topic_id or ''}"
        query = _Query(metric)
        expression = cloudwatch.MathExpression(
            expression=query.to_string(), using_metrics={}, period=PERIOD, label=metric.dimension)
        alarm = above(self, construct_id, expression, metric.threshold,
                      f"{metric.what}: each {metric.dimension} that breaches is a contributor of this alarm")
        self.alarms[construct_id] = alarm
        _METRICS[alarm] = metric
        notify({construct_id: alarm}, topic)
        return _Alarm(alarm, query)


def fleet_metric_of(alarm: cloudwatch.Alarm) -> Optional[FleetMetric]:
    """The metric a stack's alarm over many resources watches (None for any other alarm)."""
    return _METRICS.get(alarm)


_METRICS: "weakref.WeakKeyDictionary[cloudwatch.Alarm, FleetMetric]" = weakref.WeakKeyDictionary()


_SINGLETONS = StackSingletons(StackAlarms, CONSTRUCT_ID, StackAlarms)
