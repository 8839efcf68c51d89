"""The public Powertools for AWS Lambda (Python) layer, for the stack's region and the function's architecture."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

# The account that publishes the Powertools layers in every commercial region.
POWERTOOLS_ACCOUNT = "017000801446"
# Layer version 27 of AWSLambdaPowertoolsPythonV3 (v3.24 and later publish under the same name).
DEFAULT_POWERTOOLS_LAYER_VERSION = 27


def powertools_layer_arn(
    scope: Construct, architecture: lambda_.Architecture, runtime: lambda_.Runtime, version: int
) -> str:
    """ARN of the layer; the region and partition resolve at deploy time for agnostic stacks."""
    stack = Stack.of(scope)
    python_tag = runtime.name.replace(".", "")  # python3.14 -> python314
    arch = "arm64" if architecture.name == "arm64" else "x86_64"
    return (
        f"arn:{stack.partition}:lambda:{stack.region}:{POWERTOOLS_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{python_tag}-{arch}:{version}"
    )


def powertools_layer(
    scope: Construct,
    construct_id: str,
    architecture: lambda_.Architecture,
    runtime: lambda_.Runtime,
    version: int = DEFAULT_POWERTOOLS_LAYER_VERSION,
) -> lambda_.ILayerVersion:
    return lambda_.LayerVersion.from_layer_version_arn(
        scope, construct_id, powertools_layer_arn(scope, architecture, runtime, version)
    )
