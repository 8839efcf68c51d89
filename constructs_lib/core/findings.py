"""Scanner findings that do not apply, suppressed on the one resource they are about, with the reason.

The scanners security teams run each read their own form of suppression:
- cdk-nag and the Control Tower cfn-guard plugin: CDK acknowledgments (``Validations.of(...).acknowledge``);
- checkov: the resource's ``Metadata.checkov.skip`` list (``id`` + ``comment``);
- cfn-lint (and its serverless rules): the resource's ``Metadata.cfn-lint.config.ignore_checks``.
Every reason must be true of the resource it is written on: it is what a reviewer reads.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

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
    acknowledge_each(construct, {finding: reason})


def acknowledge_each(construct: IConstruct, reasons: Mapping[str, str]) -> None:
    """Acknowledges cdk-nag findings on one construct, each (the key) with its reason (the value), in one call."""
    if not reasons:
        return
    validations = _VALIDATIONS.get(construct)
    if validations is None:
        validations = _VALIDATIONS[construct] = Validations.of(construct)
    validations.acknowledge(*[Acknowledgment(id=finding, reason=reason) for finding, reason in reasons.items()])


def acknowledge_control(
    construct: IConstruct, rule: str, reason: str, packs: Iterable[str] = (HIPAA, NIST, PCI)
) -> None:
    """Acknowledges one rule of cdk-nag's compliance packs (e.g. ``LambdaInsideVPC``) in each of ``packs`` that has
    it, on one construct."""
    acknowledge_each(construct, {f"{pack}-{rule}": reason for pack in packs})


@dataclass(frozen=True)
class Skip:
    """Checkov checks, cfn-lint rules and cfn-guard rules that one reason answers."""

    reason: str
    checkov: tuple[str, ...] = ()
    cfn_lint: tuple[str, ...] = ()
    guard: tuple[str, ...] = ()


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
    skip_each(construct, [Skip(reason, tuple(checkov), tuple(cfn_lint), tuple(guard))])


def skip_each(construct: IConstruct, skips: Iterable[Skip], *, new_resource: bool = False) -> None:
    """`skip` of several reasons on one resource: its metadata is read once, when it is first answered (not at all
    for a `new_resource`, which the caller has just made: it has no answers yet), and written once per call."""
    resource = cfn_resource_of(construct)
    answers = _ANSWERS.get(resource)
    if answers is None:
        answers = _ANSWERS[resource] = _Answers(resource, new_resource)
    skips = list(skips)
    answers.add(skips)
    acknowledge_each(resource, {f"{GUARD_PLUGIN}::{rule}": s.reason for s in skips for rule in s.guard})


class _Answers:
    """A resource's checkov skips and cfn-lint ignored rules: the ones it had, then ours."""

    def __init__(self, resource: CfnResource, new: bool) -> None:
        self.resource = resource
        self.skips: list[dict[str, str]] | None = [] if new else None
        self.config: dict[str, Any] = {}
        self.ignored: list[str] | None = [] if new else None

    def add(self, skips: list[Skip]) -> None:
        cfn_lint = [rule for s in skips for rule in s.cfn_lint]
        if cfn_lint:
            if self.ignored is None:
                self.config = dig(self.resource.get_metadata("cfn-lint"), "config", default={})
                self.ignored = list(self.config.get("ignore_checks", []))
            self.ignored += [rule for rule in dict.fromkeys(cfn_lint) if rule not in self.ignored]
            self.resource.add_metadata("cfn-lint", {"config": {**self.config, "ignore_checks": self.ignored}})
        checkov = [(check, s.reason) for s in skips for check in s.checkov]
        if checkov:
            if self.skips is None:
                self.skips = list(dig(self.resource.get_metadata("checkov"), "skip", default=[]))
            for check, reason in checkov:
                if all(entry["id"] != check for entry in self.skips):
                    self.skips.append({"id": check, "comment": reason})
            self.resource.add_metadata("checkov", {"skip": self.skips})


# Each answered resource's answers (jsii gives one Python object per resource), each construct's resource, and each
# acknowledging construct's Validations.
_ANSWERS: "weakref.WeakKeyDictionary[CfnResource, _Answers]" = weakref.WeakKeyDictionary()
_RESOURCES: "weakref.WeakKeyDictionary[IConstruct, CfnResource]" = weakref.WeakKeyDictionary()
_VALIDATIONS: "weakref.WeakKeyDictionary[IConstruct, Validations]" = weakref.WeakKeyDictionary()


def cfn_resource_of(construct: IConstruct) -> CfnResource:
    if isinstance(construct, CfnResource):
        return construct
    found = _RESOURCES.get(construct)
    if found is None:
        found = _RESOURCES[construct] = cfn_resource(construct, CfnResource)
    return found


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


def acknowledge_no_failure_target(function: IConstruct, reason: str) -> None:
    """cdk-nag's dead-letter findings of a function that needs no asynchronous failure target, answered with
    `reason` on `function` (a ServerlessFunction: its function and its alias, which has async settings of its own);
    checkov's is `no_failure_target_skip` on its AWS::Lambda::Function."""
    acknowledge_each(function, {finding: reason for finding in (
        "Serverless-LambdaDLQ", "Serverless-LambdaAsyncFailureDestination")})
    if is_regulated(function):
        acknowledge_control(function, "LambdaDLQ", reason, packs=(HIPAA, NIST))


def no_failure_target_skip(reason: str) -> Skip:
    """checkov's dead-letter check of a function that needs no asynchronous failure target, answered with `reason`."""
    return Skip(reason, checkov=("CKV_AWS_116",))


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
    acknowledge_each(function, reasons)
    skip_each(function, [
        Skip("Lambda@Edge does not support functions in a VPC (CloudFront developer guide, Restrictions on "
             "Lambda@Edge).", checkov=("CKV_AWS_117",), guard=("lambda_inside_vpc_check",)),
        Skip("CloudFront invokes Lambda@Edge synchronously: a dead-letter queue would never receive an event.",
             checkov=("CKV_AWS_116",)),
        Skip("A reserved concurrency limit would throttle viewers' requests, which CloudFront then answers with "
             "errors; the function shares each region's account concurrency.", checkov=("CKV_AWS_115",)),
        Skip("Lambda@Edge supports no X-Ray active tracing.", cfn_lint=("WS1000",)),
    ])
