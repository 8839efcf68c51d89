"""EdgeDistribution: a private bucket behind CloudFront, security headers added by Lambda@Edge on
origin-response, pretty URLs rewritten by a CloudFront Function on viewer-request."""

from typing import Any

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib import EdgeDistribution, EdgeHandler
from constructs_lib import nag

from .paths import HANDLERS

# /docs/ -> /docs/index.html, /about -> /about/index.html; files (with an extension) pass unchanged.
URL_REWRITE = (HANDLERS / "edge_rewrite" / "index.js").read_text()


class EdgeStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: EdgeDistribution", **stack_options)
        self.site = s3.Bucket(
            self, "Site", encryption=s3.BucketEncryption.S3_MANAGED, block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True, versioned=True, removal_policy=RemovalPolicy.RETAIN,
        )
        nag.acknowledge(self.site, "AwsSolutions-S1", "CloudFront's logs record every request for this content.")
        self.cdn = EdgeDistribution(
            self,
            "Cdn",
            origin_bucket=self.site,
            origin_response=EdgeHandler(HANDLERS / "edge_headers"),
            viewer_request_function=URL_REWRITE,
        )
