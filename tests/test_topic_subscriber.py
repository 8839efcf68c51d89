"""TopicSubscriber: SNS -> function, asynchronous failures kept, undelivered messages kept, filters."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_sns as sns

from constructs_lib import ConfigurationError, Deployment, TopicSubscriber
from constructs_lib.resources.queues import failure_queue
from constructs_lib.core.templates import refs
from tests.helpers import PLAIN, template_of, watched_by


def props(stack: Stack, kind: str) -> list[dict]:
    return [r.get("Properties", {}) for r in template_of(stack).find_resources(kind).values()]


def logical_id(stack: Stack, construct) -> str:
    return stack.get_logical_id(construct.node.default_child)


def test_a_created_topic_is_encrypted_and_ssl_only(stack: Stack) -> None:
    subscriber = TopicSubscriber(stack, "Orders", entry=PLAIN)
    (topic,) = props(stack, "AWS::SNS::Topic")
    assert refs(topic["KmsMasterKeyId"]) == {logical_id(stack, subscriber.key)}
    (policy,) = props(stack, "AWS::SNS::TopicPolicy")
    assert [s["Effect"] for s in policy["PolicyDocument"]["Statement"]] == ["Deny"]
    (key,) = props(stack, "AWS::KMS::Key")
    assert key["EnableKeyRotation"] is True


def test_subscription_keeps_what_sns_and_lambda_could_not_deliver(stack: Stack) -> None:
    subscriber = TopicSubscriber(stack, "Orders", entry=PLAIN, filter_policy={
        "kind": sns.SubscriptionFilter.string_filter(allowlist=["order"])})
    (subscription,) = props(stack, "AWS::SNS::Subscription")
    assert subscription["Protocol"] == "lambda"
    assert refs(subscription["Endpoint"]) == {logical_id(stack, subscriber.function.function)}
    assert subscription["FilterPolicy"] == {"kind": ["order"]}
    assert refs(subscription["RedrivePolicy"]) == {logical_id(stack, subscriber.subscription_dead_letter_queue)}
    assert props(stack, "AWS::Lambda::EventInvokeConfig") == []  # Lambda's own asynchronous settings
    (function,) = props(stack, "AWS::Lambda::Function")
    assert refs(function["DeadLetterConfig"]) == {logical_id(stack, subscriber.failures)}
    (permission,) = props(stack, "AWS::Lambda::Permission")
    assert permission["Principal"] == "sns.amazonaws.com"
    assert refs(permission["SourceArn"]) == {logical_id(stack, subscriber.topic)}
    assert "undelivered_not_empty" in subscriber.alarms
    assert watched_by(subscriber) == {"FunctionErrors", "FunctionThrottles", "DeadLetterErrors"}  # the stack's alarms


def test_a_given_topic_and_failure_target(stack: Stack) -> None:
    topic = sns.Topic.from_topic_arn(stack, "Topic", "arn:aws:sns:us-east-1:111122223333:orders")
    failures = failure_queue(stack, "Mine")
    subscriber = TopicSubscriber(stack, "Orders", topic=topic, entry=PLAIN, on_failure=failures)
    assert subscriber.topic is topic and subscriber.key is None and subscriber.failures is None
    template_of(stack).resource_count_is("AWS::SNS::Topic", 0)
    (config,) = props(stack, "AWS::Lambda::EventInvokeConfig")
    assert refs(config["DestinationConfig"]["OnFailure"]) == {logical_id(stack, failures)}


def test_with_a_safe_deployment_the_alias_is_subscribed(stack: Stack) -> None:
    subscriber = TopicSubscriber(stack, "Orders", entry=PLAIN, deployment=Deployment.all_at_once())
    (subscription,) = props(stack, "AWS::SNS::Subscription")
    assert refs(subscription["Endpoint"]) == {logical_id(stack, subscriber.function.alias)}
    (permission,) = props(stack, "AWS::Lambda::Permission")
    assert refs(permission["FunctionName"]) == {logical_id(stack, subscriber.function.alias)}


def test_a_fifo_topic_is_refused_it_delivers_to_queues_only(stack: Stack) -> None:
    """Whether the app defines the FIFO topic (its fifo), imports its ARN (a name ending in .fifo) or refers to a
    CfnTopic (its FifoTopic)."""
    cfn_topic = sns.CfnTopic(stack, "Cfn", fifo_topic=True, topic_name="prices.fifo")
    imported = sns.Topic.from_topic_arn(stack, "Imported", "arn:aws:sns:us-east-1:111122223333:orders.fifo")
    topics = {"'Test/Ordered'": sns.Topic(stack, "Ordered", fifo=True), "'orders.fifo'": imported,
              "'Test/FromCfn'": sns.Topic.from_topic_arn(stack, "FromCfn", cfn_topic.attr_topic_arn)}
    for i, (shown, topic) in enumerate(topics.items()):  # its name when the app states it, else its path
        with pytest.raises(ConfigurationError, match=re.escape(
                f"TopicSubscriber 'Test/Orders{i}': topic {shown} is a FIFO topic, which delivers only to SQS queues: SNS would refuse the function's subscription. "
                "Subscribe a QueueWorker's queue instead (topic.add_subscription(SqsSubscription(worker.queue)); "
                "QueueWorker(fifo=True) keeps the order)")):
            TopicSubscriber(stack, f"Orders{i}", topic=topic, entry=PLAIN)
    template_of(stack).resource_count_is("AWS::SNS::Subscription", 0)
