"""What SNS checks when a subscription is created: the protocols a FIFO topic delivers to."""

from __future__ import annotations

from typing import Any, Iterator

from ..core.templates import as_list, dig, joined_parts, ref_of
from .model import FAILS_DEPLOY, App, Hit, Rule, Stack

TOPIC = "AWS::SNS::Topic"
# A FIFO topic delivers to SQS queues: FIFO ones, and now standard ones too (SNS guide, "Message delivery for FIFO
# topics"; it once said FIFO queues only). Every other protocol is refused, Firehose included.
FIFO_PROTOCOLS = frozenset({"sqs"})


def _is_fifo_topic(stack: Stack, topic_arn: Any) -> bool:
    """A topic of the template with FifoTopic, or a topic's ARN whose name ends in ".fifo" (SNS gives that
    ending to FIFO topics only: a standard topic's name may not hold a period)."""
    topic = ref_of(topic_arn)
    if topic is not None:
        return stack.type_of(topic) == TOPIC and stack.props(topic).get("FifoTopic") in (True, "true")
    last = topic_arn if isinstance(topic_arn, str) else (joined_parts(topic_arn) or [None])[-1]
    return isinstance(last, str) and last.endswith(".fifo")


def _subscriptions(app: App) -> Iterator[tuple[Stack, str, Any, Any]]:
    """(stack, logical id, topic ARN, protocol) of every subscription, inline in a topic or a resource of its own."""
    for stack, logical_id, resource in app.of_type("AWS::SNS::Subscription"):
        props = dig(resource, "Properties", default={})
        yield stack, logical_id, props.get("TopicArn"), props.get("Protocol")
    for stack, logical_id, resource in app.of_type(TOPIC):
        for subscription in as_list(dig(resource, "Properties", "Subscription")):
            yield stack, logical_id, {"Ref": logical_id}, dig(subscription, "Protocol")


def fifo_topic_protocols(app: App) -> Iterator[Hit]:
    for stack, logical_id, topic_arn, protocol in _subscriptions(app):
        if isinstance(protocol, str) and protocol.lower() not in FIFO_PROTOCOLS and _is_fifo_topic(stack, topic_arn):
            topic = ref_of(topic_arn) or topic_arn
            yield Hit(stack, logical_id, f"subscribes a {protocol} endpoint to the FIFO topic {topic}")


def rules() -> list[Rule]:
    return [
        Rule("DR-SNS-FIFO-PROTOCOL", FAILS_DEPLOY,
             "A FIFO topic delivers only to SQS queues (standard or FIFO): SNS refuses a subscription of a Lambda "
             "function, an HTTP/S endpoint, an email address, a phone number, a mobile app or a Firehose stream.",
             "https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html",
             "Subscribe an SQS queue (a FIFO one keeps the order) and let the function read it "
             "(aws_lambda_event_sources.SqsEventSource), or use a standard topic.",
             fifo_topic_protocols),
    ]
