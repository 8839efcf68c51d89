"""The buckets the library creates: private, encrypted, SSL-only, versioned, kept on stack deletion, with
lifecycle rules so that old versions, abandoned uploads and old logs do not pile up for ever.

What is security-relevant is set explicitly, never left to the app's feature flags: access logs are
delivered under a bucket policy (not the LogDeliveryWrite ACL), ACLs are disabled where no log delivery
needs them.

Under the regulated profile (core/profile.py) data buckets are encrypted with the stack's key (SSE-KMS, with an S3
Bucket Key) and, unless their data can be made again, join the stack's AWS Backup plan; log buckets take the stack's
key where their log delivery allows it. What a bucket cannot meet is answered on it, for the compliance packs.
"""

from __future__ import annotations

from typing import Optional

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ..core import findings
from ..core.jsii_types import as_interface, cfn_resource
from ..core.profile import is_regulated
from ..core.validation import Checks, seconds_of
from .keys import let_cloudfront_logs_use
from .regulated import back_up_bucket, stack_key

NONCURRENT_VERSIONS_KEPT = Duration.days(30)
LOGS_KEPT = Duration.days(365)
INCOMPLETE_UPLOADS_KEPT = Duration.days(7)


def check_expiration(checks: Checks, prop: str, duration: Duration) -> None:
    """S3 lifecycle rules count in whole days, at least one."""
    seconds = seconds_of(duration)
    if seconds is None:
        return
    checks.require(
        seconds >= 86400 and seconds % 86400 == 0, prop, duration,
        "must be a whole number of days, 1 or more (S3 lifecycle rules count in days)",
    )


def data_bucket(
    scope: Construct, construct_id: str, *, access_logs: s3.Bucket, noncurrent_version_expiration: Duration,
    without_key_because: str, made_again_from: Optional[str] = None,
) -> s3.Bucket:
    """A versioned bucket for data, whose server access logs go to `access_logs` under '<id>/'.

    Under the regulated profile it is encrypted with the stack's key (an S3 Bucket Key keeps KMS requests few) and
    joins the stack's backup plan, unless `made_again_from` says where its data comes from (derived data, such as
    thumbnails, is made again rather than restored). Else SSE-S3 encrypts it, and `without_key_because` answers the
    scanners: why, and how to have a key."""
    key = stack_key(scope) if is_regulated(scope) else None
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=as_interface(kms.IKey, key) if key else None,
        bucket_key_enabled=True if key else None,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        versioned=True,
        lifecycle_rules=_rules(noncurrent_version_expiration),
        removal_policy=RemovalPolicy.RETAIN,
    )
    log_access(bucket, access_logs, prefix=f"{construct_id.lower()}/")
    findings.skip(
        bucket,
        "Object Lock keeps objects from being deleted or overwritten for a retention period: a decision for "
        "the data's owner, made when a bucket is created. Give a bucket with Object Lock to have it.",
        guard=["s3_bucket_object_lock_enabled_check"],
    )
    if key is None:
        findings.skip(bucket, without_key_because, guard=["s3_bucket_default_encryption_kms_check"])
    elif made_again_from is None:
        back_up_bucket(bucket)
        findings.acknowledge_control(
            bucket, "S3BucketReplicationEnabled",
            "Not replicated: this bucket is in the stack's AWS Backup plan instead (AWS Backup for S3, versioning on): "
            "a daily recovery point of its objects, kept 35 days in a vault encrypted with the stack's key, restores "
            "them after a deletion or overwrite. The recovery points stay in this account and region; a copy in "
            "another region would be a copy rule of the plan, which is not made.")
    else:
        findings.acknowledge_control(
            bucket, "S3BucketReplicationEnabled",
            f"Not replicated and not backed up: {made_again_from}, so a lost object is made again rather than "
            "restored.")
    return bucket


# Who delivers logs to a bucket -> whether it writes with an ACL grant, and why the bucket uses SSE-S3.
LOG_DELIVERIES = {
    "s3": (False, "S3 server access logging supports only SSE-S3 (AES-256) on the target bucket, which this "
                  "bucket uses."),
    "elb": (False, "Load balancer access logs support only SSE-S3 (AES-256) on the target bucket, which this "
                   "bucket uses."),
    "cloudfront": (True, "SSE-S3 (AES-256) encrypts the logs; SSE-KMS would need a key whose policy lets "
                         "CloudFront's log delivery use it."),
}
# The deliveries whose destination bucket may not default to SSE-KMS, and the page of the service's guide that says so.
SSE_S3_ONLY = {
    "s3": "Amazon S3 server access logs support only SSE-S3 (AES-256) as the destination bucket's default encryption "
          "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).",
    "elb": "Application Load Balancer access logs support only SSE-S3 (AES-256) on the destination bucket "
           "(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html); "
           "aws-cdk-lib's log_access_logs refuses a bucket with a KMS key too.",
}


