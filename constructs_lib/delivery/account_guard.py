"""The pipeline's roles assume roles in the accounts it delivers to, and in no other.

CDK Pipelines grants some of its roles ``sts:AssumeRole`` on roles of any account that trusts the pipeline's
(the bootstrap roles of every environment, found by tag): a deny on every role of the pipeline's stack keeps them
to the accounts the app names, whatever another account's bootstrap trusts.
"""

from __future__ import annotations

from typing import Iterable

from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam


def assume_only_into(accounts: Iterable[str]) -> iam.PolicyStatement:
    """A statement that denies assuming any role outside `accounts`."""
    return iam.PolicyStatement(
        sid="AssumeRolesOnlyInTheDeliveredAccounts",
        effect=iam.Effect.DENY,
        actions=["sts:AssumeRole"],
        not_resources=[f"arn:{Aws.PARTITION}:iam::{account}:role/*" for account in sorted(set(accounts))],
    )


def keep_roles_to(stack: Stack, accounts: Iterable[str]) -> list[iam.Role]:
    """Adds the deny to every role defined in `stack`; returns them."""
    named = sorted(set(accounts))
    roles = [c for c in stack.node.find_all() if isinstance(c, iam.Role) and Stack.of(c) is stack]
    for role in roles:
        role.add_to_principal_policy(assume_only_into(named))
    return roles
