"""The regulated profile's network for functions: one VPC per account and region of an app or stage, in a stack of
its own (``RegulatedNetwork``), with private subnets in two availability zones and no route out, and the VPC
endpoints the roles of its functions say they call (resources/endpoint_needs.py).

One per environment, not one per stack: an account has 5 VPCs per Region unless it asked for more (Amazon VPC
quotas, https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html), and an interface endpoint costs by
the hour in each availability zone, whoever uses it. The functions of a stack share a security group in their stack
(outbound HTTPS only: to the endpoints, as the subnets have no other route) and import the network's VPC and subnets
by export name, their stack deployed after the network's. Apps that share an account and region name their networks
apart (context ``constructs_lib:network-name``).

Lambda creates a function's network interfaces when the function is created or its network changes, with the
permissions of the function's role (ServerlessFunction grants them, on these subnets); deleting a function's stack
waits for Lambda to release them (AWS::Lambda::Function VpcConfig in CloudFormation's reference).
"""

from __future__ import annotations

import json
from typing import Optional, cast

import jsii
from aws_cdk import Aspects, CfnOutput, Environment, Fn, IAspect, Stack, Stage, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct, IValidation

from ..core.profile import use_profile
from .endpoint_needs import GATEWAY_SERVICES, needs
from .function_grants import lambda_resources, role_statements, service_keys
from .vpc_endpoints import interface_endpoint
from .vpcs import PRIVATE, new_vpc

NETWORK_STACK = "RegulatedNetwork"
IMPORTED_VPC = "RegulatedNetworkVpc"  # the network's VPC as a stack of its functions imports it
FUNCTIONS_GROUP = "RegulatedNetworkFunctions"  # the security group of a stack's functions in the network
NAME_KEY = "constructs_lib:network-name"  # the network stacks' name, if not NETWORK_STACK
GATEWAYS = {"s3": ec2.GatewayVpcEndpointAwsService.S3, "dynamodb": ec2.GatewayVpcEndpointAwsService.DYNAMODB}
assert set(GATEWAYS) == set(GATEWAY_SERVICES)


