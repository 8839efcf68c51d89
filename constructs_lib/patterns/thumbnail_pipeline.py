"""ThumbnailPipeline: S3 upload -> Lambda -> thumbnails bucket + DynamoDB metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional, Sequence, Unpack, get_args

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from ..core import findings
from ..core.validation import Checks
from ..function.option_types import NUMBER, TEXT, check_types
from ..function.options import FunctionOptions
from ..function.pattern_options import check_function_options
from ..function.records_layer import records_layer
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit
from ..resources.bucket_notifications import add_notifications, check_own_overlaps
from ..resources.buckets import LOGS_KEPT, NONCURRENT_VERSIONS_KEPT, check_expiration, data_bucket, log_bucket
from ..resources.cdk_handlers import tidy_bucket_notifications_handler
from ..resources.queues import failure_queue
from ..resources.s3_destinations import queue_destination
from .queue_worker import QueueWorker

HANDLER_ENTRY = Path(__file__).resolve().parents[1] / "handlers" / "thumbnail"
DEFAULT_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
# Images with more pixels are rejected as possible decompression bombs (a 12 MP photo is far below).
DEFAULT_MAX_PIXELS = 50_000_000
Via = Literal["direct", "queue"]
VIAS: tuple[Via, ...] = get_args(Via)
DEFAULT_MEMORY_MB = 512
OWN_OPTION_TYPES = {
    "sizes": ((list, tuple), "a list of widths in pixels (e.g. [128, 512])"), "max_pixels": NUMBER, "via": TEXT,
}
# The singleton CDK adds to every stack that has S3 notifications.


class ThumbnailPipeline(Construct):
    """Images uploaded to ``source_bucket`` get thumbnails in ``thumbnail_bucket`` and an item in ``table``.

    :param source_bucket: where images are uploaded (default: a new versioned, encrypted, SSL-only,
        private bucket whose old versions expire). Any ``IBucket``, imported ones included.
    :param thumbnail_bucket: where thumbnails go, under ``{size}/`` (default: a new bucket like the
        source one). May be the source bucket only when ``prefix`` keeps uploads and thumbnails apart.
    :param table: metadata table with the string partition key ``image_key`` (default: a new
        on-demand table with point-in-time recovery).
    :param sizes: longest-edge sizes in pixels, each 16-4096 (default ``[256]``).
    :param prefix: only keys under this prefix trigger the function (default: every key).
    :param suffixes: only keys with one of these endings trigger (default: common image types). No two
        notifications of the source bucket may overlap, its others included: checked at synth, whoever added them.
    :param max_pixels: images with more pixels are recorded as rejected (default 50 million).
    :param noncurrent_version_expiration: how long the created buckets keep an overwritten or deleted
        object's old version (default 30 days).
    :param log_expiration: how long the access log bucket keeps logs (default 365 days).
    :param via: "direct" (default): S3 invokes the function, which retries a failed event twice and then
        sends it to ``failures``. "queue": S3 sends events to an SQS queue that the function works through
        (a QueueWorker): bursts wait in the queue, each upload is retried on its own (partial batch
        failures), and a message that keeps failing rests in the dead-letter queue, ``failures``.
    :param batch_size: uploads per invocation with ``via="queue"`` (default 5).
    :param max_concurrency: most concurrent invocations with ``via="queue"`` (default: no limit).
    :param function_options: any other ``ServerlessFunction`` option (memory_size: default 512 MB;
        timeout: default 30 s, ...).

    Memory: the handler works out, before decoding an image, the memory its thumbnails need, and records
    an image that would not fit in the function's memory as rejected, with the memory_size that would
    do. At 512 MB that is above about 34 megapixels for PNGs with transparency and 16-21 megapixels for
    WebP (make bench prints the limits per format); JPEGs, GIFs and opaque PNGs up to max_pixels fit.

    Exposes ``source_bucket``, ``thumbnail_bucket``, ``table``, ``function`` (the ServerlessFunction),
    ``failures`` (the queue that receives events that failed every retry, or the dead-letter queue),
    ``queue`` and ``worker`` (the QueueWorker; None unless ``via="queue"``), ``access_logs`` (the server
    access log bucket, when the construct created buckets) and ``alarms`` (the function's: errors,
    throttles, failed deliveries, ``failures`` not empty; with a queue, its oldest message too).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_bucket: Optional[s3.IBucket] = None,
        thumbnail_bucket: Optional[s3.IBucket] = None,
        table: Optional[dynamodb.ITable] = None,
        sizes: Sequence[int] = (256,),
        prefix: Optional[str] = None,
        suffixes: Sequence[str] = DEFAULT_SUFFIXES,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        noncurrent_version_expiration: Duration = NONCURRENT_VERSIONS_KEPT,
        log_expiration: Duration = LOGS_KEPT,
        via: Via = "direct",
        batch_size: Optional[int] = None,
        max_concurrency: Optional[int] = None,
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        fixed = ("entry", "handler", "image") + (("on_failure",) if via == "direct" else ())
        check_function_options(self, function_options, ThumbnailPipeline.__init__, fixed,
                               invoked_without_tenant_id_by="An S3 event notification")
        checks = Checks(self, "ThumbnailPipeline")
        check_types(checks, {"sizes": sizes, "max_pixels": max_pixels, "via": via}, OWN_OPTION_TYPES)
        checks.raise_if_any()
        sizes = list(sizes)
        checks.require(bool(sizes), "sizes", sizes, "must name at least one thumbnail size")
        for size in sizes:
            if type(size) is int:
                checks.within("sizes", size, 16, 4096, "pixels")
            else:
                checks.fail("sizes", size, "must be an int (pixels)")
        checks.require(max_pixels >= 1, "max_pixels", max_pixels, "must be 1 or more")
        check_expiration(checks, "noncurrent_version_expiration", noncurrent_version_expiration)
        check_expiration(checks, "log_expiration", log_expiration)
        _check_no_loop(checks, source_bucket, thumbnail_bucket, prefix, sizes)
        check_own_overlaps(checks, "suffixes", [s3.EventType.OBJECT_CREATED], prefix, suffixes)
        if checks.one_of("via", via, VIAS):  # an unknown via gets its message alone, no knock-on ones
            for prop, value in (("batch_size", batch_size), ("max_concurrency", max_concurrency)):
                checks.require(value is None or via == "queue", prop, value, "applies only to via='queue'")
        checks.raise_if_any()

        self.access_logs: Optional[s3.Bucket] = None
        self._log_expiration = log_expiration
        self._noncurrent_version_expiration = noncurrent_version_expiration
        self.source_bucket = source_bucket or self._bucket("Source")
        self.thumbnail_bucket = thumbnail_bucket or self._bucket("Thumbnails")
        self.table = table or self._table()

        options: FunctionOptions = {
            "memory_size": DEFAULT_MEMORY_MB, "timeout": Duration.seconds(30), **function_options,
            "entry": HANDLER_ENTRY, "handler": "handler.handler",
        }
        options["environment"] = {
            **(options.get("environment") or {}),
            "THUMBNAIL_BUCKET": self.thumbnail_bucket.bucket_name,
            "METADATA_TABLE": self.table.table_name,
            "THUMBNAIL_SIZES": ",".join(str(s) for s in sizes),
            "SOURCE_PREFIX": prefix or "",
            "MAX_PIXELS": str(max_pixels),
            "POWERTOOLS_SERVICE_NAME": "thumbnail",
        }
        self.worker: Optional[QueueWorker] = None
        self.queue: Optional[sqs.IQueue] = None
        destination: s3.IBucketNotificationDestination
        if via == "direct":
            failures = failure_queue(self, "Failures")
            options["on_failure"] = failures
            self.function = ServerlessFunction(self, "Function", **options)
            destination = s3n.LambdaDestination(self.function.invoke_target)
        else:
            options["layers"] = [*options.get("layers", ()), records_layer(self)]
            worker = QueueWorker(self, "Worker", batch_size=batch_size or 5, max_concurrency=max_concurrency, **options)
            self.worker, self.function, self.queue = worker, worker.function, worker.queue
            assert worker.dead_letter_queue is not None  # a worker that makes its queue makes the dead-letter queue
            failures = worker.dead_letter_queue
            destination = queue_destination(self.source_bucket, worker.queue)
        self.failures: sqs.IQueue = failures
        self._grant(prefix, sizes)
        add_notifications(self, "ThumbnailPipeline", "suffixes", self.source_bucket, destination,
                          [s3.EventType.OBJECT_CREATED], prefix, suffixes)
        self._skip_notification_findings()
        self.alarms = dict((self.worker or self.function).alarms)
        alarm_kit.warn_if_silent(self)

    def _bucket(self, construct_id: str) -> s3.Bucket:
        if self.access_logs is None:
            self.access_logs = log_bucket(self, "AccessLogs", expiration=self._log_expiration, delivery="s3")
        return data_bucket(
            self, construct_id, access_logs=self.access_logs,
            noncurrent_version_expiration=self._noncurrent_version_expiration,
            without_key_because="SSE-S3 (AES-256) encrypts every object. For a customer managed key, give a bucket "
            "encrypted with SSE-KMS as source_bucket= or thumbnail_bucket=: the pipeline then grants the function its "
            "key.",
            made_again_from=None if construct_id == "Source" else
            "its thumbnails are made from the images of the source bucket by the pipeline's function",
        )

    def _table(self) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            "Metadata",
            partition_key=dynamodb.Attribute(name="image_key", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        findings.skip(
            table,
            "Encrypted with the AWS managed key aws/dynamodb (KMS; its use is logged in CloudTrail). For a "
            "customer managed key, give a table encrypted with one as table=.",
            checkov=["CKV_AWS_119"],
        )
        return table

    def _grant(self, prefix: Optional[str], sizes: Sequence[int]) -> None:
        """Read uploads (under the prefix), write thumbnails (under their size prefixes: never where an upload
        would trigger the function), write table items: nothing more."""
        role = self.function.role
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[self.source_bucket.arn_for_objects(f"{prefix or ''}*")],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[self.thumbnail_bucket.arn_for_objects(f"{size}/*") for size in sizes],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[self.table.table_arn])
        )
        # SSE-KMS: S3 decrypts an upload the function reads with kms:Decrypt, and encrypts a thumbnail it puts (one
        # PUT, no multipart upload) with a data key from kms:GenerateDataKey, each under the function's role.
        for bucket in _distinct(self.source_bucket, self.thumbnail_bucket):
            if bucket.encryption_key is not None:
                bucket.encryption_key.grant(role, *(["kms:Decrypt"] if bucket is self.source_bucket else []),
                                            *(["kms:GenerateDataKey"] if bucket is self.thumbnail_bucket else []))
        if self.table.encryption_key is not None:
            self.table.encryption_key.grant_encrypt(role)
        stack = Stack.of(self)
        patterns = [(self.source_bucket, f"{prefix or ''}*")] + [(self.thumbnail_bucket, f"{s}/*") for s in sizes]
        for bucket, pattern in patterns:
            findings.acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::{findings.token_text(stack, bucket.bucket_arn)}/{pattern}]",
                "Objects of this bucket only, under the upload prefix (source) or a thumbnail size (thumbnails): "
                "keys are not known before upload.",
            )

    def _skip_notification_findings(self) -> None:
        """S3 invokes the function asynchronously; its asynchronous settings are in its EventInvokeConfig."""
        for permission in self.node.find_all():
            if isinstance(permission, lambda_.CfnPermission) and permission.principal == "s3.amazonaws.com":
                findings.skip(
                    permission,
                    f"The function's EventInvokeConfig ({self.function.node.path}) sends events that fail every "
                    f"retry to {self.failures.node.path}; the rule only matches a config naming the function as "
                    "this permission does.",
                    cfn_lint=["ES1007"],
                )
        destination = "the thumbnail function" if self.queue is None else "the queue of the thumbnail function"
        for bucket in (self.source_bucket, self.thumbnail_bucket):
            if isinstance(bucket, s3.Bucket) and bucket.node.scope is self:
                reacting = bucket is self.source_bucket
                findings.skip(
                    bucket,
                    "aws-cdk-lib's Custom::S3BucketNotifications resource configures this bucket's notifications "
                    f"(to {destination}) at deploy time; the rule reads only the bucket's own properties."
                    if reacting else "Nothing reacts to new thumbnails in this bucket.",
                    guard=["s3_event_notifications_enabled_check"],
                )
        tidy_bucket_notifications_handler(self)


def _distinct(*buckets: s3.IBucket) -> list[s3.IBucket]:
    return list({id(bucket): bucket for bucket in buckets}.values())


def _same_bucket(a: Optional[s3.IBucket], b: Optional[s3.IBucket]) -> bool:
    if a is None or b is None:
        return False
    if a is b:
        return True
    names = (a.bucket_name, b.bucket_name)
    return not any(Token.is_unresolved(n) for n in names) and names[0] == names[1]


def _check_no_loop(
    checks: Checks,
    source: Optional[s3.IBucket],
    thumbnails: Optional[s3.IBucket],
    prefix: Optional[str],
    sizes: Sequence[int],
) -> None:
    """Thumbnails written where uploads trigger the function would trigger it again, forever."""
    if not _same_bucket(source, thumbnails):
        return
    if not prefix:
        checks.fail(
            "thumbnail_bucket", "the source bucket",
            "would make a loop: thumbnails written into the bucket that triggers the function "
            "trigger it again; use another bucket or set prefix (e.g. 'uploads/')",
        )
        return
    for size in sizes:
        if f"{size}/{prefix}".startswith(prefix):
            checks.fail(
                "prefix", prefix,
                f"would make a loop: thumbnail keys '{size}/{prefix}...' also start with it",
            )
