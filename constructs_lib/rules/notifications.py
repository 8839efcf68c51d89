"""What S3, CloudWatch and EventBridge need of the queues, topics, functions and keys they deliver to."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Iterator

from ..core.s3_filters import S3_EVENT_TYPE
from ..core.s3_notifications import BUCKET, NOTIFYING_TYPES, Configuration, bucket_key, bucket_of, configurations
from ..core.templates import as_list, dig, ref_of
from .model import DROPS_SILENTLY, FAILS_DEPLOY, App, Hit, Rule, Stack
from .policies import allows, has_resource_policy, key_allows, resource_policies
from .targets import Target, lambda_target

S3 = "s3.amazonaws.com"
# The event types S3 accepts in a notification configuration (Amazon S3 User Guide, "Supported event types").
S3_EVENT_TYPES = frozenset(S3_EVENT_TYPE.values())


@dataclass(frozen=True)
class Notification(Configuration):
    """One destination of a bucket's event notifications, from the bucket itself or from aws-cdk-lib's
    Custom::S3BucketNotifications."""

    stack: Stack
    logical_id: str  # the resource holding the configuration
    bucket: str  # the bucket's logical id, or the literal name of a bucket the template does not define
    bucket_key: tuple[str, str]  # the same bucket, whatever resource or stack names it


def s3_notifications(app: App) -> Iterator[Notification]:
    for stack, logical_id, resource in app.of_type(*NOTIFYING_TYPES):
        resource_type = str(resource.get("Type"))
        props = dig(resource, "Properties", default={})
        bucket, name = bucket_of(resource_type, logical_id, props)
        if bucket is not None and name is None and stack.type_of(bucket) == BUCKET:
            stated = stack.props(bucket).get("BucketName")
            name = stated if isinstance(stated, str) else None
        if bucket is None and name is None:
            continue
        for c in configurations(resource_type, props):
            yield Notification(c.kind, c.destination, c.events, c.filter_rules, stack, logical_id,
                               bucket or str(name), bucket_key(stack.path, bucket, name))


def destinations_accept(app: App) -> Iterator[Hit]:
    for n in s3_notifications(app):
        stack = n.stack
        if n.kind == "lambda":
            target = lambda_target(stack, n.destination)
            if target is not None and not _s3_may_invoke(stack, target, n.bucket):
                yield Hit(stack, n.logical_id, f"S3 may not invoke {target.function}: no lambda:InvokeFunction "
                                               f"permission for {S3} from bucket {n.bucket}")
        else:
            resource = ref_of(n.destination)
            policy_type, list_property, action = (
                ("AWS::SQS::QueuePolicy", "Queues", "sqs:SendMessage") if n.kind == "queue"
                else ("AWS::SNS::TopicPolicy", "Topics", "sns:Publish"))
            if resource is None or stack.type_of(resource) not in ("AWS::SQS::Queue", "AWS::SNS::Topic"):
                continue
            granted = resource_policies(stack, policy_type, list_property, resource)
            if not any(allows(s, action, S3) for s in granted):
                yield Hit(stack, n.logical_id, f"{resource} has no policy statement letting {S3} {action}")


def _s3_may_invoke(stack: Stack, target: Target, bucket: str) -> bool:
    for _, resource in stack.of_type("AWS::Lambda::Permission"):
        props = resource.get("Properties", {})
        if props.get("Principal") != S3 or lambda_target(stack, props.get("FunctionName")) != target:
            continue
        source = ref_of(props.get("SourceArn"))
        if source in (None, bucket) or stack.type_of(source) != "AWS::S3::Bucket":
            return True
    return False


def no_fifo_destinations(app: App) -> Iterator[Hit]:
    for n in s3_notifications(app):
        resource = ref_of(n.destination)
        props = n.stack.props(resource)
        if props.get("FifoQueue") in (True, "true") or props.get("FifoTopic") in (True, "true"):
            yield Hit(n.stack, n.logical_id, f"{resource} is a FIFO {n.kind}")


def valid_filters(app: App) -> Iterator[Hit]:
    for n in s3_notifications(app):
        for event in n.events:
            if event not in S3_EVENT_TYPES:
                yield Hit(n.stack, n.logical_id, f"'{event}' is not an S3 event type")
        names = [str(rule.get("Name", "")).lower() for rule in n.filter_rules]
        for name in sorted(set(names)):
            if name not in ("prefix", "suffix"):
                yield Hit(n.stack, n.logical_id, f"filter rule '{name}' is neither prefix nor suffix")
            elif names.count(name) > 1:
                yield Hit(n.stack, n.logical_id, f"the filter has {names.count(name)} {name} rules")


def destination_keys(app: App) -> Iterator[Hit]:
    for n in s3_notifications(app):
        stack, resource = n.stack, ref_of(n.destination)
        kind = stack.type_of(resource)
        key = (stack.props(resource).get("KmsMasterKeyId") if kind in ("AWS::SQS::Queue", "AWS::SNS::Topic")
               else None)
        if key is not None and key_allows(stack, key, S3, ("kms:GenerateDataKey", "kms:Decrypt")) is False:
            yield Hit(stack, n.logical_id, f"{resource} is encrypted with a KMS key that does not let {S3} use it")


def no_overlapping_filters(app: App) -> Iterator[Hit]:
    """Every notification of one bucket, whatever construct or stack added it: one bucket construct writes one
    Custom::S3BucketNotifications, and the imports of one bucket name (in any stack) write to the same bucket."""
    by_bucket: dict[tuple[str, str], list[Notification]] = {}
    for n in s3_notifications(app):
        by_bucket.setdefault(n.bucket_key, []).append(n)
    for notifications in by_bucket.values():
        for a, b in combinations(notifications, 2):
            if a.overlaps(b):
                yield Hit(a.stack, a.logical_id,
                          f"bucket {a.bucket}: keys '{a.keys}' ({', '.join(a.events)}) and '{b.keys}' "
                          f"({', '.join(b.events)}){_where(a, b)} overlap")


def _where(a: Notification, b: Notification) -> str:
    """Where the other notification is written, when another resource writes it."""
    if a.logical_id == b.logical_id and a.stack.path == b.stack.path:
        return ""
    stack = "" if a.stack.path == b.stack.path else f" of stack {b.stack.construct_path or b.stack.path}"
    return f" (written by {b.logical_id}{stack})"


# --- topics that services publish to ---------------------------------------------------------------


def _publishers(app: App) -> Iterator[tuple[Stack, str, str, str]]:
    """(stack, publisher logical id, service principal, topic logical id)."""
    for stack, logical_id, resource in app.of_type("AWS::CloudWatch::Alarm"):
        props = resource.get("Properties", {})
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            for action in as_list(props.get(key)):
                topic = ref_of(action)
                if topic and stack.type_of(topic) == "AWS::SNS::Topic":
                    yield stack, logical_id, "cloudwatch.amazonaws.com", topic
    for stack, logical_id, resource in app.of_type("AWS::Events::Rule"):
        for target in as_list(dig(resource, "Properties", "Targets")):
            topic = ref_of(dig(target, "Arn"))
            if topic and stack.type_of(topic) == "AWS::SNS::Topic":
                yield stack, logical_id, "events.amazonaws.com", topic


def topic_policy_lets_publishers(app: App, service: str) -> Iterator[Hit]:
    for stack, publisher, principal, topic in _publishers(app):
        if principal != service or not has_resource_policy(stack, "AWS::SNS::TopicPolicy", "Topics", topic):
            continue  # without a policy of its own, a topic keeps SNS's default one
        if not any(allows(s, "sns:Publish", service)
                   for s in resource_policies(stack, "AWS::SNS::TopicPolicy", "Topics", topic)):
            yield Hit(stack, publisher, f"publishes to {topic}, whose topic policy does not let {service} publish")


def topic_key_lets_publishers(app: App) -> Iterator[Hit]:
    for stack, publisher, service, topic in _publishers(app):
        key = stack.props(topic).get("KmsMasterKeyId")
        if key is not None and key_allows(stack, key, service, ("kms:GenerateDataKey", "kms:Decrypt")) is False:
            yield Hit(stack, publisher, f"publishes to {topic}, encrypted with a KMS key that does not let {service} "
                                        "use it")


def rules() -> list[Rule]:
    s3_guide = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
    return [
        Rule("DR-S3-NOTIFY-PERMISSION", FAILS_DEPLOY,
             "S3 refuses a notification configuration whose destination does not let S3 deliver to it "
             "(a function's permission, a queue's or topic's policy).",
             s3_guide + "grant-destinations-permissions-to-s3.html",
             "Add the permission or policy statement for s3.amazonaws.com, scoped to the bucket.",
             destinations_accept),
        Rule("DR-S3-NOTIFY-FIFO", FAILS_DEPLOY,
             "FIFO queues and FIFO topics cannot be destinations of S3 event notifications.",
             s3_guide + "notification-how-to-event-types-and-destinations.html",
             "Use a standard queue or topic (or EventBridge) for S3 events.", no_fifo_destinations),
        Rule("DR-S3-NOTIFY-FILTER", FAILS_DEPLOY,
             "S3 accepts only its own event types, and a filter of at most one prefix and one suffix rule.",
             s3_guide + "notification-how-to-filtering.html",
             "Use the event types of aws_s3.EventType; split a filter of several prefixes into several "
             "notifications.", valid_filters),
        Rule("DR-S3-NOTIFY-KEY", DROPS_SILENTLY,
             "S3 delivers to a KMS-encrypted queue or topic only when the key lets s3.amazonaws.com use it; "
             "an AWS managed key never does.",
             s3_guide + "grant-destinations-permissions-to-s3.html",
             "Use SQS-managed encryption (SSE-SQS) for a queue, or a customer managed key whose policy lets "
             "s3.amazonaws.com kms:GenerateDataKey* and kms:Decrypt.",
             destination_keys),
        Rule("DR-S3-NOTIFY-OVERLAP", FAILS_DEPLOY,
             "S3 refuses notification configurations of one bucket whose prefix and suffix filters overlap "
             "for the same event type, whatever resource or stack writes them (each import of a bucket name "
             "writes its own).",
             s3_guide + "notification-how-to-filtering.html",
             "Make the filters disjoint, or send both to one destination that fans out (SNS, EventBridge).",
             no_overlapping_filters),
        Rule("DR-SNS-CLOUDWATCH", DROPS_SILENTLY,
             "A topic with a policy of its own no longer has SNS's default policy: CloudWatch alarms publish "
             "to it only if the policy lets cloudwatch.amazonaws.com.",
             "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html",
             "Add a statement letting cloudwatch.amazonaws.com sns:Publish (scoped with aws:SourceAccount and "
             "aws:SourceArn), or constructs_lib's AlarmTopic.",
             lambda app: topic_policy_lets_publishers(app, "cloudwatch.amazonaws.com")),
        Rule("DR-SNS-EVENTBRIDGE", DROPS_SILENTLY,
             "EventBridge delivers to a topic with a policy of its own only if the policy lets "
             "events.amazonaws.com publish.",
             "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
             "Add a statement letting events.amazonaws.com sns:Publish (aws-cdk-lib's SnsTopic target does).",
             lambda app: topic_policy_lets_publishers(app, "events.amazonaws.com")),
        Rule("DR-SNS-KEY", DROPS_SILENTLY,
             "CloudWatch and EventBridge publish to a KMS-encrypted topic only when the key lets their service "
             "principal use it; an AWS managed key never does.",
             "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
             "Use a customer managed key whose policy allows the service kms:GenerateDataKey* and kms:Decrypt.",
             topic_key_lets_publishers),
    ]
