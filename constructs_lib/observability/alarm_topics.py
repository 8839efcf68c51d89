"""Where alarm notifications go: topics CloudWatch may publish to, and `AlarmTopic`, one made for it.

CloudWatch publishes alarm notifications as the service principal cloudwatch.amazonaws.com. A topic
with a policy of its own (``enforce_ssl=True`` makes one) no longer has SNS's default policy, so the
policy must allow CloudWatch, and a KMS key that encrypts the topic must let CloudWatch use it;
otherwise notifications are dropped without an error anywhere.
"""

from __future__ import annotations

import weakref
from typing import Sequence

import jsii
from aws_cdk import AspectPriority, Aspects, Aws, IAspect
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct, IConstruct

from ..core.jsii_types import as_interface
from ..resources.keys import encrypted_topic

# Topics that already let CloudWatch publish (each statement is added once).
_ALLOWED: "weakref.WeakSet[sns.ITopic]" = weakref.WeakSet()
CLOUDWATCH = "cloudwatch.amazonaws.com"


def allow_cloudwatch(topic: sns.ITopic) -> None:
    """Lets this account's CloudWatch alarms publish to `topic` and use its key. Topics and keys defined in
    the app are changed; an imported topic's owner must allow cloudwatch.amazonaws.com."""
    if topic in _ALLOWED:
        return
    _ALLOWED.add(topic)
    key = getattr(topic, "master_key", None)
    if isinstance(key, kms.Key):
        # The statement of SNS's and CloudWatch's guides, without conditions: SNS makes this KMS request on
        # CloudWatch's behalf, where a missing context key would drop every notification unseen. The topic
        # policy below decides which alarms may publish, and with them use the key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsUseTheKey",
                principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal(CLOUDWATCH))],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
            )
        )
    if isinstance(topic, sns.Topic):
        # At synth, when the app has said all it will: a topic without a policy keeps SNS's default one,
        # which already lets this account's alarms publish, and must not lose it.
        Aspects.of(topic).add(_LetCloudWatchPublish(), priority=AspectPriority.MUTATING)


@jsii.implements(IAspect)
class _LetCloudWatchPublish:
    def visit(self, node: IConstruct) -> None:
        if isinstance(node, sns.Topic) and node.node.try_find_child("Policy") is not None:
            node.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="CloudWatchAlarmsPublish",
                    principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal(CLOUDWATCH))],
                    actions=["sns:Publish"],
                    resources=[node.topic_arn],
                    conditions=_from_this_accounts_alarms(),
                )
            )


def _from_this_accounts_alarms() -> dict[str, dict[str, str]]:
    alarms = f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"
    return {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}, "ArnLike": {"aws:SourceArn": alarms}}


class AlarmTopic(Construct):
    """An SNS topic for alarm notifications: encrypted with a key of its own (yearly rotation, grants only
    for AWS resources), SSL-only, and a policy that lets this account's CloudWatch alarms publish.

    Send every library alarm of a scope to it with ``route_alarms(scope, alarm_topic.topic)``, or give it
    to one construct as ``alarm_topic=``. Costs $1 a month for the key, plus SNS's delivery prices.

    :param emails: addresses subscribed by email (each confirms by following a link SNS sends).

    Exposes ``topic`` and ``key`` (deleted with the stack after KMS's waiting period: the topic keeps no data).
    """

    def __init__(self, scope: Construct, construct_id: str, *, emails: Sequence[str] = ()) -> None:
        super().__init__(scope, construct_id)
        self.key, topic = encrypted_topic(self, f"the alarm notifications of {self.node.path}")
        self.topic = as_interface(sns.ITopic, topic)
        allow_cloudwatch(self.topic)
        for email in emails:
            self.topic.add_subscription(as_interface(sns.ITopicSubscription, subscriptions.EmailSubscription(email)))
