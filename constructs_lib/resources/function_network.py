"""The regulated profile's network for functions: one VPC per account and region of an app or stage, in a stack of
its own (``RegulatedNetwork``), with private subnets in two availability zones and no route out, and the VPC
endpoints the roles of its functions say they call (resources/endpoint_needs.py).

One per environment, not one per stack: an account has 5 VPCs per Region unless it asked for more (Amazon VPC
quotas, https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html), and an interface endpoint costs by
the hour in each availability zone, whoever uses it. Each function gets a security group of its own in its own
stack (outbound HTTPS only: to the endpoints, as the subnets have no other route), and references the network's VPC
and subnets, which makes its stack deploy after the network's.

Lambda creates a function's network interfaces when the function is created or its network changes, with the
permissions of the function's role (ServerlessFunction grants them, on these subnets); deleting a function's stack
waits for Lambda to release them (AWS::Lambda::Function VpcConfig in CloudFormation's reference).
"""

from __future__ import annotations

import json
from typing import Any, Optional, cast

import jsii
from aws_cdk import Aspects, CfnOutput, Environment, Fn, IAspect, Stack, Stage, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct, IValidation

from ..core.jsii_types import cfn_resource
from ..core.templates import as_list, dig
from ..core.profile import use_profile
from .endpoint_needs import GATEWAY_SERVICES, needs
from .vpc_endpoints import interface_endpoint
from .vpcs import PRIVATE, new_vpc

NETWORK_STACK = "RegulatedNetwork"
IMPORTED_VPC = "RegulatedNetworkVpc"  # the network's VPC as a stack of its functions imports it
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

    def place(self, owner: Construct) -> tuple[ec2.IVpc, ec2.SubnetSelection, ec2.SecurityGroup]:
        """The VPC (as `owner`'s stack imports it), its private subnets, and a security group for a function of
        `owner`, in `owner`'s stack: outbound HTTPS only."""
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
        group = ec2.SecurityGroup(owner, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
                                  description=f"Function {owner.node.path}: outbound HTTPS to VPC endpoints only")
        group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443),
                              "AWS APIs through the VPC's endpoints: its subnets have no other route out")
        return vpc, ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED), group

    def serve(self, function: lambda_.Function, log_group: logs.ILogGroup) -> None:
        """Gives the VPC, at synth, the endpoints `function`'s role lets it call."""
        self._functions.append((function, log_group))

    def add_endpoints(self) -> None:
        gateways: set[str] = set()
        interfaces: set[str] = set()
        for function, log_group in self._functions:
            needed = needs(_role_statements(function), _lambda_resources(function, log_group))
            gateways |= needed.gateways
            interfaces |= needed.interfaces
            for prefix, action in sorted(needed.unknown.items()):
                self._problems.append(
                    f"'{function.node.path}': its role allows {action}, and the regulated profile's network has no "
                    f"route to '{prefix}' (no VPC endpoint the library knows): give the function a vpc of your own "
                    "with a route to that service, or keep it out of the network (keep_out_of_network)")
        for name in sorted(gateways):
            if self.vpc.node.try_find_child(f"{name}Gateway") is None:
                self.vpc.add_gateway_endpoint(f"{name}Gateway", service=GATEWAYS[name], subnets=[self.subnets])
        for name in sorted(interfaces):
            interface_endpoint(self.vpc, ec2.InterfaceVpcEndpointAwsService(name), self.subnets, user=self)


def network_of(scope: Construct) -> FunctionNetwork:
    """The network of `scope`'s stage for its stack's account and region, made on first use."""
    stack = Stack.of(scope)
    stage = Stage.of(stack)
    assert stage is not None  # every stack is in an app, which is a stage
    account, region = (None if Token.is_unresolved(value) else value for value in (stack.account, stack.region))
    construct_id = "-".join(part for part in (NETWORK_STACK, account, region) if part)
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


def _role_statements(function: lambda_.Function) -> list[Any]:
    """The statements of the function's role in its stack's template: the role's own policies, and the inline
    or managed policies of the stack that name it."""
    stack = Stack.of(function)
    role = function.role
    assert isinstance(role, iam.Role)  # ServerlessFunction makes its role
    cfn_role = cfn_resource(role, iam.CfnRole)
    role_ref = _key(stack.resolve(cfn_role.ref))
    managed = {_key(arn) for arn in as_list(stack.resolve(cfn_role.managed_policy_arns))}
    documents = [_dig(policy, "PolicyDocument") for policy in as_list(stack.resolve(cfn_role.policies))]
    for node in stack.node.find_all():
        if isinstance(node, (iam.CfnPolicy, iam.CfnManagedPolicy)):
            roles = {_key(name) for name in as_list(stack.resolve(node.roles))}
            attached = isinstance(node, iam.CfnManagedPolicy) and _key(stack.resolve(node.ref)) in managed
            if role_ref in roles or attached:
                documents.append(stack.resolve(node.policy_document))
    return [statement for document in documents for statement in as_list(dig(document, "Statement"))]


def _lambda_resources(function: lambda_.Function, log_group: logs.ILogGroup) -> list[Any]:
    """What Lambda uses for the function from its own network: the function's log group, its dead-letter queue,
    its asynchronous destinations and the sources and failure destinations of its event source mappings (of the
    function or of an alias of it)."""
    stack = Stack.of(function)
    cfn_function = cfn_resource(function, lambda_.CfnFunction)
    nodes = stack.node.find_all()
    names = [json.dumps(stack.get_logical_id(cfn_function))]  # as a reference to the function names it
    names += [json.dumps(stack.get_logical_id(node)) for node in nodes
              if isinstance(node, lambda_.CfnAlias) and _names(stack, node.function_name, names[:1])]
    used: list[Any] = [stack.resolve(log_group.log_group_arn)]
    used.append(_dig(stack.resolve(cfn_function.dead_letter_config), "TargetArn"))
    for node in nodes:
        if isinstance(node, lambda_.CfnEventInvokeConfig) and _names(stack, node.function_name, names):
            config = stack.resolve(node.destination_config)
            used += [_dig(config, "OnFailure", "Destination"), _dig(config, "OnSuccess", "Destination")]
        elif isinstance(node, lambda_.CfnEventSourceMapping) and _names(stack, node.function_name, names):
            used += [stack.resolve(node.event_source_arn),
                     _dig(stack.resolve(node.destination_config), "OnFailure", "Destination")]
    return [resource for resource in used if resource is not None]


def _names(stack: Stack, function_name: str, logical_ids: list[str]) -> bool:
    """Whether a FunctionName property refers to one of the (JSON-quoted) logical IDs."""
    text = _key(stack.resolve(function_name))
    return any(logical_id in text for logical_id in logical_ids)


def _dig(value: Any, *keys: str) -> Any:
    """A property of a resolved L1 value, whose struct keys resolve in camelCase (``onFailure``), not as the template
    writes them (``OnFailure``)."""
    for key in keys:
        value = dig(value, key, default=dig(value, key[0].lower() + key[1:]))
    return value


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
