"""Which trigger a function has, read from its template: an event source mapping (SQS, Kinesis, DynamoDB
stream), a permission for a service principal (S3, SNS, EventBridge, API Gateway, ALB, Cognito), an SNS
subscription or an EventBridge Scheduler schedule; and, for a queue, whether its messages are S3 events
(S3 -> SQS, or S3 -> SNS -> SQS as FanOut wires it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, cast

from ...core.templates import Props, as_list, dig, ref_of, refs
from .function import LocalFunction

PRINCIPALS = {"s3.amazonaws.com": "s3", "sns.amazonaws.com": "sns", "events.amazonaws.com": "eventbridge",
              "apigateway.amazonaws.com": "apigw", "elasticloadbalancing.amazonaws.com": "alb",
              "cognito-idp.amazonaws.com": "cognito"}
MAPPED = {"AWS::SQS::Queue": "sqs", "AWS::Kinesis::Stream": "kinesis", "AWS::DynamoDB::Table": "dynamodb",
          "AWS::DynamoDB::GlobalTable": "dynamodb"}


@dataclass
class S3Source:
    """A bucket whose notifications reach the function, with their key filter."""

    bucket: str  # logical ID
    prefix: str = ""
    suffix: str = ""
    through_sns: bool = False  # an SNS envelope (not raw delivery) around the S3 event


@dataclass
class Trigger:
    kind: str  # one of events.KINDS
    source: Optional[str] = None  # the logical ID of the queue, stream, table, topic, bucket, API or rule
    s3: Optional[S3Source] = None  # what a queue's or topic's messages carry, when they are S3 events
    details: Props = field(default_factory=dict[str, Any])


def triggers_of(function: LocalFunction) -> list[Trigger]:
    names, me = function.names, function.logical_id
    found: list[Trigger] = []
    for logical_id, resource in names.resources.items():
        kind, properties = resource.get("Type"), cast(Props, resource.get("Properties", {}))
        if kind == "AWS::Lambda::EventSourceMapping" and names.target(properties.get("FunctionName")) == me:
            source = names.target(properties.get("EventSourceArn"))
            if source and names.type_of(source) in MAPPED:
                found.append(Trigger(MAPPED[names.type_of(source)], source, s3_behind(function, source)))
        elif kind == "AWS::Lambda::Permission" and names.target(properties.get("FunctionName")) == me:
            principal = str(properties.get("Principal", ""))
            trigger = PRINCIPALS.get(principal)
            source = next(iter(sorted(r for r in refs(properties.get("SourceArn")) if r in names.resources)), None)
            if trigger == "apigw":
                http = source is not None and names.type_of(source).startswith("AWS::ApiGatewayV2")
                trigger = "apigw-v2" if http else "apigw-v1"
            if trigger == "eventbridge" and source and dig(names.resources.get(source), "Properties",
                                                          "ScheduleExpression"):
                trigger = "schedule"
            if trigger == "s3":
                found.append(Trigger("s3", source, bucket_filter(function, source, me)))
            elif trigger == "sns":
                found.append(Trigger("sns", source, s3_behind(function, source) if source else None))
            elif trigger:
                found.append(Trigger(trigger, source))
        elif kind == "AWS::Scheduler::Schedule" and names.target(dig(properties, "Target", "Arn")) == me:
            found.append(Trigger("schedule", logical_id))
    unique = {(t.kind, t.source): t for t in found}  # one per source: $LATEST and alias permissions alike
    return list(unique.values())


def notifications(function: LocalFunction) -> list[tuple[str, str, Props]]:
    """(bucket, "Lambda"/"Queue"/"Topic", configuration) of every S3 notification in the template, whether
    the bucket states it or aws-cdk-lib's Custom::S3BucketNotifications does."""
    found: list[tuple[str, str, Props]] = []
    for logical_id, resource in function.names.resources.items():
        properties = cast(Props, resource.get("Properties", {}))
        if resource.get("Type") == "AWS::S3::Bucket":
            bucket: Optional[str] = logical_id
        elif resource.get("Type") == "Custom::S3BucketNotifications":
            bucket = ref_of(properties.get("BucketName"))
        else:
            continue
        configuration = cast(Props, properties.get("NotificationConfiguration", {}))
        for key, target in (("LambdaFunctionConfigurations", "Lambda"), ("LambdaConfigurations", "Lambda"),
                            ("QueueConfigurations", "Queue"), ("TopicConfigurations", "Topic")):
            for entry in as_list(configuration.get(key)):
                if bucket:
                    found.append((bucket, target, cast(Props, entry)))
    return found


def key_filter(entry: Props) -> tuple[str, str]:
    rules = {str(rule.get("Name", "")).lower(): str(rule.get("Value", ""))
             for rule in as_list(dig(entry, "Filter", "S3Key", "Rules") or dig(entry, "Filter", "Key", "FilterRules"))}
    return rules.get("prefix", ""), rules.get("suffix", "")


def bucket_filter(function: LocalFunction, bucket: Optional[str], me: str) -> Optional[S3Source]:
    for found, target, entry in notifications(function):
        arn = entry.get("LambdaFunctionArn") or entry.get("Function")  # aws-cdk-lib's custom resource, or S3's
        if target == "Lambda" and function.names.target(arn) == me and (bucket is None or found == bucket):
            return S3Source(found, *key_filter(entry))
    return S3Source(bucket) if bucket else None


def s3_behind(function: LocalFunction, source: str) -> Optional[S3Source]:
    """When the queue or topic `source` receives S3 events: from which bucket, and in an SNS envelope or not."""
    names = function.names
    for bucket, target, entry in notifications(function):
        destination = names.target(entry.get("Queue") or entry.get("QueueArn") or entry.get("Topic")
                                   or entry.get("TopicArn"))
        if destination == source:
            return S3Source(bucket, *key_filter(entry))
        if target == "Topic" and destination:
            for resource in names.resources.values():
                properties = cast(Props, resource.get("Properties", {}))
                if (resource.get("Type") == "AWS::SNS::Subscription" and names.target(properties.get("Endpoint"))
                        == source and ref_of(properties.get("TopicArn")) == destination):
                    raw = properties.get("RawMessageDelivery") in (True, "true")
                    return S3Source(bucket, *key_filter(entry), through_sns=not raw)
    return None