class FunctionNetwork(Stack):
    """The functions' VPC of one account and region of a stage (see the module)."""

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment) -> None:
        super().__init__(scope, construct_id, env=env, description="The network of the regulated profile's "
                         "functions: private subnets with no route out, and the VPC endpoints they use")
        use_profile(self, "regulated")
        self.vpc = new_vpc(self, "Vpc", public=False, private=True)
        self.subnets = ec2.SubnetSelection(subnet_group_name=PRIVATE)
        self._functions: list[tuple[lambda_.Function, logs.ILogGroup]] = []
        self._problems: list[str] = []
        # Functions import what they need by export names of the network's own: CloudFormation then keeps the network
        # for as long as a function uses it, whatever the app's default reference strength, and scanners read the
        # same names in the functions' templates.
        self._exports = {"VpcId": self.vpc.vpc_id}
        for index, subnet in enumerate(self.vpc.isolated_subnets, start=1):
            self._exports[f"Subnet{index}"] = subnet.subnet_id
            self._exports[f"RouteTable{index}"] = subnet.route_table.route_table_id
        for name, value in self._exports.items():
            CfnOutput(self, name, value=value, export_name=self.export_name(name))
        Aspects.of(self).add(_AddEndpoints(self))
        self.node.add_validation(_Problems(self._problems))

    def export_name(self, name: str) -> str:
        return f"{self.stack_name}-{name}"

    def place(self, owner: Construct) -> tuple[ec2.IVpc, ec2.SubnetSelection, ec2.ISecurityGroup]:
        """The VPC (as `owner`'s stack imports it), its private subnets, and the security group of the stack's
        functions in the network: outbound HTTPS only. One per stack: Lambda makes a network interface for each
        pair of security group and subnet it meets, shared by the functions with that pair (250 per VPC, Lambda
        quotas), and each is kept in use by every function of the stack."""
        stack = Stack.of(owner)
        stack.add_stack_dependency(self, "its functions are in the regulated profile's network")
        vpc = cast(Optional[ec2.IVpc], stack.node.try_find_child(IMPORTED_VPC))  # made by from_vpc_attributes below
        if vpc is None:
            count = len(self.vpc.isolated_subnets)
            imported = {name: Fn.import_value(self.export_name(name)) for name in self._exports}
            vpc = ec2.Vpc.from_vpc_attributes(
                stack, IMPORTED_VPC, vpc_id=imported["VpcId"], availability_zones=self.vpc.availability_zones,
                isolated_subnet_ids=[imported[f"Subnet{index}"] for index in range(1, count + 1)],
                isolated_subnet_route_table_ids=[imported[f"RouteTable{index}"] for index in range(1, count + 1)])
        group = cast(Optional[ec2.ISecurityGroup], stack.node.try_find_child(FUNCTIONS_GROUP))
        if group is None:
            made = ec2.SecurityGroup(stack, FUNCTIONS_GROUP, vpc=vpc, allow_all_outbound=False,
                                     description="Library functions in the regulated profile network: outbound "
                                     "HTTPS to its VPC endpoints only")
            made.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                                 "AWS APIs through the VPC's endpoints: its subnets have no other route out")
            group = made
        return vpc, ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED), group

    def serve(self, function: lambda_.Function, log_group: logs.ILogGroup) -> None:
        """Gives the VPC, at synth, the endpoints `function`'s role lets it call."""
        self._functions.append((function, log_group))

    def add_endpoints(self) -> None:
        gateways: set[str] = set()
        interfaces: set[str] = set()
        for function, log_group in self._functions:
            statements, unreadable = role_statements(function)
            used = [*lambda_resources(function, log_group), *service_keys(Stack.of(function))]
            needed = needs(statements, used)
            gateways |= needed.gateways
            interfaces |= needed.interfaces
            reached = [f"{action} ({prefix})" for prefix, action in sorted(needed.unknown.items())]
            reached += [f"what the managed policy {json.dumps(arn)} allows, which it cannot read" for arn in unreadable]
            for what in reached:
                self._problems.append(
                    f"'{function.node.path}': its role allows {what}, which no VPC endpoint of the regulated "
                    "profile's network serves: give the function a vpc of your own with a route to that service, "
                    "or keep it out of the network (keep_out_of_network)")
        for name in sorted(gateways):
            if self.vpc.node.try_find_child(f"{name}Gateway") is None:
                self.vpc.add_gateway_endpoint(f"{name}Gateway", service=GATEWAYS[name], subnets=[self.subnets])
        for name in sorted(interfaces):
            interface_endpoint(self.vpc, ec2.InterfaceVpcEndpointAwsService(name), self.subnets, user=self)


def network_of(scope: Construct) -> FunctionNetwork:
    """The network of `scope`'s stage for its stack's account and region, made on first use. Its stack and export
    names are the account's and region's: apps that share an account and region each name theirs (context
    ``constructs_lib:network-name``), or the last deployed would set the other's endpoints."""
    stack = Stack.of(scope)
    stage = Stage.of(stack)
    assert stage is not None  # every stack is in an app, which is a stage
    account, region = (None if Token.is_unresolved(value) else value for value in (stack.account, stack.region))
    name = str(stack.node.try_get_context(NAME_KEY) or NETWORK_STACK)
    construct_id = "-".join(part for part in (name, account, region) if part)
    existing = stage.node.try_find_child(construct_id)
    if isinstance(existing, FunctionNetwork):
        return existing
    return FunctionNetwork(stage, construct_id, env=Environment(account=account, region=region))


@jsii.implements(IAspect)
class _AddEndpoints:
    def __init__(self, network: FunctionNetwork) -> None:
        self._network = network

    def visit(self, node: IConstruct) -> None:
        if node.node.path == self._network.node.path:  # once, at the stack: every function's grants are made
            self._network.add_endpoints()


@jsii.implements(IValidation)
class _Problems:
    def __init__(self, problems: list[str]) -> None:
        self._problems = problems

    def validate(self) -> list[str]:
        return list(self._problems)
