"""Demo tables: on-demand, encrypted, point-in-time recovery on."""

from typing import Optional

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct


def demo_table(
    scope: Construct,
    construct_id: str,
    partition_key: str,
    sort_key: Optional[str] = None,
    stream: Optional[dynamodb.StreamViewType] = None,
) -> dynamodb.Table:
    return dynamodb.Table(
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
