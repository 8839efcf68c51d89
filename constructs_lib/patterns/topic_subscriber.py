"""TopicSubscriber: an SNS topic -> function (SNS invokes it asynchronously)."""

from __future__ import annotations

from typing import Mapping, Optional, Unpack

from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from ..core import findings
from ..core.jsii_types import as_interface
from ..core.validation import Checks
from ..function.failed_events import skip_async_permission_checks
from ..function.options import FunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit
from ..resources.keys import encrypted_topic
from ..resources.queues import failure_queue
from ..resources.topics import is_fifo_topic, topic_label


class TopicSubscriber(Construct):
    """A function subscribed to an SNS topic (by default a new one, encrypted with a key of its own:
    $1 a month).

    SNS invokes the function asynchronously: Lambda retries a failed invocation (``retry_attempts``,
    ``max_event_age``) and then sends the event to the on-failure destination, by default the stack's
    `FailedEvents` queue, ``failures``. Messages SNS itself could not deliver to the function (it was throttled
    past SNS's retries, or its permission is missing) go to the subscription's dead-letter queue, ``undelivered``.

    :param topic: the topic to subscribe to (default: a new topic, encrypted with a key of its own, SSL-only;
        let publishers in with ``topic.grant_publish(...)``, which grants the key too). A standard topic: a FIFO
        topic delivers only to SQS queues (give its queue to a ``QueueWorker`` instead).
    :param filter_policy: an SNS filter policy on message attributes: only matching messages invoke.
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option,
        ``deployment`` included (the subscription then invokes the alias).

    Exposes ``topic``, ``key`` (None for a given topic), ``function`` (the ServerlessFunction),
    ``subscription_dead_letter_queue`` (``undelivered``), ``failures`` (the stack's FailedEvents queue; None
    when the options named a failure target) and ``alarms``: the function's, plus the undelivered queue not empty.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topic: Optional[sns.ITopic] = None,
        filter_policy: Optional[Mapping[str, sns.SubscriptionFilter]] = None,
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, TopicSubscriber.__init__,
                               invoked_without_tenant_id_by="An SNS subscription")
        checks = Checks(self, "TopicSubscriber")
        checks.require(
            topic is None or not is_fifo_topic(topic), "topic", topic and topic_label(topic),
            "is a FIFO topic, which delivers only to SQS queues: SNS would refuse the function's subscription. "
            "Subscribe a QueueWorker's queue instead (topic.add_subscription(SqsSubscription(worker.queue)); "
            "QueueWorker(fifo=True) keeps the order)",
        )
        checks.raise_if_any()
        self.key: Optional[kms.Key] = None
        if topic is None:
            self.key, new_topic = encrypted_topic(self, f"the messages of {self.node.path}")
            topic = as_interface(sns.ITopic, new_topic)
        self.topic = topic
        self.function = ServerlessFunction(self, "Function", **function_options)
        self.failures = self.function.failed_events.queue if self.function.failed_events else None
        self.subscription_dead_letter_queue = failure_queue(self, "Undelivered")
        topic.add_subscription(subscriptions.LambdaSubscription(
            self.function.invoke_target, filter_policy=filter_policy,
            dead_letter_queue=self.subscription_dead_letter_queue,
        ))
        skip_async_permission_checks(
            [c for c in self.function.invoke_target.node.children
             if isinstance(c, lambda_.CfnPermission) and c.principal == "sns.amazonaws.com"],
            self.function, self.function.failure_target, "Messages",
        )
        if self.function.alias is not None:
            for subscription in self.function.node.find_all():
                if isinstance(subscription, sns.CfnSubscription):
                    findings.acknowledge(
                        subscription, "CloudFormation-Validate::W3694",
                        "SNS takes a qualified function ARN as a lambda endpoint: it invokes the alias that the "
                        "safe deployment shifts (as SAM does for AutoPublishAlias).",
                    )
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, self._alarms)}
        alarm_kit.warn_if_silent(self)

    def _alarms(self) -> alarm_kit.Alarms:
        return {"undelivered_not_empty": alarm_kit.queue_not_empty(
            self, "UndeliveredAlarm", self.subscription_dead_letter_queue, "Messages SNS could not deliver")}
