"""The pipeline's artifact stores (its bucket, and CDK's replication bucket in each other region of its actions),
made to the library's standard for buckets: versioned, server access logs to a log bucket of the same region, old
artifacts expired, and their keys' grants only for AWS resources."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ..core import findings
from ..core.jsii_types import cfn_resource
from ..core.profile import is_regulated
from ..resources.buckets import INCOMPLETE_UPLOADS_KEPT, NONCURRENT_VERSIONS_KEPT, log_access, log_bucket
from ..resources.keys import deny_grants_except_for_aws_resources

# A stage rolls back to the artifacts of its last successful execution: keep them a year.
ARTIFACTS_KEPT = Duration.days(365)
ACCESS_LOGS_KEPT = Duration.days(365)


def harden(bucket: s3.IBucket, what: str) -> None:
    """Versioning, a lifecycle, access logs (to a log bucket beside it) and answers on `bucket`, of CDK's making."""
    if not isinstance(bucket, s3.Bucket):
        return  # a bucket the user gave: theirs to configure
    cfn_resource(bucket, s3.CfnBucket).versioning_configuration = s3.CfnBucket.VersioningConfigurationProperty(
        status="Enabled")
    bucket.add_lifecycle_rule(id="ExpireOldArtifacts", expiration=ARTIFACTS_KEPT,
                              noncurrent_version_expiration=NONCURRENT_VERSIONS_KEPT,
                              abort_incomplete_multipart_upload_after=INCOMPLETE_UPLOADS_KEPT)
    scope = bucket.node.scope
    assert isinstance(scope, Construct)
    logs = log_bucket(Construct(scope, f"{bucket.node.id}Logs"), "AccessLogs", expiration=ACCESS_LOGS_KEPT, delivery="s3")
    log_access(bucket, logs, prefix="artifacts/")
    findings.skip(bucket, f"{what}: artifacts expire after {ARTIFACTS_KEPT.to_days():g} days by a lifecycle rule; "
                  "Object Lock would keep CodePipeline from replacing them.", guard=["s3_bucket_object_lock_enabled_check"])
    findings.skip(bucket, f"{what}: CodePipeline reads the artifacts it wrote; nothing reacts to a new object.",
                  guard=["s3_event_notifications_enabled_check"])
    if is_regulated(bucket):
        findings.acknowledge_control(
            bucket, "S3BucketReplicationEnabled", f"Not replicated: {what[0].lower()}{what[1:]} holds what each "
            "release builds from source (a lost artifact is built again by running the pipeline); versioned, kept "
            f"{ARTIFACTS_KEPT.to_days():g} days for rollbacks in this region.")
    parent = bucket.node.path.rsplit("/", 1)[0]
    for key in (c for c in bucket.stack.node.find_all() if isinstance(c, kms.Key)):
        if key.node.path.rsplit("/", 1)[0] == parent:  # the bucket's key, made beside it (some known by alias)
            deny_grants_except_for_aws_resources(key)
            # The bucket outlives its stack (it keeps past executions' artifacts): so does the key they are
            # encrypted with, or a deleted key would leave them unreadable.
            key.apply_removal_policy(RemovalPolicy.RETAIN)


def harden_artifact_stores(pipeline: codepipeline.Pipeline) -> None:
    harden(pipeline.artifact_bucket, "The pipeline's artifact bucket")
    for region, support in pipeline.cross_region_support.items():
        harden(support.replication_bucket, f"CDK's replication bucket of the pipeline's actions in {region}")
        if isinstance(support.replication_bucket, s3.Bucket):
            findings.acknowledge(support.replication_bucket, f"DeployRules::{RETAINED_NAME}", RETAINED_REASON)


RETAINED_NAME = "DR-RETAINED-NAME"
RETAINED_REASON = (
    "CDK's cross-region support stack names its replication bucket at synth (the pipeline, in another region, can "
    "only name it) and keeps it on delete, as it holds the artifacts of past executions. The support stack is "
    "deleted only when the pipeline stops acting in its region: empty and delete the bucket before it acts there "
    "again (docs/constructs/delivery-pipeline.md)."
)
