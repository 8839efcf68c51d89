"""FirehoseTransform: a Firehose stream (Direct PUT) -> transformation function -> S3."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Unpack

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ..core import findings
from ..core.jsii_types import as_interface
from ..core.validation import Checks, is_unresolved, seconds_of
from ..function.failed_events import SET_BY_SYNCHRONOUS_PATTERNS, invoked_synchronously
from ..function.option_types import TEXT, check_types
from ..function.options import FunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit
from ..resources.buckets import LOGS_KEPT, NONCURRENT_VERSIONS_KEPT, data_bucket, log_bucket
from ..resources.log_groups import new_log_group

GUIDE = "https://docs.aws.amazon.com/firehose/latest/dev/"
# Firehose waits at most 5 minutes for the function ("Transform source data in Amazon Data Firehose").
MAX_PROCESSOR_SECONDS = 300
DEFAULT_TIMEOUT = Duration.minutes(1)
# Failed records go under the type of their failure: "processing-failed/" for those the function failed, as Firehose
# writes them when no error prefix is given; a prefix of one's own needs one, so it is always stated.
ERROR_OUTPUT_PREFIX = "!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/"
DEFAULT_PREFIX = "records/!{timestamp:yyyy/MM/dd/HH}/"
EXPRESSION = re.compile(r"!\{([A-Za-z]+):[^}]*\}")
PREFIX_NAMESPACES = ("timestamp", "firehose")
MAX_PREFIX = 1024


@dataclass(frozen=True)
class FirehoseBuffer:
    """Firehose's buffering hints: it hands on what it holds when either is reached, whichever comes first.

    :param interval: how long it gathers records.
    :param size_mb: how many MB it gathers (fractions allowed for the transformation, e.g. 0.2).
    """

    interval: Duration
    size_mb: float

    def check(self, checks: Checks, prop: str, most_seconds: int, least_mb: float, most_mb: float,
              whole_mb: bool) -> None:
        seconds = seconds_of(self.interval)
        if seconds is not None:
            checks.require(0 <= seconds <= most_seconds, prop, self.interval,
                           f"interval must be between 0 and {most_seconds} seconds inclusive")
        if not is_unresolved(self.size_mb):
            whole = not whole_mb or self.size_mb == int(self.size_mb)
            checks.require(least_mb <= self.size_mb <= most_mb and whole, prop, f"{self.size_mb:g} MB",
                           f"size must be {'a whole number of MB ' if whole_mb else ''}between {least_mb:g} and "
                           f"{most_mb:g} MB inclusive")


# Firehose's defaults: the transformation gets what arrived in 60 s or 1 MB; S3 what it returned in 300 s or 5 MB.
PROCESSING_BUFFER = FirehoseBuffer(Duration.seconds(60), 1)
DELIVERY_BUFFER = FirehoseBuffer(Duration.seconds(300), 5)


class FirehoseTransform(Construct):
    """Records put into a Firehose stream are transformed by a function and delivered to S3:
    producers -> Firehose (Direct PUT) -> function -> S3.

    Firehose gathers records (``buffer``) and invokes the function synchronously with each batch, waiting at most
    5 minutes; the function answers every ``recordId`` with ``Ok``, ``Dropped`` or ``ProcessingFailed`` and the
    transformed data (Powertools' ``KinesisFirehoseDataTransformationResponse``), in at most 6 MB (Lambda's limit
    for a synchronous response). Firehose retries a failed invocation three times; records the function fails, and
    those of a batch whose invocation fails every retry, are written to the bucket under ``processing-failed/``.
    The rest is gathered again (``delivery_buffer``) and written under ``prefix``.

    The stream is encrypted at rest with an AWS owned key (free); its role may invoke this function and write to
    this bucket only (its key too, when it has one). Firehose's delivery errors are logged to a log group of its own.

    :param destination_bucket: where records are delivered (default: a new versioned, encrypted, SSL-only, private
        bucket whose old versions expire, with access logs). Any ``IBucket``: one encrypted with a KMS key of the
        app has its key granted to the stream's role.
    :param prefix: where delivered objects go, with Firehose's ``!{timestamp:...}`` expressions (default
        "records/!{timestamp:yyyy/MM/dd/HH}/"); not under ``processing-failed/``, where failed records go.
    :param buffer: what Firehose gathers before invoking the function: 0-900 s, 0.2-3 MB (default 60 s, 1 MB).
    :param delivery_buffer: what it gathers before writing to S3: 0-900 s, 1-128 whole MB (default 300 s, 5 MB).
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option; default timeout
        1 minute, at most 5 minutes.

    Exposes ``delivery_stream``, ``bucket``, ``function`` (the ServerlessFunction), ``role`` (the stream's),
    ``error_log_group`` (Firehose's delivery errors), ``access_logs`` (None for a given bucket) and ``alarms``: the
    function's, plus processing success and delivery success under 100 %.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        destination_bucket: Optional[s3.IBucket] = None,
        prefix: str = DEFAULT_PREFIX,
        buffer: FirehoseBuffer = PROCESSING_BUFFER,
        delivery_buffer: FirehoseBuffer = DELIVERY_BUFFER,
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, FirehoseTransform.__init__, SET_BY_SYNCHRONOUS_PATTERNS,
                               invoked_without_tenant_id_by="A Firehose transformation")
        checks = Checks(self, "FirehoseTransform")
        given_timeout = function_options.setdefault("timeout", DEFAULT_TIMEOUT)
        timeout = seconds_of(given_timeout)
        checks.require(
            timeout is None or timeout <= MAX_PROCESSOR_SECONDS, "timeout", given_timeout,
            f"is longer than the {MAX_PROCESSOR_SECONDS // 60} minutes Firehose waits for its transformation: it "
            "would give up on the batch while the function still runs; use at most 5 minutes",
        )
        _check_prefix(checks, prefix)
        buffer.check(checks, "buffer", 900, 0.2, 3, whole_mb=False)
        delivery_buffer.check(checks, "delivery_buffer", 900, 1, 128, whole_mb=True)
        checks.raise_if_any()

        function_options["no_failure_target"] = invoked_synchronously(
            function_options, "Firehose", "records it fails, and batches whose invocation fails every retry, are "
            "written to the destination bucket under processing-failed/",
        )
        self.function = ServerlessFunction(self, "Function", **function_options)
        self.access_logs: Optional[s3.Bucket] = None
        self.bucket = destination_bucket or self._bucket()
        self.error_log_group = new_log_group(
            self, "ErrorLogs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN,
            without_key_because="CloudWatch Logs encrypts every log group at rest; Firehose logs delivery errors "
            "here, not the records.")
        error_stream = self.error_log_group.add_stream("S3Delivery")
        self.role = self._role()
        self.delivery_stream = firehose.CfnDeliveryStream(
            self, "Stream",
            delivery_stream_type="DirectPut",
            delivery_stream_encryption_configuration_input=firehose.CfnDeliveryStream
            .DeliveryStreamEncryptionConfigurationInputProperty(key_type="AWS_OWNED_CMK"),
            extended_s3_destination_configuration=firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty(
                bucket_arn=self.bucket.bucket_arn,
                role_arn=self.role.role_arn,
                prefix=prefix,
                error_output_prefix=ERROR_OUTPUT_PREFIX,
                buffering_hints=firehose.CfnDeliveryStream.BufferingHintsProperty(
                    interval_in_seconds=int(delivery_buffer.interval.to_seconds()),
                    size_in_m_bs=int(delivery_buffer.size_mb)),
                compression_format="UNCOMPRESSED",
                encryption_configuration=_encryption(self.bucket),
                cloud_watch_logging_options=firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty(
                    enabled=True, log_group_name=self.error_log_group.log_group_name,
                    log_stream_name=error_stream.log_stream_name),
                processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                    enabled=True, processors=[_transformation(self.function.invoke_target, self.role.role_arn, buffer)]),
            ),
        )
        # Firehose checks, when it creates the stream, that it may assume the role and use it: its policy first.
        self.delivery_stream.node.add_dependency(self.role)
        self._answer_findings()
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, self._alarms)}
        alarm_kit.warn_if_silent(self)

    def _role(self) -> iam.Role:
        """What Firehose's guide grants a stream that transforms with Lambda and delivers to S3, for this function
        (its alias's ARN when it has one: the qualified ARN Firehose invokes), bucket (and its key) and error log
        group only; assumed by Firehose for this account (sts:ExternalId), as the guide's trust policy says."""
        role = iam.Role(self, "Role", assumed_by=as_interface(iam.IPrincipal, iam.ServicePrincipal(
            "firehose.amazonaws.com")), external_ids=[Aws.ACCOUNT_ID],  # for this account's streams only
            description=f"Firehose stream of {self.node.path}")
        role.add_to_policy(iam.PolicyStatement(
            actions=["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
                     "s3:ListBucketMultipartUploads", "s3:PutObject"],
            resources=[self.bucket.bucket_arn, self.bucket.arn_for_objects("*")]))
        if self.bucket.encryption_key is not None:
            self.bucket.encryption_key.grant(role, "kms:Decrypt", "kms:GenerateDataKey")
        target = self.function.invoke_target
        # An unqualified LambdaArn is invoked as its $LATEST version, which IAM matches only by the qualified ARN
        # (Firehose's guide names the function with its version); an alias's ARN is qualified already.
        invoked = [target.function_arn] if self.function.alias is not None else [
            target.function_arn, f"{target.function_arn}:$LATEST"]
        role.add_to_policy(iam.PolicyStatement(
            actions=["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], resources=invoked))
        role.add_to_policy(iam.PolicyStatement(actions=["logs:PutLogEvents"],
                                               resources=[self.error_log_group.log_group_arn]))
        return role

    def _bucket(self) -> s3.Bucket:
        self.access_logs = log_bucket(self, "AccessLogs", expiration=LOGS_KEPT, delivery="s3")
        bucket = data_bucket(self, "Bucket", access_logs=self.access_logs,
                             noncurrent_version_expiration=NONCURRENT_VERSIONS_KEPT,
                             without_key_because="SSE-S3 (AES-256) encrypts every object. For a customer managed key, "
                             "give a bucket encrypted with SSE-KMS as destination_bucket=: the stream's role is then "
                             "granted its key.")
        findings.skip(bucket, "Firehose writes the records here; nothing reacts to new objects.",
                      guard=["s3_event_notifications_enabled_check"])
        return bucket

    def _answer_findings(self) -> None:
        bucket = findings.token_text(Stack.of(self), self.bucket.bucket_arn)
        findings.acknowledge(
            self.role, f"AwsSolutions-IAM5[Resource::{bucket}/*]",
            "Firehose writes objects of its own naming (the prefix, a date and a random part) anywhere under the "
            "prefixes of this bucket, failed records included: the objects of this one bucket.",
        )

    def _alarms(self) -> alarm_kit.Alarms:
        def ratio(name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(namespace="AWS/Firehose", metric_name=name, period=alarm_kit.PERIOD,
                                     statistic="Minimum", dimensions_map={"DeliveryStreamName": self.delivery_stream.ref})
        return {
            "processing_success": alarm_kit.ratio_below(
                self, "ProcessingAlarm", ratio("ExecuteProcessing.Success"), 1,
                "A transformation invocation failed: Firehose retries it, and the records of a batch that fails "
                "every retry go to processing-failed/"),
            "delivery_success": alarm_kit.ratio_below(
                self, "DeliveryAlarm", ratio("DeliveryToS3.Success"), 1,
                "Writes to S3 failed: Firehose retries them for 24 hours, then drops the records"),
        }


def _check_prefix(checks: Checks, prefix: str) -> None:
    """What Firehose accepts as an S3 prefix ("Custom prefixes for Amazon S3 objects"), and no mix with failures."""
    if check_types(checks, {"prefix": prefix}, {"prefix": TEXT}) or is_unresolved(prefix):
        return
    checks.require(len(prefix) <= MAX_PREFIX, "prefix", f"{prefix[:40]}...",
                   f"must be at most {MAX_PREFIX} characters")
    for namespace in EXPRESSION.findall(prefix):
        checks.require(namespace in PREFIX_NAMESPACES, "prefix", prefix,
                       f"uses the {namespace} namespace, which needs dynamic partitioning: use "
                       "!{timestamp:...} or !{firehose:random-string}")
    checks.require("!{firehose:error-output-type}" not in prefix, "prefix", prefix,
                   "uses !{firehose:error-output-type}, which Firehose allows only in the error output prefix")
    checks.require(not prefix.startswith("processing-failed"), "prefix", prefix,
                   "would mix delivered records with failed ones, which go under processing-failed/")


def _transformation(function: lambda_.IFunction, role_arn: str,
                    buffer: FirehoseBuffer) -> firehose.CfnDeliveryStream.ProcessorProperty:
    """The Lambda processor, with its buffering hints as Firehose states them (a size may be a fraction of a MB)."""
    parameters = {
        "LambdaArn": function.function_arn,
        "RoleArn": role_arn,
        "BufferIntervalInSeconds": str(int(buffer.interval.to_seconds())),
        "BufferSizeInMBs": f"{buffer.size_mb:g}",
    }
    return firehose.CfnDeliveryStream.ProcessorProperty(type="Lambda", parameters=[
        firehose.CfnDeliveryStream.ProcessorParameterProperty(parameter_name=name, parameter_value=value)
        for name, value in parameters.items()])


def _encryption(bucket: s3.IBucket) -> firehose.CfnDeliveryStream.EncryptionConfigurationProperty:
    """Objects written with the bucket's KMS key when it has one of the app, else with the bucket's default."""
    key = bucket.encryption_key
    if key is None:
        return firehose.CfnDeliveryStream.EncryptionConfigurationProperty(no_encryption_config="NoEncryption")
    return firehose.CfnDeliveryStream.EncryptionConfigurationProperty(
        kms_encryption_config=firehose.CfnDeliveryStream.KMSEncryptionConfigProperty(awskms_key_arn=key.key_arn))
