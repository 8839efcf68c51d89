"""The public Powertools for AWS Lambda (Python) layer, for the stack's region and the function's architecture.

Powertools publishes the layer from one account in every commercial region, from another in the China
region cn-north-1, and from one account per AWS GovCloud (US) region (Powertools' installation guide).
Nowhere else: a stack in another region or partition is refused at synth when its region is known; an
environment-agnostic stack chooses the account at deploy time and fails there, before creating anything,
in a region without the layer.
"""

from __future__ import annotations

from typing import Optional

from aws_cdk import Aws, CfnCondition, CfnMapping, Fn, Stack, Token
from aws_cdk import aws_lambda as lambda_
from aws_cdk.region_info import RegionInfo
from constructs import Construct

# Layer version 27 of AWSLambdaPowertoolsPythonV3 (v3.24 and later publish under the same name).
DEFAULT_POWERTOOLS_LAYER_VERSION = 27
COMMERCIAL_ACCOUNT = "017000801446"
# Regions outside the commercial partition where the layer is published, and the publishing account.
OTHER_ACCOUNTS = {
    "cn-north-1": "498634801083",
    "us-gov-east-1": "165087284144",
    "us-gov-west-1": "165093116878",
}
MAPPING_ID = "PowertoolsLayerAccounts"
CONDITION_ID = "PowertoolsLayerInCommercialPartition"


def publisher_account(region: str) -> Optional[str]:
    """The account that publishes the layer in `region`, or None where it is not published. A region
    unknown to aws-cdk-lib is taken to be a new commercial one."""
    if region in OTHER_ACCOUNTS:
        return OTHER_ACCOUNTS[region]
    return COMMERCIAL_ACCOUNT if _partition_of(region) == "aws" else None


def _partition_of(region: str) -> str:
    return RegionInfo.get(region).partition or "aws"


def powertools_layer_arn(
    scope: Construct, architecture: lambda_.Architecture, runtime: lambda_.Runtime, version: int
) -> str:
    """ARN of the layer; for an environment-agnostic stack the partition, region and account resolve at
    deploy time. Raises ValueError for a known region where Powertools publishes no layer."""
    stack = Stack.of(scope)
    python_tag = runtime.name.replace(".", "")  # python3.14 -> python314
    arch = "arm64" if architecture.name == "arm64" else "x86_64"
    name = f"AWSLambdaPowertoolsPythonV3-{python_tag}-{arch}:{version}"
    if Token.is_unresolved(stack.region):
        return f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:{_account_at_deploy_time(stack)}:layer:{name}"
    account = publisher_account(stack.region)
    if account is None:
        raise ValueError(
            f"Powertools publishes no layer in {stack.region}: bundle aws-lambda-powertools through the "
            "function's requirements.txt instead of powertools=True"
        )
    return f"arn:{_partition_of(stack.region)}:lambda:{stack.region}:{account}:layer:{name}"


def _account_at_deploy_time(stack: Stack) -> str:
    """The commercial account in the commercial partition, else the region's entry of a mapping (a region
    missing from it fails the deployment before any resource is created)."""
    mapping = stack.node.try_find_child(MAPPING_ID) or CfnMapping(
        stack, MAPPING_ID, mapping={region: {"account": account} for region, account in OTHER_ACCOUNTS.items()}
    )
    commercial = stack.node.try_find_child(CONDITION_ID) or CfnCondition(
        stack, CONDITION_ID, expression=Fn.condition_equals(Aws.PARTITION, "aws")
    )
    return Fn.condition_if(
        commercial.logical_id, COMMERCIAL_ACCOUNT, mapping.find_in_map(Aws.REGION, "account")
    ).to_string()


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
