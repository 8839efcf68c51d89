"""Under the regulated profile, the identity policies aws-cdk-lib writes as inline policies (AWS::IAM::Policy, such as
a role's DefaultPolicy) become customer managed policies (AWS::IAM::ManagedPolicy) with the same statements and the
same roles: cdk-nag's HIPAA, NIST 800-53 and PCI DSS packs ask for managed policies (IAMNoInlinePolicy).

The managed policy takes the inline one's place in the construct tree, so what waited for the policy (a function
that must be allowed before it is created) waits for the managed one. IAM holds a managed policy to 6,144
characters, an inline one to 10,240 (IAM quotas): a larger document is refused at synth."""

from __future__ import annotations

import json

import jsii
from aws_cdk import IAspect, Stack
from aws_cdk import aws_iam as iam
from constructs import IConstruct, IValidation

from ..core.profile import is_regulated

MANAGED_POLICY_LIMIT = 6144  # characters, whitespace not counted (IAM and AWS STS quotas)


@jsii.implements(IAspect)
class ManagedPolicies:
    """Turns each aws-cdk-lib inline policy of a regulated scope into a managed policy (see the module)."""

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, iam.Policy) or not is_regulated(node) or node.document.is_empty:
            return
        inline = node.node.try_find_child("Resource")
        if not isinstance(inline, iam.CfnPolicy):
            return  # done already: aspects may visit a node more than once
        managed = iam.CfnManagedPolicy(
            node, "Managed", policy_document=inline.policy_document, roles=inline.roles, users=inline.users,
            groups=inline.groups, description=f"{node.node.path} (regulated profile: a managed policy)"[:1000])
        node.node.try_remove_child("Resource")
        node.node.add_validation(_FitsManagedPolicy(managed))


@jsii.implements(IValidation)
class _FitsManagedPolicy:
    def __init__(self, policy: iam.CfnManagedPolicy) -> None:
        self._policy = policy

    def validate(self) -> list[str]:
        document = Stack.of(self._policy).resolve(self._policy.policy_document)
        size = len(json.dumps(document, separators=(",", ":")))
        if size <= MANAGED_POLICY_LIMIT:
            return []
        return [f"'{self._policy.node.path}': its statements come to about {size} characters, over the "
                f"{MANAGED_POLICY_LIMIT} IAM allows a managed policy: grant on fewer resources, or split the role"]
