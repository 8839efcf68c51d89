"""The VPCs the library creates: two AZs, flow logs, no internet route unless asked for."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

PUBLIC = "Public"
PRIVATE = "Private"


def new_vpc(scope: Construct, construct_id: str, *, public: bool, private: bool, nat_gateways: int = 0) -> ec2.Vpc:
    """A VPC with public and/or private subnets; private ones reach the internet only through NAT
    gateways (``nat_gateways`` > 0, which needs public subnets), else they are isolated."""
    subnets = []
    if public:
        subnets.append(ec2.SubnetConfiguration(name=PUBLIC, subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24))
    if private:
        kind = ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED
        subnets.append(ec2.SubnetConfiguration(name=PRIVATE, subnet_type=kind, cidr_mask=22))
    vpc = ec2.Vpc(
        scope, construct_id, max_azs=2, nat_gateways=nat_gateways, subnet_configuration=subnets,
        restrict_default_security_group=False,
    )
    vpc.add_flow_log(
        "FlowLog",
        destination=ec2.FlowLogDestination.to_cloud_watch_logs(
            logs.LogGroup(vpc, "FlowLogs", retention=logs.RetentionDays.ONE_MONTH)
        ),
    )
    return vpc
