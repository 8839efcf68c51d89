"""Where a function of the regulated profile runs: in its account's and region's network (resources/function_network.py)
unless it was given a VPC or its scope keeps it out (``keep_out_of_network``), whose reason then answers the
compliance packs' ``LambdaInsideVPC``."""

from __future__ import annotations

from typing import Optional

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from ..core import findings
from ..core.profile import is_regulated, out_of_network_reason
from ..resources.function_network import FunctionNetwork, network_of


def network_for(owner: Construct, vpc: Optional[ec2.IVpc]) -> Optional[FunctionNetwork]:
    """The network `owner`'s function runs in, or None (the default profile, a VPC given, a scope kept out)."""
    if vpc is not None or not is_regulated(owner) or out_of_network_reason(owner) is not None:
        return None
    return network_of(owner)


def join_network(owner: Construct, network: Optional[FunctionNetwork], function: lambda_.Function,
                 log_group: logs.ILogGroup) -> None:
    """Gives the network the endpoints `function` calls, or answers the packs' rule for a function kept out."""
    if network is not None:
        network.serve(function, log_group)
        findings.skip(function, f"In the private subnets of {network.stack_name}'s VPC, which has no route out: this "
                      "template imports their IDs (Fn::ImportValue), which the rule does not follow.",
                      guard=["lambda_inside_vpc_check"])
        return
    reason = out_of_network_reason(owner) if is_regulated(owner) else None
    if reason is not None and not function.is_bound_to_vpc:
        findings.acknowledge_control(function, "LambdaInsideVPC", reason)
