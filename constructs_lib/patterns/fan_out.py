"""FanOut: S3 event notifications -> an SNS topic -> one SQS queue per worker."""

from __future__ import annotations

from typing import Mapping, Optional, Sequence, Unpack

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..core import findings
from ..core.jsii_types import as_interface
from ..core.validation import Checks
from ..function.records_layer import records_layer
from ..observability import alarms as alarm_kit
from ..resources.bucket_notifications import add_notifications, check_own_overlaps
from ..resources.buckets import LOGS_KEPT, NONCURRENT_VERSIONS_KEPT, check_expiration, data_bucket, log_bucket
from ..resources.cdk_handlers import tidy_bucket_notifications_handler
from ..resources.keys import encrypted_topic
from ..resources.queues import failure_queue
from ..resources.s3_destinations import topic_destination
from ..resources.topics import is_fifo_topic, topic_label
from .queue_worker import QueueWorker, QueueWorkerOptions

OVERLAP_PROP = "events and suffixes"


class FanOut(Construct):
    """Every matching S3 event of a bucket, delivered to each of several workers through SNS and SQS.

    The bucket's notifications (filtered by ``events``, ``prefix`` and ``suffixes``) go to an SNS topic
    encrypted with a key S3 may use (a customer managed key: $1 a month), whose policy lets only this
    bucket, in this account, publish. Each
    worker (``add_worker``) has its own queue, subscribed with raw message delivery: its function receives
    SQS batches whose message bodies are the S3 events themselves. Workers get the layer ``s3_records``
    (``from s3_records import s3_records``) to read the S3 records out of a batch. Deliveries SNS could not
    make end in ``undelivered``.

    :param source_bucket: the bucket whose events fan out (default: a new versioned, encrypted bucket whose
        access logs go to a log bucket).
    :param events: the S3 event types (default ``OBJECT_CREATED``).
    :param prefix: only keys under this prefix.
    :param suffixes: only keys with one of these endings (default: any key); one notification each. No two
        notifications of the bucket may overlap, its others included: checked at synth, whoever added them.
    :param topic: a standard topic of yours to publish to (default: a new encrypted topic); S3 publishes to no
        FIFO topic. A topic defined in the app is given the policy statement that lets the bucket publish, and its
        key (one defined in the app) the statement that lets S3 use it.
    :param noncurrent_version_expiration: of a created bucket (default 30 days).
    :param log_expiration: of a created bucket's access logs (default 365 days).
    :param alarm_topic: where the fan-out's own alarms notify (workers take ``alarm_topic=`` of their own).
    :param create_alarms: undelivered messages and failed SNS deliveries alarm (default True).

    Exposes ``source_bucket``, ``topic``, ``key`` (None for a given topic), ``undelivered``, ``workers``
    (by id), ``queues`` (every subscribed queue, by id) and ``alarms`` (its own and every worker's).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_bucket: Optional[s3.IBucket] = None,
        events: Sequence[s3.EventType] = (s3.EventType.OBJECT_CREATED,),
        prefix: Optional[str] = None,
        suffixes: Sequence[str] = (),
        topic: Optional[sns.ITopic] = None,
        noncurrent_version_expiration: Duration = NONCURRENT_VERSIONS_KEPT,
        log_expiration: Duration = LOGS_KEPT,
        alarm_topic: Optional[sns.ITopic] = None,
        create_alarms: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        checks = Checks(self, "FanOut")
        checks.require(bool(events), "events", list(events), "must name at least one S3 event type")
        for suffix in suffixes:
            checks.require(bool(suffix), "suffixes", list(suffixes), "must not hold an empty suffix")
        check_own_overlaps(checks, OVERLAP_PROP, events, prefix, suffixes)
        checks.require(
            topic is None or not is_fifo_topic(topic), "topic", topic and topic_label(topic),
            "is a FIFO topic: S3 sends event notifications to standard topics only. Give a standard topic, or "
            "none (FanOut creates one)",
        )
        check_expiration(checks, "noncurrent_version_expiration", noncurrent_version_expiration)
        check_expiration(checks, "log_expiration", log_expiration)
        checks.raise_if_any()

        self.source_bucket = source_bucket or data_bucket(
            self, "Source", noncurrent_version_expiration=noncurrent_version_expiration,
            access_logs=log_bucket(self, "AccessLogs", expiration=log_expiration, delivery="s3"),
            without_key_because="SSE-S3 (AES-256) encrypts every object. For a customer managed key, give a bucket "
            "encrypted with SSE-KMS as source_bucket=; the workers' roles then need its key.",
        )
        self.key: Optional[kms.Key] = None
        if topic is None:
            self.key, new_topic = encrypted_topic(self, f"the S3 events of {self.node.path}")
            topic = as_interface(sns.ITopic, new_topic)
        self.topic = topic
        add_notifications(self, "FanOut", OVERLAP_PROP, self.source_bucket,
                          topic_destination(self.source_bucket, topic), events, prefix, suffixes)
        self._answer_findings(source_bucket is None)
        self.undelivered = failure_queue(self, "Undelivered")
        self.workers: dict[str, QueueWorker] = {}
        self.queues: dict[str, sqs.IQueue] = {}
        self.alarms: alarm_kit.Alarms = alarm_kit.pattern_alarms(
            {"create_alarms": create_alarms, "alarm_topic": alarm_topic}, self._alarms)
        alarm_kit.warn_if_silent(self)

    def add_worker(self, construct_id: str, *, filter_policy: Optional[Mapping[str, sns.FilterOrPolicy]] = None,
                   **worker_options: Unpack[QueueWorkerOptions]) -> QueueWorker:
        """A ``QueueWorker`` (any of its options, typed as its own) whose queue receives the bucket's events.

        :param filter_policy: an SNS filter policy on the message body (the S3 event), for a worker that
            wants only some of the events (default: every event).
        """
        checks = Checks(self, "FanOut")
        checks.require(not worker_options.get("fifo"), "fifo", True,
                       "cannot be: an SNS standard topic delivers to standard queues only")
        checks.require(construct_id not in self.queues, "add_worker", construct_id, "is already subscribed")
        checks.raise_if_any()
        options: QueueWorkerOptions = {
            **worker_options, "layers": [*worker_options.get("layers", ()), self.records_layer],
        }
        worker = QueueWorker(self, construct_id, **options)
        self._subscribe(construct_id, worker.queue, filter_policy)
        self.workers[construct_id] = worker
        self.alarms.update({f"{construct_id}.{name}": alarm for name, alarm in worker.alarms.items()})
        return worker

    def add_queue(self, construct_id: str, queue: sqs.IQueue, *,
                  filter_policy: Optional[Mapping[str, sns.FilterOrPolicy]] = None) -> None:
        """Subscribes a queue that someone else consumes (raw message delivery, as for workers)."""
        checks = Checks(self, "FanOut")
        checks.require(construct_id not in self.queues, "add_queue", construct_id, "is already subscribed")
        checks.require(not queue.fifo, "add_queue", construct_id,
                       "is a FIFO queue: an SNS standard topic delivers to standard queues only")
        checks.raise_if_any()
        self._subscribe(construct_id, queue, filter_policy)

    @property
    def records_layer(self) -> lambda_.LayerVersion:
        """The layer with the ``s3_records`` module, which every worker gets."""
        return records_layer(self)

    def _subscribe(self, construct_id: str, queue: sqs.IQueue,
                   filter_policy: Optional[Mapping[str, sns.FilterOrPolicy]]) -> None:
        self.topic.add_subscription(subscriptions.SqsSubscription(
            queue, raw_message_delivery=True, dead_letter_queue=self.undelivered,
            filter_policy_with_message_body=filter_policy))
        self.queues[construct_id] = queue

    def _answer_findings(self, created_bucket: bool) -> None:
        if created_bucket:
            findings.skip(
                self.source_bucket,
                "aws-cdk-lib's Custom::S3BucketNotifications resource configures this bucket's notifications (to "
                "the topic) at deploy time; the rule reads only the bucket's own properties.",
                guard=["s3_event_notifications_enabled_check"],
            )
        tidy_bucket_notifications_handler(self)

    def _alarms(self) -> alarm_kit.Alarms:
        failed = cloudwatch.Metric(
            namespace="AWS/SNS", metric_name="NumberOfNotificationsFailed", statistic="Sum",
            dimensions_map={"TopicName": self.topic.topic_name}, period=alarm_kit.PERIOD,
        )
        return {
            "failed_deliveries": alarm_kit.any_of(self, "FailedDeliveriesAlarm", failed,
                                                  "SNS could not deliver to a subscribed queue"),
            "undelivered_not_empty": alarm_kit.queue_not_empty(
                self, "UndeliveredAlarm", self.undelivered, "Messages SNS gave up delivering"),
        }
