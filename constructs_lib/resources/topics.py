"""What the app states of a topic it is given: whether SNS knows it as a FIFO topic."""

from __future__ import annotations

from typing import Optional

from aws_cdk import Reference, Token, Tokenization
from aws_cdk import aws_sns as sns
from constructs import IConstruct


def is_fifo_topic(topic: sns.ITopic) -> bool:
    """True when the app states that `topic` is a FIFO topic: the L2's ``fifo`` (an imported ARN's name ending
    in ".fifo" included), the FifoTopic of the CfnTopic behind it (its own, or the one an imported ARN refers
    to), or a name ending in ".fifo", which SNS gives FIFO topics only. A name known only at deploy time is not
    judged."""
    if topic.fifo:
        return True
    cfn_topic = _cfn_topic(topic)
    if cfn_topic is not None and cfn_topic.fifo_topic in (True, "true"):
        return True
    name = topic.topic_name
    return not Token.is_unresolved(name) and name.endswith(".fifo")


def topic_label(topic: sns.ITopic) -> str:
    """How a message names the topic: its name when the app states it, else its construct path."""
    name = topic.topic_name
    return topic.node.path if Token.is_unresolved(name) else name


def _cfn_topic(topic: sns.ITopic) -> Optional[sns.CfnTopic]:
    if isinstance(topic.node.default_child, sns.CfnTopic):
        return topic.node.default_child
    if Token.is_unresolved(topic.topic_arn):
        reference = Tokenization.reverse(topic.topic_arn, fail_concat=False)
        target: Optional[IConstruct] = reference.target if isinstance(reference, Reference) else None
        if isinstance(target, sns.CfnTopic):
            return target
    return None
