"""A ServerlessFunction's answers to the scanners' checks that ask for what it deliberately does otherwise,
each on the one resource it is about, with the reason."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import IConstruct

from ..core import findings
from ..core.profile import is_regulated
from .execution_role import ExecutionRole
from .vpc_access import network_interfaces_arn, security_groups_arn, subnet_arn, subnet_ids


def acknowledge_findings(
    function: lambda_.Function, role: iam.Role, tracing: lambda_.Tracing, vpc: Optional[ec2.IVpc],
    has_failure_destination: bool,
) -> None:
    """cdk-nag findings that the function's own choices answer: its failure destination, and the actions its
    role is allowed on '*' or on resources not known before deployment."""
    if has_failure_destination:
        findings.acknowledge(
            function,
            "Serverless-LambdaDLQ",
            "Failed asynchronous events go to the on_failure destination, which records the "
            "error and the request as well as the event: what a dead-letter queue would keep, and more.",
        )
    wildcard_reasons: list[str] = []
    if tracing != lambda_.Tracing.DISABLED:
        wildcard_reasons.append("X-Ray's PutTraceSegments and PutTelemetryRecords")
    if vpc is not None:
        wildcard_reasons.append("EC2's DescribeNetworkInterfaces and DescribeSubnets")
    policy = role  # its statements: inline, or in its DefaultPolicy under the regulated profile
    if wildcard_reasons:
        reason = (f"Only {' and '.join(wildcard_reasons)} are allowed on '*': "
                  "these actions support no resource-level permissions.")
        reasons = {"AwsSolutions-IAM5[Resource::*]": reason}
        if isinstance(role, ExecutionRole):  # the Serverless pack reads a Lambda role's inline policies only
            reasons["Serverless-LambdaStarPermissions"] = reason
        findings.acknowledge_each(policy, reasons)
    if vpc is not None:
        _acknowledge_network_interfaces(function, policy)


def _acknowledge_network_interfaces(function: lambda_.Function, policy: IConstruct) -> None:
    stack = Stack.of(function)
    reasons = {
        network_interfaces_arn(stack): "Network interfaces of this account and region only: Lambda creates "
                                       "them for the function, so their IDs are not known before.",
        security_groups_arn(stack): "CreateNetworkInterface must be allowed on every security group the "
                                    "function uses; they may change after synthesis, and a shared VPC's "
                                    "groups belong to its owner account.",
    }
    for subnet_id in subnet_ids(function):
        reasons[subnet_arn(stack, subnet_id)] = (
            "One subnet of the function, in whatever account owns it: a shared VPC's subnets belong to "
            "its owner account; subnet IDs are unique."
        )
    findings.acknowledge_each(policy, {
        f"AwsSolutions-IAM5[Resource::{findings.token_text(stack, arn)}]": reason for arn, reason in reasons.items()})


def skip_findings(
    function: lambda_.Function, log_group: logs.LogGroup, *, log_group_path: str, vpc: Optional[ec2.IVpc],
    reserves_concurrency: bool, environment: Mapping[str, str], environment_key: Optional[kms.IKey],
    failure_destination_only: bool, no_failure_target: Optional[str],
) -> None:
    """Scanner checks that ask for what this function deliberately does otherwise, with the reason: its log group
    (at `log_group_path`), its network, its concurrency, its environment's key, and (with `failure_destination_only`)
    its failed events kept by an on-failure destination and no dead-letter queue, or why it needs no failure target."""
    resource = findings.cfn_resource_of(log_group)
    days = resource.retention_in_days if isinstance(resource, logs.CfnLogGroup) else None
    skips = [findings.Skip(
        f"The function logs to its own log group ({log_group_path}) through LoggingConfig, kept {days} days; "
        "the rule looks only for a group named /aws/lambda/<function>.", cfn_lint=("WS1004",))]
    if vpc is None:
        skips.append(findings.Skip(
            "The function reaches only AWS APIs (over TLS, with IAM); it needs no private network. "
            "VpcFunction places a function in a VPC.", checkov=("CKV_AWS_117",), guard=("lambda_inside_vpc_check",)))
    if not reserves_concurrency:
        skips.append(findings.Skip(
            "Reserved concurrency is opt-in (reserved_concurrency=): reserving takes from the account's "
            "pool, which must keep 100 unreserved, and a new account's quota may be as low as 10.",
            checkov=("CKV_AWS_115",)))
    if environment and environment_key is None:
        skips.append(findings.Skip(
            "Lambda encrypts environment variables at rest with its AWS managed key; environment_key= "
            "sets a customer managed key. Keep secrets in Secrets Manager, not in variables.",
            checkov=("CKV_AWS_173",)))
    kept = ("Asynchronous events that fail every retry go to the on_failure destination, which keeps "
            "the error and the request as well as the event: what a dead-letter queue would keep, and more.")
    if failure_destination_only:
        skips.append(findings.Skip(kept, checkov=("CKV_AWS_116",)))
    if no_failure_target is not None:
        skips.append(findings.no_failure_target_skip(no_failure_target))
    findings.skip_each(function, skips, new_resource=True)
    if failure_destination_only and is_regulated(function):
        findings.acknowledge_control(function, "LambdaDLQ", kept, packs=(findings.HIPAA, findings.NIST))


def acknowledge_encrypted_destinations(role: iam.Role, targets: Sequence[Any]) -> None:
    """Sending to a KMS-encrypted queue or topic needs CDK's kms grant on that one key."""
    keys = [getattr(t, "master_key", None) or getattr(t, "encryption_master_key", None) for t in targets]
    if not any(keys):
        return
    findings.acknowledge_each(role, {
        f"AwsSolutions-IAM5[Action::{action}]": "aws-cdk-lib's grant to send to a KMS-encrypted queue or topic: the "
        "wildcard covers that action's variants on the destination's own key only."
        for action in ("kms:GenerateDataKey*", "kms:ReEncrypt*")})