def log_bucket(scope: Construct, construct_id: str, *, expiration: Duration, delivery: str) -> s3.Bucket:
    """A versioned bucket that receives the logs of `delivery` ("s3", "elb" or "cloudfront") and expires
    them after `expiration`. ACLs stay enabled only for CloudFront's standard logs, which need them.

    Under the regulated profile CloudFront's logs are encrypted with the stack's key, whose policy lets CloudFront's
    log delivery use it (CloudFront's guide, standard logging); the other deliveries allow SSE-S3 only."""
    with_acl, encryption_reason = LOG_DELIVERIES[delivery]
    regulated = is_regulated(scope)
    key = stack_key(scope) if regulated and delivery == "cloudfront" else None
    bucket = s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=as_interface(kms.IKey, key) if key else None,
        bucket_key_enabled=True if key else None,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED if with_acl
        else s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforce_ssl=True,
        versioned=True,  # a deleted log stays recoverable until its noncurrent version expires
        lifecycle_rules=_rules(NONCURRENT_VERSIONS_KEPT, expiration=expiration),
        removal_policy=RemovalPolicy.RETAIN,
    )
    reason = (
        "This bucket receives logs. Its own access logs would have to go to itself (a loop S3 advises "
        "against) or to yet another log bucket, without end."
    )
    findings.acknowledge(bucket, "AwsSolutions-S1", reason)
    findings.skip(bucket, reason, checkov=["CKV_AWS_18"], guard=["s3_bucket_logging_enabled_check"])
    if key is None:
        findings.skip(bucket, encryption_reason, guard=["s3_bucket_default_encryption_kms_check"])
    else:
        let_cloudfront_logs_use(key)
    if regulated:
        _answer_log_bucket_controls(bucket, delivery, expiration)
    findings.skip(
        bucket,
        f"Logs expire after {expiration.to_days():g} days by a lifecycle rule; Object Lock would be a "
        "retention decision for the logs' owner, made when a bucket is created.",
        guard=["s3_bucket_object_lock_enabled_check"],
    )
    findings.skip(bucket, "Nothing reacts to new logs in this bucket.", guard=["s3_event_notifications_enabled_check"])
    return bucket


def _answer_log_bucket_controls(bucket: s3.Bucket, delivery: str, expiration: Duration) -> None:
    """The compliance packs' bucket rules that a log bucket cannot meet, answered with what is true of it."""
    if delivery in SSE_S3_ONLY:
        findings.acknowledge_control(bucket, "S3DefaultEncryptionKMS", SSE_S3_ONLY[delivery])
    findings.acknowledge_control(
        bucket, "S3BucketReplicationEnabled",
        f"Not replicated: a log bucket, whose logs are kept {expiration.to_days():g} days, versioned (a deleted log "
        "stays recoverable until its noncurrent version expires), in the region where they are delivered.")
    if delivery != "s3":  # a bucket that receives server access logs is the logging the rule looks for
        findings.acknowledge_control(
            bucket, "S3BucketLoggingEnabled",
            "This bucket receives logs. Its own server access logs would go to itself, which S3's guide advises "
            "against (each delivered log makes another: an endless loop of logs), or to a further log bucket whose "
            "own access logs would raise the same question.")


def log_access(bucket: s3.Bucket, logs: s3.Bucket, *, prefix: str) -> None:
    """Server access logs of `bucket` to `logs`, allowed by `logs`' bucket policy for S3's logging
    service, from this bucket and account only (what S3's guide recommends over the ACL)."""
    cfn_resource(bucket, s3.CfnBucket).logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
        destination_bucket_name=logs.bucket_name, log_file_prefix=prefix
    )
    logs.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal("logging.s3.amazonaws.com"))],
            actions=["s3:PutObject"],
            resources=[logs.arn_for_objects(f"{prefix}*")],
            conditions={
                "ArnLike": {"aws:SourceArn": bucket.bucket_arn},
                "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            },
        )
    )


def _rules(noncurrent_version_expiration: Duration, expiration: Duration | None = None) -> list[s3.LifecycleRule]:
    return [
        s3.LifecycleRule(
            id="ExpireOldVersionsAndUploads",
            expiration=expiration,
            noncurrent_version_expiration=noncurrent_version_expiration,
            abort_incomplete_multipart_upload_after=INCOMPLETE_UPLOADS_KEPT,
        ),
        # A delete marker left alone once its noncurrent versions have expired.
        s3.LifecycleRule(id="RemoveExpiredDeleteMarkers", expired_object_delete_marker=True),
    ]
