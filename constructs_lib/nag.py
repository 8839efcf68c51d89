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


def acknowledge_polled(function: IConstruct, where_failures_go: str) -> None:
    """A function that only an event source mapping invokes (synchronously) needs no async failure target."""
    reason = (
        "An event source mapping invokes this function synchronously, so asynchronous dead-letter "
        f"queues and destinations never apply; {where_failures_go}."
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
