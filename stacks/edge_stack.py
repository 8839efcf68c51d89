"""EdgeDistribution: a private bucket behind CloudFront, security headers added by Lambda@Edge on
origin-response, pretty URLs rewritten by a CloudFront Function on viewer-request."""

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib import EdgeDistribution, EdgeHandler
from constructs_lib.core import findings
from constructs_lib.core.profile import is_regulated

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS

# /docs/ -> /docs/index.html, /about -> /about/index.html; files (with an extension) pass unchanged.
URL_REWRITE = (HANDLERS / "edge_rewrite" / "index.js").read_text()


class EdgeStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: EdgeDistribution", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.site = s3.Bucket(
            self, "Site", encryption=s3.BucketEncryption.S3_MANAGED, block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, enforce_ssl=True, versioned=True,
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30),
                                              abort_incomplete_multipart_upload_after=Duration.days(7))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        served_through_cloudfront = (
            "Reachable only through CloudFront (origin access control), whose logs record every request for "
            "this content."
        )
        findings.acknowledge(self.site, "AwsSolutions-S1", served_through_cloudfront)
        findings.skip(self.site, served_through_cloudfront, checkov=["CKV_AWS_18"], guard=["s3_bucket_logging_enabled_check"])
        findings.skip(self.site, "Static content encrypted with SSE-S3 (AES-256): CloudFront's origin access "
                      "control reads it without a key policy.", guard=["s3_bucket_default_encryption_kms_check"])
        findings.skip(self.site, "Content is replaced by each release of the site; old versions expire after "
                      "30 days instead of being locked.", guard=["s3_bucket_object_lock_enabled_check"])
        findings.skip(self.site, "Nothing reacts to new content: CloudFront reads it on request.",
                      guard=["s3_event_notifications_enabled_check"])
        if is_regulated(self):
            findings.acknowledge_control(self.site, "S3BucketLoggingEnabled", served_through_cloudfront)
            findings.acknowledge_control(
                self.site, "S3DefaultEncryptionKMS", "The site's public pages, served to every viewer: SSE-S3 "
                "(AES-256) encrypts them at rest; a customer managed key would keep nothing from anyone.")
            findings.acknowledge_control(
                self.site, "S3BucketReplicationEnabled", "Not replicated: the pages are built from the site's "
                "source and deployed by each release, so a lost page is deployed again rather than restored.")
        self.cdn = EdgeDistribution(
            self,
            "Cdn",
            origin_bucket=self.site,
            origin_response=EdgeHandler(HANDLERS / "edge_headers"),
            viewer_request_function=URL_REWRITE,
        )
