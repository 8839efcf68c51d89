"""A topic or queue as the destination of a bucket's event notifications, which only that bucket, of its owner's
account, may deliver to (S3 user guide, "Granting permissions to publish event notification messages to a
destination": aws:SourceArn and aws:SourceAccount). aws-cdk-lib's SnsDestination and SqsDestination scope
their statement with aws:SourceArn only."""

from __future__ import annotations

from typing import Optional

import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IDependable

from ..core.jsii_types import as_interface

S3 = "s3.amazonaws.com"


def topic_destination(bucket: s3.IBucket, topic: sns.ITopic) -> s3.IBucketNotificationDestination:
    """`topic`, to which `bucket` may publish. A topic defined in the app gets the policy statement, and its key (one
    defined in the app) the statement that lets S3 use it; an imported topic's policy is its owner's."""
    _let_s3_use(topic.master_key)
    dependencies: list[IDependable] = []
    if isinstance(topic, sns.Topic):
        added = topic.add_to_resource_policy(_from_the_bucket(
            "BucketPublishesEvents", bucket, "sns:Publish", topic.topic_arn))
        dependencies += [added.policy_dependable] if added.policy_dependable else []
    return _destination(topic.topic_arn, s3.BucketNotificationDestinationType.TOPIC, dependencies)


def queue_destination(bucket: s3.IBucket, queue: sqs.IQueue) -> s3.IBucketNotificationDestination:
    """`queue`, to which `bucket` may send, likewise."""
    _let_s3_use(queue.encryption_master_key)
    dependencies: list[IDependable] = [queue]
    if isinstance(queue, sqs.Queue):
        added = queue.add_to_resource_policy(_from_the_bucket(
            "BucketSendsEvents", bucket, "sqs:SendMessage", queue.queue_arn))
        dependencies += [added.policy_dependable] if added.policy_dependable else []
    return _destination(queue.queue_arn, s3.BucketNotificationDestinationType.QUEUE, dependencies)


def _from_the_bucket(sid: str, bucket: s3.IBucket, action: str, resource: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid=sid, principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal(S3))], actions=[action],
        resources=[resource],
        conditions={"ArnLike": {"aws:SourceArn": bucket.bucket_arn},
                    "StringEquals": {"aws:SourceAccount": bucket.env.account}},
    )


def _let_s3_use(key: Optional[kms.IKey]) -> None:
    """S3 encrypts what it sends with the destination's key (a key defined in the app; an imported key's policy
    is its owner's)."""
    if isinstance(key, kms.Key):
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="S3PublishesEvents", principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal(S3))],
            actions=["kms:GenerateDataKey*", "kms:Decrypt"], resources=["*"],  # in a key policy, this key
        ))


def _destination(arn: str, kind: s3.BucketNotificationDestinationType,
                 dependencies: list[IDependable]) -> s3.IBucketNotificationDestination:
    return as_interface(s3.IBucketNotificationDestination, _Destination(arn, kind, dependencies))


@jsii.implements(s3.IBucketNotificationDestination)
class _Destination:
    """The destination, with the statements already written: the notifications wait for the policy."""

    def __init__(self, arn: str, kind: s3.BucketNotificationDestinationType, dependencies: list[IDependable]) -> None:
        self._arn = arn
        self._kind = kind
        self._dependencies = dependencies

    def bind(self, scope: Construct, bucket: s3.IBucket) -> s3.BucketNotificationDestinationConfig:
        return s3.BucketNotificationDestinationConfig(arn=self._arn, type=self._kind,
                                                      dependencies=self._dependencies or None)
