"""Narrow cdk-nag acknowledgments, kept on the library's own resources with their reasons."""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Acknowledges one finding (e.g. ``AwsSolutions-IAM5[Resource::*]``) on one construct."""
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))


def token_text(stack: Stack, value: str) -> str:
    """How cdk-nag writes a value in a finding's id: `<Logical.Arn>` for a GetAtt, `<Logical>` for a Ref."""
    return _intrinsic_text(stack.resolve(value))


def _intrinsic_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(_intrinsic_text(part) for part in parts)
    raise ValueError(f"cannot render {value!r} as cdk-nag does")


def acknowledge_synchronous(function: IConstruct, invoker: str, failures: str) -> None:
    """A function that `invoker` invokes synchronously needs no asynchronous failure target."""
    reason = (
        f"{invoker} invokes this function synchronously, so asynchronous dead-letter queues and "
        f"destinations never apply; {failures}."
    )
    for finding in ("Serverless-LambdaDLQ", "Serverless-LambdaAsyncFailureDestination"):
        acknowledge(function, finding, reason)


def acknowledge_hook(function: IConstruct) -> None:
    """CodeDeploy invokes a lifecycle hook and waits for the status it reports: no event to keep."""
    reason = (
        "A CodeDeploy lifecycle hook: it reports Succeeded or Failed to CodeDeploy, which rolls back on "
        "Failed or on no report; there is no event to keep in a dead-letter queue or destination."
    )
    for finding in ("Serverless-LambdaDLQ", "Serverless-LambdaAsyncFailureDestination"):
        acknowledge(function, finding, reason)


def acknowledge_edge_function(function: IConstruct) -> None:
    """What Lambda@Edge rules out, or what aws-cdk-lib's EdgeFunction sets, acknowledged with the reason."""
    reasons = {
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]":
            "Lambda@Edge writes logs in every region where it runs, to log groups that exist only once it "
            "has; aws-cdk-lib's EdgeFunction role uses the AWS managed basic execution policy for that.",
        "Serverless-LambdaDLQ": "Lambda@Edge supports no dead-letter queues; CloudFront invokes synchronously.",
        "Serverless-LambdaTracing": "Lambda@Edge supports no X-Ray active tracing.",
        "Serverless-LambdaDefaultMemorySize": "Viewer triggers of Lambda@Edge allow 128 MB only.",
        "AwsSolutions-L1": "Lambda@Edge adopts new runtimes after Lambda: the default is Python 3.13; "
                           "EdgeHandler(runtime=...) picks a newer one once the edge supports it.",
        "Serverless-LambdaLatestVersion": "Lambda@Edge adopts new runtimes after Lambda: the default is "
                                          "Python 3.13; EdgeHandler(runtime=...) picks a newer one.",
    }
    for finding, reason in reasons.items():
        acknowledge(function, finding, reason)
