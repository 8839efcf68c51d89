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
from constructs import Construct, IConstruct, IValidation

from ..core.profile import is_regulated
from ..core.templates import as_list

MANAGED_POLICY_LIMIT = 6144  # characters, whitespace not counted (IAM and AWS STS quotas)
# Managed policies IAM attaches to one role: 10 unless the account's quota was raised (at most 20), which the context
# key says (IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
POLICIES_PER_ROLE = 10
POLICIES_PER_ROLE_KEY = "constructs_lib:managed-policies-per-role"


@jsii.implements(IAspect)
class ManagedPolicies:
    """Turns each aws-cdk-lib inline policy of a regulated scope into a managed policy (see the module)."""

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, iam.Role) and is_regulated(node) and node.node.try_find_child(_COUNTED) is None:
            Construct(node, _COUNTED)  # a marker: aspects may visit a node more than once
            node.node.add_validation(_FewEnoughPolicies(node))
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


_COUNTED = "ManagedPoliciesCounted"


@jsii.implements(IValidation)
class _FewEnoughPolicies:
    """A role of a regulated scope holds no more managed policies than IAM attaches to one role."""

    def __init__(self, role: iam.Role) -> None:
        self._role = role

    def validate(self) -> list[str]:
        stack = Stack.of(self._role)
        cfn_role = self._role.node.default_child
        assert isinstance(cfn_role, iam.CfnRole)  # as iam.Role makes it
        ref = json.dumps(stack.resolve(cfn_role.ref))
        attached = len(as_list(stack.resolve(cfn_role.managed_policy_arns)))
        attached += sum(1 for node in stack.node.find_all() if isinstance(node, iam.CfnManagedPolicy)
                        and ref in json.dumps(stack.resolve(node.roles)))
        limit = int(self._role.node.try_get_context(POLICIES_PER_ROLE_KEY) or POLICIES_PER_ROLE)
        if attached <= limit:
            return []
        return [f"'{self._role.node.path}': {attached} managed policies are attached to the role, over the {limit} "
                f"IAM attaches to a role (IAM quotas): grant through fewer policies, or say the account's raised "
                f"quota (context {POLICIES_PER_ROLE_KEY})"]


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
