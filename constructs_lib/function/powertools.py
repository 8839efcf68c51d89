"""The public Powertools for AWS Lambda (Python) layer, for the stack's region and the function's architecture.

Powertools publishes the layer from one account in every commercial region, from another in the China
region cn-north-1, and from one account per AWS GovCloud (US) region (Powertools' installation guide).
Nowhere else: a stack in another region or partition is refused at synth when its region is known; an
environment-agnostic stack chooses the account at deploy time and fails there, before creating anything,
in a region without the layer.

A version is either pinned (an int: the layer version, the same ARN on every deploy) or resolved at deploy
time ("latest" or a release such as "3.23.0") through the public SSM parameters Powertools writes, which
hold the layer ARN per architecture and runtime. Powertools writes them in the commercial regions listed
below (its update_ssm.yml workflow); not in China or GovCloud, where only a pinned version works.
"""

from __future__ import annotations

import re
from typing import Optional, Union

from aws_cdk import Aws, CfnCondition, CfnMapping, Fn, Stack, Token
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ssm as ssm
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
# Where Powertools writes /aws/service/powertools/python/... parameters.
SSM_PARAMETER_REGIONS = frozenset({
    "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "mx-central-1",
    "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
})
# "latest", or a Powertools v3 release: the layer name is AWSLambdaPowertoolsPythonV3.
RESOLVED_VERSION = re.compile(r"latest|3\.\d+\.\d+")
PowertoolsVersion = Union[int, str]
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


def version_problem(version: object, region: str) -> Optional[str]:
    """Why `version` cannot be used in `region` (unresolved for an environment-agnostic stack), or None."""
    if isinstance(version, bool) or not isinstance(version, (int, str)):
        return "must be a layer version (int), 'latest' or a Powertools release such as '3.23.0'"
    if isinstance(version, int):
        return None if version >= 1 else "must be a layer version of 1 or more"
    if not RESOLVED_VERSION.fullmatch(version):
        return "must be 'latest' or a Powertools v3 release written X.Y.Z, such as '3.23.0'"
    if not Token.is_unresolved(region) and region not in SSM_PARAMETER_REGIONS:
        return (
            f"cannot be resolved in {region}: Powertools writes its SSM parameters in {len(SSM_PARAMETER_REGIONS)} "
            "commercial regions only (powertools.SSM_PARAMETER_REGIONS); pin a layer version (an int) there"
        )
    return None


def ssm_parameter_name(architecture: lambda_.Architecture, runtime: lambda_.Runtime, version: str) -> str:
    return f"/aws/service/powertools/python/{_arch(architecture)}/{runtime.name}/{version}"


def _arch(architecture: lambda_.Architecture) -> str:
    return "arm64" if architecture.name == "arm64" else "x86_64"


def powertools_layer_arn(
    scope: Construct, architecture: lambda_.Architecture, runtime: lambda_.Runtime, version: PowertoolsVersion
) -> str:
    """ARN of the layer. A pinned version: for an environment-agnostic stack the partition, region and
    account resolve at deploy time. A resolved version: CloudFormation reads the SSM parameter on every
    deploy (the cdk CLI never skips the deploy of a stack with SSM parameters). Raises ValueError for a known
    region where Powertools publishes no layer."""
    stack = Stack.of(scope)
    if isinstance(version, str):
        return ssm.StringParameter.value_for_string_parameter(
            stack, ssm_parameter_name(architecture, runtime, version)
        )
    python_tag = runtime.name.replace(".", "")  # python3.14 -> python314
    arch = _arch(architecture)
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
    mapping = stack.node.try_find_child(MAPPING_ID)
    if not isinstance(mapping, CfnMapping):
        mapping = CfnMapping(
            stack, MAPPING_ID, mapping={region: {"account": account} for region, account in OTHER_ACCOUNTS.items()}
        )
    commercial = stack.node.try_find_child(CONDITION_ID)
    if not isinstance(commercial, CfnCondition):
        commercial = CfnCondition(stack, CONDITION_ID, expression=Fn.condition_equals(Aws.PARTITION, "aws"))
    return Fn.condition_if(
        commercial.logical_id, COMMERCIAL_ACCOUNT, mapping.find_in_map(Aws.REGION, "account")
    ).to_string()


def powertools_layer(
    scope: Construct,
    construct_id: str,
    architecture: lambda_.Architecture,
    runtime: lambda_.Runtime,
    version: PowertoolsVersion = DEFAULT_POWERTOOLS_LAYER_VERSION,
) -> lambda_.ILayerVersion:
    return lambda_.LayerVersion.from_layer_version_arn(
        scope, construct_id, powertools_layer_arn(scope, architecture, runtime, version)
    )
