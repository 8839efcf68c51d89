"""The VPCs the library creates: two AZs, flow logs, default security group closed, no internet route
unless asked for."""

from __future__ import annotations

from aws_cdk import Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from ..core import findings
from ..core.profile import is_regulated
from .cdk_handlers import tidy_cdk_handler
from .log_groups import new_log_group

PUBLIC = "Public"
PRIVATE = "Private"
# The singleton with which aws-cdk-lib's Vpc(restrict_default_security_group=True) empties the default group.
RESTRICT_DEFAULT_SG_PROVIDER = "Custom::VpcRestrictDefaultSGCustomResourceProvider"


def answer_public_routes(vpc: ec2.IVpc, reason: str) -> None:
    """The compliance packs' rule on routes to the internet gateway, answered on each public subnet's route."""
    for subnet in vpc.public_subnets:
        route = subnet.node.try_find_child("DefaultRoute")
        if route is not None:
            findings.acknowledge_control(route, "VPCNoUnrestrictedRouteToIGW", reason)


def new_vpc(scope: Construct, construct_id: str, *, public: bool, private: bool, nat_gateways: int = 0) -> ec2.Vpc:
    """A VPC with public and/or private subnets; private ones reach the internet only through NAT
    gateways (``nat_gateways`` > 0, which needs public subnets), else they are isolated."""
    subnets: list[ec2.SubnetConfiguration] = []
    if public:
        # Load balancers and NAT gateways get their public addresses without it; nothing else should.
        subnets.append(ec2.SubnetConfiguration(
            name=PUBLIC, subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24, map_public_ip_on_launch=False,
        ))
    if private:
        kind = ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED
        subnets.append(ec2.SubnetConfiguration(name=PRIVATE, subnet_type=kind, cidr_mask=22))
    vpc = ec2.Vpc(
        scope, construct_id, max_azs=2, nat_gateways=nat_gateways, subnet_configuration=subnets,
        restrict_default_security_group=True,  # nothing uses the default group: it allows no traffic
    )
    flow_logs = new_log_group(vpc, "FlowLogs", retention=logs.RetentionDays.ONE_YEAR,
                              without_key_because="CloudWatch Logs encrypts every log group at rest; the flow logs "
                              "hold addresses and ports, no payloads.")
    vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs))
    if nat_gateways and is_regulated(vpc):
        answer_public_routes(vpc, "The route to the internet gateway of a public subnet that holds a NAT gateway: "
                             "the private subnets' internet traffic, asked for (a NAT gateway), leaves through it. "
                             "Nothing else runs in these subnets, which give no public addresses.")
    for subnet in [*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets]:
        if not Token.is_unresolved(subnet.availability_zone):
            resource = next(c for c in subnet.node.children if isinstance(c, ec2.CfnSubnet))
            findings.skip(resource, "The stack names its account and region, so CDK pins each subnet to an "
                          "availability zone it looked up for that account (cdk.context.json): the same on every synth.",
                          cfn_lint=["W3010"])
    tidy_cdk_handler(
        Stack.of(vpc).node.find_child(RESTRICT_DEFAULT_SG_PROVIDER),
        "removes every rule of the VPC's default security group when the stack is deployed",
    )
    return vpc
