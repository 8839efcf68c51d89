"""ThumbnailPipeline: S3 upload -> Lambda -> thumbnails bucket + DynamoDB metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from . import nag
from .function import ServerlessFunction
from .queues import failure_queue
from .validation import Checks

HANDLER_ENTRY = Path(__file__).resolve().parent / "handlers" / "thumbnail"
DEFAULT_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
# Images with more pixels are rejected as possible decompression bombs (a 12 MP photo is far below).
DEFAULT_MAX_PIXELS = 50_000_000
# The singleton CDK adds to every stack that has S3 notifications.
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"


class ThumbnailPipeline(Construct):
    """Images uploaded to ``source_bucket`` get thumbnails in ``thumbnail_bucket`` and an item in ``table``.

    :param source_bucket: where images are uploaded (default: a new versioned, encrypted, SSL-only,
        private bucket). Any ``IBucket``, imported ones included.
    :param thumbnail_bucket: where thumbnails go, under ``{size}/`` (default: a new bucket like the
        source one). May be the source bucket only when ``prefix`` keeps uploads and thumbnails apart.
    :param table: metadata table with the string partition key ``image_key`` (default: a new
        on-demand table with point-in-time recovery).
    :param sizes: longest-edge sizes in pixels, each 16-4096 (default ``[256]``).
    :param prefix: only keys under this prefix trigger the function (default: every key).
    :param suffixes: only keys with one of these endings trigger (default: common image types).
    :param max_pixels: images with more pixels are recorded as rejected (default 50 million).
    :param function_options: any other ``ServerlessFunction`` option (memory_size, timeout, ...).

    Exposes ``source_bucket``, ``thumbnail_bucket``, ``table``, ``function`` (the ServerlessFunction),
    ``failures`` (the queue that receives events that failed every retry), ``access_logs``
    (the server access log bucket, when the construct created buckets) and ``alarms`` (the
    function's: errors, throttles, failed deliveries, ``failures`` not empty).
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
        **function_options: Any,
    ) -> None:
        super().__init__(scope, construct_id)
        sizes = list(sizes)
        checks = Checks(self, "ThumbnailPipeline")
        checks.require(bool(sizes), "sizes", sizes, "must name at least one thumbnail size")
        for size in sizes:
            checks.within("sizes", size, 16, 4096, "pixels")
        checks.require(max_pixels >= 1, "max_pixels", max_pixels, "must be 1 or more")
        _check_no_loop(checks, source_bucket, thumbnail_bucket, prefix, sizes)
        for option in ("entry", "handler", "image"):
            checks.require(option not in function_options, option, "given", "is set by ThumbnailPipeline")
        checks.raise_if_any()

        self.access_logs: Optional[s3.Bucket] = None
        self.source_bucket = source_bucket or self._bucket("Source")
        self.thumbnail_bucket = thumbnail_bucket or self._bucket("Thumbnails")
        self.table = table or self._table()
        self.failures = failure_queue(self, "Failures")

        options = {"memory_size": 512, "timeout": Duration.seconds(30), **function_options}
        options["environment"] = {
            **(options.get("environment") or {}),
            "THUMBNAIL_BUCKET": self.thumbnail_bucket.bucket_name,
            "METADATA_TABLE": self.table.table_name,
            "THUMBNAIL_SIZES": ",".join(str(s) for s in sizes),
            "SOURCE_PREFIX": prefix or "",
            "MAX_PIXELS": str(max_pixels),
            "POWERTOOLS_SERVICE_NAME": "thumbnail",
        }
        self.function = ServerlessFunction(
            self, "Function", entry=HANDLER_ENTRY, handler="handler.handler", on_failure=self.failures, **options
        )
        self._grant(prefix)
        for suffix in suffixes or [None]:
            self.source_bucket.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                s3n.LambdaDestination(self.function.invoke_target),
                s3.NotificationKeyFilter(prefix=prefix, suffix=suffix),
            )
        self._acknowledge_notification_handler()
        self.alarms = dict(self.function.alarms)

    def _bucket(self, construct_id: str) -> s3.Bucket:
        if self.access_logs is None:
            self.access_logs = s3.Bucket(
                self,
                "AccessLogs",
                encryption=s3.BucketEncryption.S3_MANAGED,
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                enforce_ssl=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
                removal_policy=RemovalPolicy.RETAIN,
            )
            nag.acknowledge(
                self.access_logs, "AwsSolutions-S1", "This bucket receives the access logs of the others."
            )
        return s3.Bucket(
            self,
            construct_id,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,  # every write, overwrites included, makes its own event and version
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{construct_id.lower()}/",
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _table(self) -> dynamodb.Table:
        return dynamodb.Table(
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

    def _grant(self, prefix: Optional[str]) -> None:
        """Read uploads (under the prefix), write thumbnails, write table items: nothing more."""
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
                resources=[self.thumbnail_bucket.arn_for_objects("*")],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[self.table.table_arn])
        )
        for bucket in _distinct(self.source_bucket, self.thumbnail_bucket):
            if bucket.encryption_key is not None:
                bucket.encryption_key.grant_encrypt_decrypt(role)
        if self.table.encryption_key is not None:
            self.table.encryption_key.grant_encrypt(role)
        policy = role.node.find_child("DefaultPolicy")
        stack = Stack.of(self)
        for bucket, pattern in ((self.source_bucket, f"{prefix or ''}*"), (self.thumbnail_bucket, "*")):
            nag.acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::{nag.token_text(stack, bucket.bucket_arn)}/{pattern}]",
                "Objects of this bucket only (under the upload prefix for the source bucket): "
                "keys are not known before upload.",
            )

    def _acknowledge_notification_handler(self) -> None:
        handler = Stack.of(self).node.try_find_child(NOTIFICATIONS_HANDLER_ID)
        if handler is None:
            return
        role = handler.node.find_child("Role")
        reason = (
            "CDK's own handler that configures bucket notifications at deploy time; it runs "
            "only during deployments and its managed policy is fixed by aws-cdk-lib."
        )
        nag.acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            reason,
        )


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
