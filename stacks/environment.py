"""The region of demo stacks that need one at synth time (load balancer logs, Lambda@Edge)."""

import os

from constructs import Construct

DEFAULT_REGION = "us-east-1"


def demo_region(scope: Construct) -> str:
    """`-c constructs_lib:region=...`, else the CLI's default region, else us-east-1."""
    return scope.node.try_get_context("constructs_lib:region") or os.environ.get("CDK_DEFAULT_REGION") or DEFAULT_REGION
