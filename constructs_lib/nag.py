"""Narrow cdk-nag acknowledgments, kept on the library's own resources with their reasons."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Acknowledges one finding (e.g. ``AwsSolutions-IAM5[Resource::*]``) on one construct."""
    Validations.of(construct).acknowledge(Acknowledgment(id=finding, reason=reason))
