"""When two S3 event notifications of one bucket overlap, which S3 refuses when it saves them: the same
event type (``s3:ObjectCreated:*`` covers ``s3:ObjectCreated:Put``) for keys that both filters match."""

from __future__ import annotations

from typing import Optional, Sequence

from aws_cdk import aws_s3 as s3

# aws-cdk-lib's EventType members (jsii gives their names) -> the event type S3 receives.
S3_EVENT_TYPE = {
    "OBJECT_CREATED": "s3:ObjectCreated:*", "OBJECT_CREATED_PUT": "s3:ObjectCreated:Put",
    "OBJECT_CREATED_POST": "s3:ObjectCreated:Post", "OBJECT_CREATED_COPY": "s3:ObjectCreated:Copy",
    "OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD": "s3:ObjectCreated:CompleteMultipartUpload",
    "OBJECT_REMOVED": "s3:ObjectRemoved:*", "OBJECT_REMOVED_DELETE": "s3:ObjectRemoved:Delete",
    "OBJECT_REMOVED_DELETE_MARKER_CREATED": "s3:ObjectRemoved:DeleteMarkerCreated",
    "OBJECT_RESTORE": "s3:ObjectRestore:*", "OBJECT_RESTORE_POST": "s3:ObjectRestore:Post",
    "OBJECT_RESTORE_COMPLETED": "s3:ObjectRestore:Completed", "OBJECT_RESTORE_DELETE": "s3:ObjectRestore:Delete",
    "REDUCED_REDUNDANCY_LOST_OBJECT": "s3:ReducedRedundancyLostObject",
    "REPLICATION": "s3:Replication:*",
    "REPLICATION_OPERATION_FAILED_REPLICATION": "s3:Replication:OperationFailedReplication",
    "REPLICATION_OPERATION_MISSED_THRESHOLD": "s3:Replication:OperationMissedThreshold",
    "REPLICATION_OPERATION_REPLICATED_AFTER_THRESHOLD": "s3:Replication:OperationReplicatedAfterThreshold",
    "REPLICATION_OPERATION_NOT_TRACKED": "s3:Replication:OperationNotTracked",
    "LIFECYCLE_EXPIRATION": "s3:LifecycleExpiration:*", "LIFECYCLE_EXPIRATION_DELETE": "s3:LifecycleExpiration:Delete",
    "LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED": "s3:LifecycleExpiration:DeleteMarkerCreated",
    "LIFECYCLE_TRANSITION": "s3:LifecycleTransition", "INTELLIGENT_TIERING": "s3:IntelligentTiering",
    "OBJECT_TAGGING": "s3:ObjectTagging:*", "OBJECT_TAGGING_PUT": "s3:ObjectTagging:Put",
    "OBJECT_TAGGING_DELETE": "s3:ObjectTagging:Delete", "OBJECT_ACL_PUT": "s3:ObjectAcl:Put",
}


def event_type(event: s3.EventType) -> str:
    return S3_EVENT_TYPE[event.name]


def notifications_overlap(
    events_a: Sequence[str], prefix_a: Optional[str], suffix_a: Optional[str],
    events_b: Sequence[str], prefix_b: Optional[str], suffix_b: Optional[str],
) -> bool:
    return (
        any(_covers(x, y) or _covers(y, x) for x in events_a for y in events_b)
        and _one_starts_the_other(prefix_a or "", prefix_b or "")
        and _one_ends_the_other(suffix_a or "", suffix_b or "")
    )


def key_pattern(prefix: Optional[str], suffix: Optional[str]) -> str:
    """The keys a filter matches, as a pattern: 'uploads/*.jpg'."""
    return f"{prefix or ''}*{suffix or ''}"


def _covers(pattern: str, event: str) -> bool:
    return pattern == event or (pattern.endswith(":*") and event.startswith(pattern[:-1]))


def _one_starts_the_other(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _one_ends_the_other(a: str, b: str) -> bool:
    return a.endswith(b) or b.endswith(a)
