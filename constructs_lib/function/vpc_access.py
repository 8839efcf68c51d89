"""What a function's role needs to use a VPC: its network interfaces, on the narrowest resources."""

from __future__ import annotations

from typing import Sequence, cast

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..core.jsii_types import cfn_resource


def eni_statements(scope: Construct, subnet_ids: Sequence[str]) -> list[iam.PolicyStatement]:
    """What Lambda needs to manage a function's network interfaces (Lambda developer guide, "Giving Lambda
    functions access to resources in an Amazon VPC"), on the narrowest resources each action supports."""
    stack = Stack.of(scope)
    return [
        # Describe actions support no resource-level permissions.
        iam.PolicyStatement(actions=["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], resources=["*"]),
        iam.PolicyStatement(
            actions=["ec2:CreateNetworkInterface"],
            resources=[
                network_interfaces_arn(stack), security_groups_arn(stack),
                *(subnet_arn(stack, subnet_id) for subnet_id in subnet_ids),
            ],
        ),
        iam.PolicyStatement(
            actions=["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
            resources=[network_interfaces_arn(stack)],
        ),
    ]


def network_interfaces_arn(stack: Stack) -> str:
    """Interfaces of this account and region: Lambda creates them, so their IDs are not known before."""
    return stack.format_arn(service="ec2", resource="network-interface", resource_name="*")


def security_groups_arn(stack: Stack) -> str:
    """Any security group of the region: the function's groups may change after synthesis, and a shared
    VPC's groups belong to its owner account."""
    return stack.format_arn(service="ec2", account="*", resource="security-group", resource_name="*")


def subnet_arn(stack: Stack, subnet_id: str) -> str:
    """One subnet, whatever account owns it (a shared VPC's subnets belong to its owner; IDs are unique)."""
    return stack.format_arn(service="ec2", account="*", resource="subnet", resource_name=subnet_id)


def subnet_ids(function: lambda_.Function) -> list[str]:
    """The subnets aws-cdk-lib chose for the function in its VPC."""
    placement = cfn_resource(function, lambda_.CfnFunction).vpc_config
    return list(cast(lambda_.CfnFunction.VpcConfigProperty, placement).subnet_ids or [])
