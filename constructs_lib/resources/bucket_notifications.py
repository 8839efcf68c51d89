"""The event notifications a construct adds to a bucket. S3 refuses a bucket's notification configuration when
two of its notifications share an event type for keys that both filters match ("Configurations overlap"),
whoever added them. A construct checks its own against each other when it is built, and against every other
notification of the bucket at synth, when all are known: another construct's, a plain
``bucket.add_event_notification`` made before or after it, or one written through another import of the
bucket's name."""

from __future__ import annotations

import json
from collections import Counter
from itertools import combinations
from typing import Any, Iterator, Optional, Sequence

import jsii
from aws_cdk import CfnElement, CfnResource, Stack, Token
from aws_cdk import aws_s3 as s3
from constructs import Construct, IValidation

from ..core.jsii_types import as_interface
from ..core.s3_filters import event_type, key_pattern, notifications_overlap
from ..core.s3_notifications import CDK_NOTIFICATIONS, Configuration, bucket_key, bucket_of, configurations
from ..core.templates import Props, ref_of
from ..core.validation import Checks

# A configuration as a template states it: (destination, events, prefix, suffix).
_Signature = tuple[str, tuple[str, ...], Optional[str], Optional[str]]
RULE = "S3 refuses two notifications of one bucket for the same event type and keys"


def check_own_overlaps(checks: Checks, prop: str, events: Sequence[s3.EventType], prefix: Optional[str],
                       suffixes: Sequence[Optional[str]]) -> None:
    """The notifications a construct is about to add (one per event type and suffix) must not overlap."""
    rules = [(event_type(event), suffix) for event in events for suffix in suffixes or [None]]
    for (event_a, suffix_a), (event_b, suffix_b) in combinations(rules, 2):
        if notifications_overlap([event_a], prefix, suffix_a, [event_b], prefix, suffix_b):
            checks.fail(prop, f"{event_a} {key_pattern(prefix, suffix_a)} and {event_b} "
                        f"{key_pattern(prefix, suffix_b)}", f"overlap: {RULE}")


def add_notifications(owner: Construct, kind: str, prop: str, bucket: s3.IBucket,
                      destination: s3.IBucketNotificationDestination, events: Sequence[s3.EventType],
                      prefix: Optional[str], suffixes: Sequence[Optional[str]]) -> None:
    """One notification of `bucket` to `destination` per event type and suffix, which at synth must overlap no
    other notification of the bucket (an error naming `owner`, a `kind` construct, and its option `prop`)."""
    recorded = _Recorded(destination)
    own: list[tuple[str, Optional[str], Optional[str]]] = []
    for event in events:
        for suffix in suffixes or [None]:
            key_filters = [s3.NotificationKeyFilter(prefix=prefix, suffix=suffix)] if prefix or suffix else []
            bucket.add_event_notification(event, as_interface(s3.IBucketNotificationDestination, recorded),
                                          *key_filters)
            own.append((event_type(event), prefix or None, suffix or None))
    owner.node.add_validation(_NoOverlap(owner, kind, prop, bucket, recorded, own))


@jsii.implements(s3.IBucketNotificationDestination)
class _Recorded:
    """A destination, and the ARN the notifications name it by."""

    def __init__(self, destination: s3.IBucketNotificationDestination) -> None:
        self.destination = destination
        self.arn: Any = None

    def bind(self, scope: Construct, bucket: s3.IBucket) -> s3.BucketNotificationDestinationConfig:
        config = self.destination.bind(scope, bucket)
        self.arn = config.arn
        return config


