"""KMS keys the library creates: rotation on, and grants only for AWS services acting on AWS resources; and
the topics such a key encrypts."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..core.jsii_types import as_interface


def new_key(
    scope: Construct, construct_id: str, *, description: str, removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
) -> kms.Key:
    """A customer managed key with yearly rotation whose policy denies kms:CreateGrant unless the grant is
    for an AWS resource or an AWS service asks for it: no principal can grant itself use of the key."""
    key = kms.Key(
        scope, construct_id, description=description, enable_key_rotation=True, removal_policy=removal_policy
    )
    deny_grants_except_for_aws_resources(key)
    return key


def deny_grants_except_for_aws_resources(key: kms.Key) -> None:
    """Denies kms:CreateGrant on `key` unless the grant is for an AWS resource or an AWS service asks for it."""
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="DenyGrantsExceptForAwsResources",
            effect=iam.Effect.DENY,
            principals=[as_interface(iam.IPrincipal, iam.AnyPrincipal())],
            actions=["kms:CreateGrant"],
            resources=["*"],  # in a key policy, "*" is this key
            conditions={"BoolIfExists": {"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false"}},
        )
    )


def encrypted_topic(scope: Construct, what: str) -> tuple[kms.Key, sns.Topic]:
    """A new SSL-only topic, "Topic", encrypted with a new key of its own, "Key" (deleted with the stack after
    KMS's waiting period: a topic keeps no data). `what`: what the topic carries, for the key's description."""
    key = new_key(scope, "Key", description=f"Encrypts {what}", removal_policy=RemovalPolicy.DESTROY)
    return key, sns.Topic(scope, "Topic", master_key=as_interface(kms.IKey, key), enforce_ssl=True)


def let_logs_use(key: kms.Key) -> None:
    """CloudWatch Logs checks, when it creates the log group, that the key's policy lets it use the key
    for log groups of this account and region (CloudWatch Logs user guide, "Encrypt log data")."""
    stack = Stack.of(key)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com"))],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],  # in a key policy, "*" is this key
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                service="logs", resource="log-group", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )}},
        )
    )


def let_cloudfront_logs_use(key: kms.Key) -> None:
    """CloudFront's standard logs (legacy) reach a bucket encrypted with SSE-KMS only if the key's policy lets
    CloudFront's log delivery generate data keys with it (CloudFront developer guide, "Configure standard logging
    (legacy)": https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html)."""
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="LetCloudFrontDeliverLogs",
            principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal("delivery.logs.amazonaws.com"))],
            actions=["kms:GenerateDataKey*"],
            resources=["*"],  # in a key policy, "*" is this key
        )
    )
