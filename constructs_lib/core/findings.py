"""Scanner findings that do not apply, suppressed on the one resource they are about, with the reason.

The scanners security teams run each read their own form of suppression:
- cdk-nag and the Control Tower cfn-guard plugin: CDK acknowledgments (``Validations.of(...).acknowledge``);
- checkov: the resource's ``Metadata.checkov.skip`` list (``id`` + ``comment``);
- cfn-lint (and its serverless rules): the resource's ``Metadata.cfn-lint.config.ignore_checks``.
Every reason must be true of the resource it is written on: it is what a reviewer reads.
"""

from __future__ import annotations

from typing import Any, Iterable

from aws_cdk import Acknowledgment, CfnResource, Stack, Validations
from constructs import IConstruct

from .jsii_types import cfn_resource
from .profile import is_regulated
from .templates import as_list, dig, mapping

GUARD_PLUGIN = "cdk-validator-cfnguard"
# cdk-nag's compliance packs, by the prefix of their rule IDs; the regulated profile answers them.
HIPAA, NIST, PCI = "HIPAA.Security", "NIST.800.53.R5", "PCI.DSS.321"


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Acknowledges one cdk-nag finding (e.g. ``AwsSolutions-IAM5[Resource::*]``) on one construct."""
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))


def acknowledge_control(
    construct: IConstruct, rule: str, reason: str, packs: Iterable[str] = (HIPAA, NIST, PCI)
) -> None:
    """Acknowledges one rule of cdk-nag's compliance packs (e.g. ``LambdaInsideVPC``) in each of ``packs`` that has
    it, on one construct."""
    for pack in packs:
        acknowledge(construct, f"{pack}-{rule}", reason)


def skip(
    construct: IConstruct,
    reason: str,
    *,
    checkov: Iterable[str] = (),
    cfn_lint: Iterable[str] = (),
    guard: Iterable[str] = (),
) -> None:
    """Suppresses checkov checks, cfn-lint rules and cfn-guard rules on one resource (an L1, or an L2
    whose default child is the resource), each with `reason`."""
    resource = cfn_resource_of(construct)
    checks = [{"id": check, "comment": reason} for check in checkov]
    if checks:
        existing: list[dict[str, str]] = dig(resource.get_metadata("checkov"), "skip", default=[])
        known = {entry["id"] for entry in existing}
        resource.add_metadata("checkov", {"skip": existing + [c for c in checks if c["id"] not in known]})
    rules = list(cfn_lint)
    if rules:
        config: dict[str, Any] = dig(resource.get_metadata("cfn-lint"), "config", default={})
        ignored: list[str] = list(config.get("ignore_checks", []))
        resource.add_metadata(
            "cfn-lint", {"config": {**config, "ignore_checks": ignored + [r for r in rules if r not in ignored]}}
        )
    for rule in guard:
        acknowledge(resource, f"{GUARD_PLUGIN}::{rule}", reason)


def cfn_resource_of(construct: IConstruct) -> CfnResource:
    return construct if isinstance(construct, CfnResource) else cfn_resource(construct, CfnResource)


def token_text(stack: Stack, value: str) -> str:
    """How cdk-nag writes a value in a finding's id: `<Logical.Arn>` for a GetAtt, `<Logical>` for a Ref, the export's
    name for an import."""
    return _intrinsic_text(stack.resolve(value))


def _intrinsic_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    intrinsic = mapping(value)
    if intrinsic is not None and len(intrinsic) == 1:
        (function, argument), = intrinsic.items()
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::ImportValue" and isinstance(argument, str):
            return argument
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(_intrinsic_text(part) for part in as_list(parts))
    raise ValueError(f"cannot render {value!r} as cdk-nag does")


def synchronously_invoked(invoker: str, failures: str) -> str:
    """The reason a function that `invoker` invokes synchronously needs no asynchronous failure target."""
    return (
        f"{invoker} invokes this function synchronously, so asynchronous dead-letter queues and "
        f"destinations never apply; {failures}."
    )


HOOK_HAS_NO_EVENTS = (
    "A CodeDeploy lifecycle hook: it reports Succeeded or Failed to CodeDeploy, which rolls back on "
    "Failed or on no report; there is no event to keep in a dead-letter queue or destination."
)


def acknowledge_no_failure_target(function: IConstruct, lambda_function: IConstruct, reason: str) -> None:
    """The dead-letter findings of a function that needs no asynchronous failure target, answered with
    `reason`: on `function` (a ServerlessFunction: its function and its alias, which has async settings of its
    own) for cdk-nag, on `lambda_function` (its AWS::Lambda::Function) for checkov."""
    for finding in ("Serverless-LambdaDLQ", "Serverless-LambdaAsyncFailureDestination"):
        acknowledge(function, finding, reason)
    if is_regulated(function):
        acknowledge_control(function, "LambdaDLQ", reason, packs=(HIPAA, NIST))
    skip(lambda_function, reason, checkov=["CKV_AWS_116"])


def acknowledge_edge_function(function: IConstruct) -> None:
    """What Lambda@Edge rules out, or what aws-cdk-lib's EdgeFunction sets, acknowledged with the reason."""
    reasons = {
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]":
            "Lambda@Edge writes logs in every region where it runs, to log groups that exist only once it "
            "has; aws-cdk-lib's EdgeFunction role uses the AWS managed basic execution policy for that.",
        "Serverless-LambdaDLQ": "Lambda@Edge supports no dead-letter queues; CloudFront invokes synchronously.",
        "Serverless-LambdaTracing": "Lambda@Edge supports no X-Ray active tracing.",
        "Serverless-LambdaDefaultMemorySize": "Viewer triggers of Lambda@Edge allow 128 MB only.",
        "AwsSolutions-L1": "Lambda@Edge adopts new runtimes after Lambda: the default is Python 3.13, the newest "
                           "in CloudFront's list of Lambda@Edge runtimes; EdgeHandler(runtime=...) picks another.",
        "Serverless-LambdaLatestVersion": "Lambda@Edge adopts new runtimes after Lambda: the default is "
                                          "Python 3.13; EdgeHandler(runtime=...) picks another.",
    }
    for finding, reason in reasons.items():
        acknowledge(function, finding, reason)
    skip(function, "Lambda@Edge does not support functions in a VPC (CloudFront developer guide, "
         "Restrictions on Lambda@Edge).", checkov=["CKV_AWS_117"], guard=["lambda_inside_vpc_check"])
    skip(function, "CloudFront invokes Lambda@Edge synchronously: a dead-letter queue would never receive "
         "an event.", checkov=["CKV_AWS_116"])
    skip(function, "A reserved concurrency limit would throttle viewers' requests, which CloudFront then "
         "answers with errors; the function shares each region's account concurrency.", checkov=["CKV_AWS_115"])
    skip(function, "Lambda@Edge supports no X-Ray active tracing.", cfn_lint=["WS1000"])
