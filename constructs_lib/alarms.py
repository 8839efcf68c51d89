"""The CloudWatch alarms every construct creates by default, and their optional SNS action.

Thresholds are chosen to page on something a user must look at, not on noise:
- function Errors or Throttles: any in a 5-minute period;
- a dead-letter or failure queue: any message visible (something was given up on);
- a queue's oldest message older than 15 minutes (the worker is not keeping up);
- a stream's iterator age above 5 minutes (the consumer is falling behind);
- EventBridge FailedInvocations, Lambda DestinationDeliveryFailures: any.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = Duration.minutes(5)
OLDEST_MESSAGE_SECONDS = 15 * 60
ITERATOR_AGE_MILLISECONDS = 5 * 60 * 1000

Alarms = dict[str, cloudwatch.Alarm]


def any_of(scope: Construct, construct_id: str, metric: cloudwatch.IMetric, what: str) -> cloudwatch.Alarm:
    """Alarms when the metric's sum is 1 or more in a period."""
    return above(scope, construct_id, metric, 1, what)


def above(
    scope: Construct, construct_id: str, metric: cloudwatch.IMetric, threshold: float, what: str
) -> cloudwatch.Alarm:
    """Alarms when the metric reaches `threshold` in one 5-minute period; no data is not a breach."""
    return cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=f"{what} ({scope.node.path})",
    )


def queue_not_empty(scope: Construct, construct_id: str, queue: sqs.IQueue, what: str) -> cloudwatch.Alarm:
    metric = queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
    return any_of(scope, construct_id, metric, what)


def oldest_message_too_old(scope: Construct, construct_id: str, queue: sqs.IQueue) -> cloudwatch.Alarm:
    metric = queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
    return above(
        scope, construct_id, metric, OLDEST_MESSAGE_SECONDS,
        f"The queue's oldest message is older than {OLDEST_MESSAGE_SECONDS // 60} minutes",
    )


def notify(alarms: Mapping[str, cloudwatch.Alarm], topic: Optional[sns.ITopic]) -> None:
    """Sends every alarm's state changes to ALARM (and back to OK) to `topic`."""
    if topic is None or not alarms:
        return
    _let_cloudwatch_use_the_key_of(topic)
    action = actions.SnsAction(topic)
    for alarm in alarms.values():
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)


def pattern_alarms(function_options: Mapping[str, Any], make: Callable[[], Alarms]) -> Alarms:
    """A pattern's own alarms: made unless ``create_alarms=False``, sent to the ``alarm_topic`` option."""
    if not function_options.get("create_alarms", True):
        return {}
    made = make()
    notify(made, function_options.get("alarm_topic"))
    return made


def _let_cloudwatch_use_the_key_of(topic: sns.ITopic) -> None:
    """CloudWatch publishes alarm notifications as itself: a KMS-encrypted topic's key must allow it,
    or the notifications are silently dropped. Only keys defined in the app can be changed here."""
    key = getattr(topic, "master_key", None)
    if not isinstance(key, kms.Key):
        return
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],  # in a key policy, "*" is this key
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )
    )
