"""KMS keys the library creates: rotation on, and grants only for AWS services acting on AWS resources."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct


def new_key(
    scope: Construct, construct_id: str, *, description: str, removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
) -> kms.Key:
    """A customer managed key with yearly rotation whose policy denies kms:CreateGrant unless the grant is
    for an AWS resource or an AWS service asks for it: no principal can grant itself use of the key."""
    key = kms.Key(
        scope, construct_id, description=description, enable_key_rotation=True, removal_policy=removal_policy
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="DenyGrantsExceptForAwsResources",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=["kms:CreateGrant"],
            resources=["*"],  # in a key policy, "*" is this key
            conditions={"BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}},
        )
    )
    return key
