"""A bucket's S3 event notification configurations, read from a template (or a resource's resolved properties):
where a resource keeps them, and which bucket they belong to. One reader for DeployRules and for the
constructs' own synth-time checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional

from .s3_filters import key_pattern, notifications_overlap
from .templates import Props, as_list, dig, mapping, ref_of

BUCKET = "AWS::S3::Bucket"
# aws-cdk-lib's custom resource that writes a bucket's notifications at deploy time (one per bucket construct).
CDK_NOTIFICATIONS = "Custom::S3BucketNotifications"


@dataclass(frozen=True)
class Configuration:
    """One destination of a bucket's event notifications, with its event types and key filter."""

    kind: str  # "lambda", "queue" or "topic"
    destination: Any
    events: tuple[str, ...]
    filter_rules: tuple[Props, ...]

    @property
    def prefix(self) -> Optional[str]:
        return self._filter("prefix")

    @property
    def suffix(self) -> Optional[str]:
        return self._filter("suffix")

    @property
    def keys(self) -> str:
        """The keys the filter matches, as a pattern: 'uploads/*.jpg'."""
        return key_pattern(self.prefix, self.suffix)

    def overlaps(self, other: "Configuration") -> bool:
        """S3 refuses the two in one bucket: an event type in common, and keys that both filters match."""
        return notifications_overlap(self.events, self.prefix, self.suffix, other.events, other.prefix, other.suffix)

    def _filter(self, name: str) -> Optional[str]:
        values = (rule.get("Value") for rule in self.filter_rules if str(rule.get("Name", "")).lower() == name)
        return next((value for value in values if isinstance(value, str)), None)


@dataclass(frozen=True)
class _Shape:
    """Where a resource type keeps a bucket's notification configuration."""

    bucket_name: Optional[str]  # the property naming the bucket; None: the resource is the bucket
    destinations: tuple[tuple[str, str, str], ...]  # (kind, list of configurations, destination key)
    events: str
    filter_rules: tuple[str, ...]


_SHAPES = {
    BUCKET: _Shape(
        None, (("lambda", "LambdaConfigurations", "Function"), ("queue", "QueueConfigurations", "Queue"),
               ("topic", "TopicConfigurations", "Topic")),
        "Event", ("Filter", "S3Key", "Rules")),
    CDK_NOTIFICATIONS: _Shape(
        "BucketName", (("lambda", "LambdaFunctionConfigurations", "LambdaFunctionArn"),
                       ("queue", "QueueConfigurations", "QueueArn"), ("topic", "TopicConfigurations", "TopicArn")),
        "Events", ("Filter", "Key", "FilterRules")),
}
NOTIFYING_TYPES = tuple(_SHAPES)


def configurations(resource_type: str, props: Props) -> Iterator[Configuration]:
    """Every notification configuration a resource of `resource_type` (one of NOTIFYING_TYPES) states."""
    shape = _SHAPES[resource_type]
    for kind, key, destination in shape.destinations:
        for entry in as_list(dig(props, "NotificationConfiguration", key)):
            yield Configuration(kind, dig(entry, destination), _events(dig(entry, shape.events)),
                                _filter_rules(dig(entry, *shape.filter_rules)))


def bucket_of(resource_type: str, logical_id: str, props: Props) -> tuple[Optional[str], Optional[str]]:
    """(the logical id of the bucket the configurations belong to, its literal name), as far as the resource
    states them: an imported bucket has only a name, a template's bucket a logical id and maybe a name."""
    if _SHAPES[resource_type].bucket_name is None:
        name = props.get("BucketName")
        return logical_id, name if isinstance(name, str) else None
    value = props.get("BucketName")
    return (None, value) if isinstance(value, str) else (ref_of(value), None)


def bucket_key(stack_path: str, logical_id: Optional[str], name: Optional[str]) -> tuple[str, str]:
    """One bucket, however it is named: by its literal name (S3's, shared by every stack that imports it), else
    by its logical id in its stack."""
    return ("", name) if name else (stack_path, logical_id or "")


def _filter_rules(value: Any) -> tuple[Props, ...]:
    return tuple(rule for rule in map(mapping, as_list(value)) if rule is not None)


def _events(value: Any) -> tuple[str, ...]:
    """The event types a configuration names in text (one an intrinsic function computes is not known)."""
    return tuple(event for event in as_list(value) if isinstance(event, str))
