"""A function's execution role whose permissions are inline in the role (its ``Policies``): one resource where
aws-cdk-lib's ``Role`` makes two (the role and an ``AWS::IAM::Policy`` holding every grant).

IAM counts both the same: a role's inline policies, whether written in the role or attached by an
``AWS::IAM::Policy``, share the role's 10,240-character inline-policy quota
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), and the scanners read both forms alike
(cdk-nag's IAM5 and NIST/HIPAA/PCI IAMNoInlinePolicy rules, the Control Tower inline-policy rules, checkov).

Under the regulated profile, whose packs refuse inline policies (IAMNoInlinePolicy), a function's role is aws-cdk-lib's
``Role``: its ``DefaultPolicy`` becomes a managed policy attached to the role (``resources.managed_policies``).
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from ..core.jsii_types import as_interface
from ..core.profile import is_regulated

POLICY_NAME = "Execution"


def execution_role(scope: Construct, construct_id: str, *, description: str) -> iam.Role:
    """A function's execution role: an ``ExecutionRole`` (one resource), or under the regulated profile a ``Role``
    whose statements end in a managed policy."""
    if is_regulated(scope):
        return iam.Role(scope, construct_id, assumed_by=_lambda_principal(), description=description)
    return ExecutionRole(scope, construct_id, description=description)


def _lambda_principal() -> iam.IPrincipal:
    return as_interface(iam.IPrincipal, iam.ServicePrincipal("lambda.amazonaws.com"))


class ExecutionRole(iam.Role):
    """A role for lambda.amazonaws.com whose statements, however they are granted (``add_to_policy``, a resource's
    ``grant_*``, aws-cdk-lib's own for tracing or a dead-letter queue), go into its inline policy.

    A statement naming a resource that depends on the role's function (the function itself, its alias) would make
    a circular dependency: such statements go in an ``iam.Policy`` of their own (see ``durable``)."""

    def __init__(self, scope: Construct, construct_id: str, *, description: str) -> None:
        self.document = iam.PolicyDocument()
        super().__init__(
            scope, construct_id,
            assumed_by=_lambda_principal(), description=description, inline_policies={POLICY_NAME: self.document},
        )

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        self.document.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self)

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        self.document.add_statements(statement)
        return True
