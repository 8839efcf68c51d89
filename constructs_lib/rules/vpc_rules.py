"""What a VPC holds once: an interface endpoint with private DNS for a service; and what a function in a VPC needs
of its role.

With private DNS, AWS creates a private hosted zone for the service's default DNS name (sqs.<region>.amazonaws.com)
and associates it with the VPC; a second endpoint asking for the same name in the same VPC is refused
("private-dns-enabled cannot be set because there is already a conflicting DNS domain").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, Optional

from ..core.templates import as_list, dig, joined_parts, ref_of
from .model import FAILS_DEPLOY, App, Hit, Rule, Stack
from .policies import allows, function_role, managed_policies, role_fully_known, role_statements

REGION = "{region}"
# What Lambda calls with a VPC function's role to manage its network interfaces ("Giving Lambda functions access to
# resources in an Amazon VPC": the execution role's permissions), and the AWS managed policies that allow them.
NETWORK_INTERFACE_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                             "ec2:DeleteNetworkInterface")
VPC_ACCESS_POLICIES = {"service-role/AWSLambdaVPCAccessExecutionRole", "service-role/AWSLambdaENIManagementAccess"}
# A Region's code as it appears in a service name: us-east-1, eu-central-2, us-gov-west-1, cn-north-1.
REGION_CODE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


def service_key(value: Any) -> Optional[str]:
    """A service name with its Region written as {region} (two endpoints of one VPC are in one Region), or None
    when part of it is known only at deploy time."""
    parts = joined_parts(value) if not isinstance(value, str) else [value]
    text = ""
    for part in parts:
        if isinstance(part, str):
            text += part
        elif ref_of(part) == "AWS::Region":
            text += REGION
        else:
            return None
    return ".".join(REGION if REGION_CODE.fullmatch(s) else s for s in text.split(".")) if text else None


def vpc_key(app: App, stack: Stack, value: Any) -> Optional[str]:
    """Which VPC a VpcId names: an ID, a VPC resource of the app (across stacks), or a parameter of the template."""
    if isinstance(value, str):  # the same ID in another account or Region is another VPC
        return f"id:{stack.account}:{stack.region}:{value}"
    found = app.resource(stack, value)
    if found is not None and found[0].type_of(found[1]) == "AWS::EC2::VPC":
        return f"resource:{found[0].path}:{found[1]}"
    parameter = ref_of(value)
    if parameter is not None and parameter in stack.template.get("Parameters", {}):
        return f"parameter:{stack.path}:{parameter}"
    return None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def stack_name(stack: Stack) -> str:
    return stack.construct_path or Path(stack.path).name.removesuffix(".template.json")


def private_dns_endpoints(app: App) -> Iterator[Hit]:
    first: dict[tuple[str, str], tuple[Stack, str]] = {}
    for stack, logical_id, resource in app.of_type("AWS::EC2::VPCEndpoint"):
        props = dig(resource, "Properties", default={})
        if props.get("VpcEndpointType") != "Interface" or not _truthy(props.get("PrivateDnsEnabled")):
            continue
        vpc, service = vpc_key(app, stack, props.get("VpcId")), service_key(props.get("ServiceName"))
        if vpc is None or service is None:
            continue
        other_stack, other = first.setdefault((vpc, service), (stack, logical_id))
        if other_stack is stack and other == logical_id:
            continue
        where = "" if other_stack is stack else f" of stack {stack_name(other_stack)}"
        yield Hit(stack, logical_id, f"enables private DNS for {service.split(REGION + '.', 1)[-1]} in the VPC "
                                     f"where {other}{where} already does")


def functions_may_make_interfaces(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Function"):
        if not as_list(dig(resource, "Properties", "VpcConfig", "SubnetIds")):
            continue
        role = function_role(stack, logical_id)
        if role is None or managed_policies(stack, role) & VPC_ACCESS_POLICIES or not role_fully_known(stack, role):
            continue
        statements = role_statements(stack, role)
        missing = [action for action in NETWORK_INTERFACE_ACTIONS if not any(allows(s, action) for s in statements)]
        if missing:
            yield Hit(stack, logical_id, f"is in a VPC, and its role {role} may not call {', '.join(missing)}")


def rules() -> list[Rule]:
    return [
        Rule("DR-VPC-ENDPOINT-DNS", FAILS_DEPLOY,
             "A VPC takes one interface endpoint with private DNS per service: the endpoint associates a private "
             "hosted zone for the service's DNS name with the VPC, and a second one for the same name is refused.",
             "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
             "Create the endpoint once per VPC and share it (private DNS serves every subnet of the VPC), or "
             "disable private DNS on the second one.", private_dns_endpoints),
        Rule("DR-LAMBDA-VPC-ENI", FAILS_DEPLOY,
             "Lambda creates a VPC function's network interfaces with the function's execution role: creating the "
             "function fails unless the role may create, describe and delete network interfaces.",
             "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
             "Give the role AWSLambdaVPCAccessExecutionRole, or statements allowing ec2:CreateNetworkInterface, "
             "ec2:DescribeNetworkInterfaces and ec2:DeleteNetworkInterface (aws-cdk-lib adds the managed policy "
             "only to a role it makes).", functions_may_make_interfaces),
    ]
