"""Interface endpoints, one per service and VPC.

With private DNS, AWS associates a private hosted zone for the service's default DNS name (sqs.<region>.amazonaws
.com) with the VPC, so the endpoint serves every subnet of the VPC; a second endpoint with private DNS for the same
service in the same VPC is refused at deploy ("a conflicting DNS domain already exists"). AWS PrivateLink guide,
"Access AWS services through AWS PrivateLink".
"""

from __future__ import annotations

from typing import Optional

from aws_cdk import Names, Stack, Stage, Token
from aws_cdk import aws_ec2 as ec2
from constructs import Construct, IConstruct

from ..core import findings
from ..core.jsii_types import cfn_resource


def interface_endpoint(
    vpc: ec2.IVpc, service: ec2.InterfaceVpcEndpointAwsService, subnets: ec2.SubnetSelection, user: Construct,
) -> ec2.InterfaceVpcEndpoint:
    """The VPC's endpoint with private DNS for `service`: the one the app already has (whoever made it), else a new
    one beside the VPC (in the VPC's stack, for as long as the VPC; `subnets` places it).

    `user`, a construct that uses the endpoint, has its stack deployed after the endpoint's."""
    endpoint = find_interface_endpoint(vpc, service)
    if endpoint is None:
        # A VPC of the app holds its endpoints; an imported one (a reference, no construct) has them in its stack.
        scope, name = (vpc, "") if isinstance(vpc, Construct) else (Stack.of(vpc), Names.node_unique_id(vpc.node))
        # Private DNS sends the whole VPC's requests for the service here: let the VPC in, if its range is known
        # (written out where the app states it, so that scanners can read the rule).
        stated = stated_cidr(vpc)
        open_to_vpc = stated is None and cidr_known(vpc)
        endpoint = ec2.InterfaceVpcEndpoint(
            scope, f"{name}{service.short_name}Endpoint", vpc=vpc, service=service, subnets=subnets,
            private_dns_enabled=True, open=open_to_vpc,
        )
        if stated is not None:
            endpoint.connections.allow_default_port_from(ec2.Peer.ipv4(stated), "The VPC's own address range")
        if open_to_vpc:
            for group in endpoint.connections.security_groups:
                findings.acknowledge(
                    group, "AwsSolutions-EC23",
                    f"Inbound port {service.port} from the VPC's own address range only, which CloudFormation "
                    "resolves at deploy time (the rule cannot read it at synth).",
                )
    if Stack.of(endpoint).node.path != Stack.of(user).node.path:
        Stack.of(user).add_stack_dependency(Stack.of(endpoint), f"{user.node.path} uses {endpoint.node.path}")
    return endpoint


def find_interface_endpoint(
    vpc: ec2.IVpc, service: ec2.IInterfaceVpcEndpointService,
) -> Optional[ec2.InterfaceVpcEndpoint]:
    """An interface endpoint of the app's stage with private DNS for `service` in `vpc` (the same VPC construct,
    or an import of the same VPC ID)."""
    wanted = Stack.of(vpc).resolve(service.name)
    stage = _stage_path(vpc)  # a stage deploys apart from the others, maybe to another account
    for construct in Stack.of(vpc).node.root.node.find_all():
        if isinstance(construct, ec2.InterfaceVpcEndpoint) and _stage_path(construct) == stage:
            resource = cfn_resource(construct, ec2.CfnVPCEndpoint)
            if resource.vpc_id == vpc.vpc_id and resource.private_dns_enabled is True \
                    and Stack.of(resource).resolve(resource.service_name) == wanted:
                return construct
    return None


def _stage_path(construct: IConstruct) -> Optional[str]:
    stage = Stage.of(construct)
    return stage.node.path if stage is not None else None


def stated_cidr(vpc: ec2.IVpc) -> Optional[str]:
    """The VPC's CIDR block as the app states it (a Vpc of the app with a literal range), else None."""
    if not isinstance(vpc, ec2.Vpc):
        return None
    block = cfn_resource(vpc, ec2.CfnVPC).cidr_block
    return block if isinstance(block, str) and not Token.is_unresolved(block) else None


def cidr_known(vpc: ec2.IVpc) -> bool:
    """Whether the VPC's CIDR block is known: an imported VPC has it only when the import states it."""
    try:
        vpc.vpc_cidr_block
    except RuntimeError:  # jsii: "'vpcCidrBlock' was not supplied when creating this VPC"
        return False
    return True
