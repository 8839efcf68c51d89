"""What a VPC holds once: an interface endpoint with private DNS for a service.

With private DNS, AWS creates a private hosted zone for the service's default DNS name (sqs.<region>.amazonaws.com)
and associates it with the VPC; a second endpoint asking for the same name in the same VPC is refused
("private-dns-enabled cannot be set because there is already a conflicting DNS domain").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, Optional

from ..core.templates import dig, joined_parts, ref_of
from .model import FAILS_DEPLOY, App, Hit, Rule, Stack

REGION = "{region}"
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


def rules() -> list[Rule]:
    return [
        Rule("DR-VPC-ENDPOINT-DNS", FAILS_DEPLOY,
             "A VPC takes one interface endpoint with private DNS per service: the endpoint associates a private "
             "hosted zone for the service's DNS name with the VPC, and a second one for the same name is refused.",
             "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
             "Create the endpoint once per VPC and share it (private DNS serves every subnet of the VPC), or "
             "disable private DNS on the second one.", private_dns_endpoints),
    ]
