"""CodeConnections' two service prefixes. AWS CodeStar Connections was renamed AWS CodeConnections: connections made
since mid-2024 have ``arn:...:codeconnections:...`` ARNs, and "when specifying a resource in the IAM policy, the service
prefix needs to match that of the resource" (Developer Tools console user guide, "Connections rename"). aws-cdk-lib's
connection source grants ``codestar-connections:UseConnection`` whatever the ARN: on a codeconnections ARN the source
action is denied. This adds ``codeconnections:UseConnection`` beside each such grant."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from ..core.templates import as_list

OLD_ACTION = "codestar-connections:UseConnection"
NEW_ACTION = "codeconnections:UseConnection"


def renamed_resources(statement: dict[str, object]) -> list[str]:
    """The codeconnections ARNs that `statement` grants the old action on."""
    if statement.get("Effect") != "Allow" or OLD_ACTION not in as_list(statement.get("Action")):
        return []
    return [r for r in as_list(statement.get("Resource")) if isinstance(r, str) and ":codeconnections:" in r]


def allow_renamed_prefix(scope: IConstruct) -> int:
    """Grants NEW_ACTION wherever a policy under `scope` grants OLD_ACTION on a codeconnections ARN; how many grants."""
    stack = Stack.of(scope)
    added = 0
    for policy in (c for c in scope.node.find_all() if isinstance(c, iam.Policy)):
        document = stack.resolve(policy.document.to_json())
        arns = sorted({arn for statement in as_list(document.get("Statement")) for arn in renamed_resources(statement)})
        if arns:
            policy.add_statements(iam.PolicyStatement(actions=[NEW_ACTION], resources=arns))
            added += 1
    return added