@jsii.implements(IValidation)
class _NoOverlap:
    def __init__(self, owner: Construct, kind: str, prop: str, bucket: s3.IBucket, destination: _Recorded,
                 own: list[tuple[str, Optional[str], Optional[str]]]) -> None:
        self.owner, self.kind, self.prop, self.bucket = owner, kind, prop, bucket
        self.destination, self.own = destination, own

    def validate(self) -> list[str]:
        """The bucket's configurations as the templates will state them: the owner's (found by destination, event
        type and filter), and everyone else's."""
        resource = _notifications_resource(self.bucket)
        if resource is None:
            return []
        destination = json.dumps(Stack.of(resource).resolve(self.destination.arn))
        mine_left = Counter[_Signature]((destination, (event,), prefix, suffix) for event, prefix, suffix in self.own)
        mine: list[Configuration] = []
        others: list[tuple[Configuration, CfnResource]] = []
        for writer in _same_bucket(resource):
            for configuration in configurations(CDK_NOTIFICATIONS, _properties(writer)):
                signature = _signature(configuration)
                if writer.node.path == resource.node.path and mine_left[signature] > 0:
                    mine_left[signature] -= 1
                    mine.append(configuration)
                else:
                    others.append((configuration, writer))
        checks = Checks(self.owner, self.kind)
        for own in mine:
            for other, writer in others:
                if own.overlaps(other):
                    checks.fail(self.prop, f"{' '.join(own.events)} {own.keys}",
                                f"overlaps the notification of the same bucket to "
                                f"{_path_of(writer, other.destination)} ({' '.join(other.events)} {other.keys}): "
                                f"{RULE}")
        return checks.errors


def _signature(configuration: Configuration) -> _Signature:
    return (json.dumps(configuration.destination), configuration.events, configuration.prefix, configuration.suffix)


def _notifications_resource(bucket: s3.IBucket) -> Optional[CfnResource]:
    """aws-cdk-lib's Custom::S3BucketNotifications of this bucket construct (it makes one per bucket construct)."""
    return next((c for c in bucket.node.find_all()
                 if isinstance(c, CfnResource) and c.cfn_resource_type == CDK_NOTIFICATIONS), None)


def _properties(resource: CfnResource) -> Props:
    """The resolved properties of a resource aws-cdk-lib has no L1 class for. It keeps them in CfnResource's
    protected cfnProperties (jsii's _cfn_properties): what its template will hold, before the synth writes it."""
    return Stack.of(resource).resolve(resource._cfn_properties)  # pyright: ignore[reportPrivateUsage]


def _bucket_key(resource: CfnResource) -> tuple[str, str]:
    """The bucket a notifications resource writes to: its literal name (an import's, or a bucket construct's
    own BucketName), shared by every stack, else its logical id in its stack."""
    stack = Stack.of(resource)
    logical_id, name = bucket_of(CDK_NOTIFICATIONS, "", _properties(resource))
    if name is None:
        cfn_bucket = next((scope.node.default_child for scope in reversed(resource.node.scopes)
                           if isinstance(scope.node.default_child, s3.CfnBucket)), None)
        stated = cfn_bucket.bucket_name if isinstance(cfn_bucket, s3.CfnBucket) else None
        name = stated if isinstance(stated, str) and not Token.is_unresolved(stated) else None
    return bucket_key(stack.node.path, logical_id, name)


def _same_bucket(resource: CfnResource) -> Iterator[CfnResource]:
    """`resource` and every other notifications resource of the app that writes to the same bucket: only a bucket
    known by its name can have others (the imports of that name)."""
    yield resource
    key = _bucket_key(resource)
    if key[0]:
        return  # a logical id: one bucket construct, one resource
    for other in resource.node.root.node.find_all():
        if isinstance(other, CfnResource) and other.node.path != resource.node.path and \
                other.cfn_resource_type == CDK_NOTIFICATIONS and _bucket_key(other) == key:
            yield other


def _path_of(writer: CfnResource, destination: Any) -> str:
    """The construct path of the destination a notifications resource names by `destination` (a Ref or
    Fn::GetAtt in its stack), else the destination as the template states it."""
    stack = Stack.of(writer)
    logical_id = ref_of(destination)
    found = next((c for c in stack.node.find_all()
                  if isinstance(c, CfnElement) and stack.resolve(c.logical_id) == logical_id), None)
    return found.node.path.removesuffix("/Resource") if logical_id and found else json.dumps(destination)
