"""Demo tables: on-demand, encrypted, point-in-time recovery on."""

from typing import Optional

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from constructs_lib.core import findings


def demo_table(
    scope: Construct,
    construct_id: str,
    partition_key: str,
    sort_key: Optional[str] = None,
    stream: Optional[dynamodb.StreamViewType] = None,
) -> dynamodb.Table:
    table = dynamodb.Table(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING) if sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        stream=stream,
        removal_policy=RemovalPolicy.RETAIN,
    )
    findings.skip(
        table, "Encrypted with the AWS managed key aws/dynamodb (KMS; its use is logged in CloudTrail): demo "
        "data needs no key of its own.", checkov=["CKV_AWS_119"],
    )
    return table
