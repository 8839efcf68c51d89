"""StreamConsumer: Kinesis data stream or DynamoDB stream -> event source mapping -> function."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Union, Unpack

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..core.jsii_types import as_interface
from ..core.validation import Checks, seconds_of
from ..function.destinations import as_stream_failure_destination
from ..function.failed_events import SET_BY_SYNCHRONOUS_PATTERNS, invoked_synchronously
from ..function.mapping_controls import check_expected_events, dropped_events_alarm, metrics_config, no_events_alarm
from ..function.options import StreamConsumerFunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit
from ..resources.queues import failure_queue

FailureDestination = Union[sqs.IQueue, sns.ITopic, s3.IBucket]
DEFAULT_TIMEOUT = Duration.seconds(30)


class StreamConsumer(Construct):
    """A function that reads a Kinesis data stream or a DynamoDB table's stream, shard by shard, in order.

    A failing batch is split in two and retried (``bisect_batch_on_error``) until the bad record is
    alone; when its retries or its age run out, the record's location goes to the on-failure
    destination instead of blocking the shard. The mapping reports batch item failures, so the
    handler can name the first record it failed and the records before it count as done.

    :param stream: a Kinesis data stream. Exclusive with ``table``.
    :param table: a DynamoDB table with a stream (``stream=`` set on the table, or an imported table
        with ``table_stream_arn``). Exclusive with ``stream``.
    :param starting_position: where a new mapping starts reading (default LATEST); AT_TIMESTAMP is
        for Kinesis only.
    :param batch_size: records per invocation, 1-10000 (default 100).
    :param max_batching_window: how long to gather a batch, 0-300 s (default none).
    :param parallelization_factor: concurrent batches per shard, 1-10 (default 1).
    :param bisect_batch_on_error: split a failing batch and retry the halves (default True).
    :param retry_attempts: retries of a failing batch, 0-10000 (default 3).
    :param max_record_age: records older than this are sent to ``on_failure`` unprocessed,
        60 s-7 days (default 1 day, a DynamoDB stream's retention).
    :param on_failure: where discarded batches are described: an SQS queue, SNS topic or S3 bucket
        (default: a new encrypted queue).
    :param filters: event filtering patterns (``lambda_.FilterCriteria.filter(...)``) (default none).
    :param report_batch_item_failures: (default True) the handler returns ``batchItemFailures``.
    :param metrics: the mapping's EventCount metrics (polled, filtered, invoked, failed, dropped records), per
        mapping (default True).
    :param expect_events_within: alarm when the mapping polls no record for this long (whole minutes, up to a
        day; needs ``metrics``) (default none: a quiet stream is no alarm).
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option,
        ``deployment`` included (the mapping then targets the alias). Default timeout 30 s.

    Exposes ``function`` (the ServerlessFunction), ``event_source_mapping``, ``on_failure`` and
    ``alarms``: the function's, plus iterator age over 5 minutes, the on-failure queue not empty (for a topic or
    bucket: records dropped, with ``metrics``) and (with ``expect_events_within``) no record polled.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stream: Optional[kinesis.IStream] = None,
        table: Optional[dynamodb.ITable] = None,
        starting_position: lambda_.StartingPosition = lambda_.StartingPosition.LATEST,
        batch_size: int = 100,
        max_batching_window: Optional[Duration] = None,
        parallelization_factor: int = 1,
        bisect_batch_on_error: bool = True,
        retry_attempts: int = 3,
        max_record_age: Duration = Duration.days(1),
        on_failure: Optional[FailureDestination] = None,
        filters: Optional[Sequence[Mapping[str, Any]]] = None,
        report_batch_item_failures: bool = True,
        metrics: bool = True,
        expect_events_within: Optional[Duration] = None,
        **function_options: Unpack[StreamConsumerFunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, StreamConsumer.__init__, SET_BY_SYNCHRONOUS_PATTERNS,
                               invoked_without_tenant_id_by="A stream's event source mapping")
        checks = Checks(self, "StreamConsumer")
        checks.require((stream is None) != (table is None), "stream", stream, "and table: give exactly one of them")
        if table is not None:
            checks.require(
                table.table_stream_arn is not None, "table", table.node.path,
                "has no stream: enable one on the table (stream=StreamViewType.NEW_AND_OLD_IMAGES) "
                "or import it with table_stream_arn",
            )
            checks.require(
                starting_position != lambda_.StartingPosition.AT_TIMESTAMP, "starting_position",
                "AT_TIMESTAMP", "is for Kinesis streams only: use LATEST or TRIM_HORIZON",
            )
        checks.within("batch_size", batch_size, 1, 10_000)
        checks.within("max_batching_window", max_batching_window, 0, 300, "seconds", seconds_of(max_batching_window))
        checks.within("parallelization_factor", parallelization_factor, 1, 10)
        checks.within("retry_attempts", retry_attempts, 0, 10_000)
        checks.within("max_record_age", max_record_age, 60, 7 * 24 * 3600, "seconds", seconds_of(max_record_age))
        check_expected_events(checks, expect_events_within, metrics)
        failure_destination: Optional[lambda_.IEventSourceDlq] = None
        if on_failure is not None:
            failure_destination = as_stream_failure_destination(on_failure)
            checks.require(
                failure_destination is not None, "on_failure", type(on_failure).__name__,
                "must be an SQS queue, SNS topic or S3 bucket",
            )
        checks.raise_if_any()

        function_options.setdefault("timeout", DEFAULT_TIMEOUT)
        function_options["no_failure_target"] = invoked_synchronously(
            function_options, "An event source mapping",
            "discarded batches are described in the mapping's on-failure destination",
        )
        self.function = ServerlessFunction(self, "Function", **function_options)
        if on_failure is None:
            failures = failure_queue(self, "OnFailure")
            on_failure = failures
            failure_destination = as_interface(
                lambda_.IEventSourceDlq, sources.SqsDlq(as_interface(sqs.IQueue, failures)))
        self.on_failure = on_failure
        if stream is not None:
            source_arn = stream.stream_arn
            stream.grant_read(self.function.role)
        else:
            assert table is not None  # exactly one of them, checked above
            source_arn = table.table_stream_arn
            table.grant_stream_read(self.function.role)
        self.event_source_mapping = lambda_.EventSourceMapping(
            self,
            "EventSourceMapping",
            target=self.function.invoke_target,
            event_source_arn=source_arn,
            starting_position=starting_position,
            batch_size=batch_size,
            max_batching_window=max_batching_window,
            parallelization_factor=parallelization_factor,
            bisect_batch_on_error=bisect_batch_on_error,
            retry_attempts=retry_attempts,
            max_record_age=max_record_age,
            on_failure=failure_destination,
            filters=filters,
            report_batch_item_failures=report_batch_item_failures,
            metrics_config=metrics_config(metrics),
        )
        self._metrics, self._expect_events_within = metrics, expect_events_within
        # The mapping polls with the role: it must exist with its permissions first.
        self.event_source_mapping.node.add_dependency(self.function.role)
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, self._alarms)}
        alarm_kit.warn_if_silent(self)

    def _alarms(self) -> alarm_kit.Alarms:
        iterator_age = self.function.function.metric("IteratorAge", period=alarm_kit.PERIOD, statistic="Maximum")
        found = {
            "iterator_age": alarm_kit.above(
                self, "IteratorAgeAlarm", iterator_age, alarm_kit.ITERATOR_AGE_MILLISECONDS,
                "The consumer is more than 5 minutes behind the stream",
            )
        }
        if hasattr(self.on_failure, "queue_arn"):
            found["on_failure_not_empty"] = alarm_kit.queue_not_empty(
                self, "OnFailureAlarm", as_interface(sqs.IQueue, self.on_failure),
                "Batches were discarded after their retries",
            )
        elif self._metrics:  # a topic or bucket has no alarm of its own: the mapping counts what it dropped
            found["records_dropped"] = dropped_events_alarm(self, self.event_source_mapping)
        if self._expect_events_within is not None:
            found["no_events"] = no_events_alarm(self, self.event_source_mapping, self._expect_events_within)
        return found
