"""What resource policies, roles and key policies of a template allow."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from ..core.templates import Props, as_list, dig, joined_parts, mapping, ref_of, refs, text_of
from .model import Stack


def statements(document: Any) -> list[Props]:
    return [s for s in map(mapping, as_list(dig(document, "Statement"))) if s is not None]


def allows(statement: Props, action: str, service: Optional[str] = None) -> bool:
    """An Allow statement granting `action` (wildcards counted), to `service` when one is given."""
    if statement.get("Effect") != "Allow":
        return False
    if not any(_matches(pattern, action) for pattern in as_list(statement.get("Action"))):
        return False
    return service is None or _names_service(statement.get("Principal"), service)


def _matches(pattern: Any, action: str) -> bool:
    if not isinstance(pattern, str):
        return False
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return action.lower().startswith(pattern[:-1].lower())
    return pattern.lower() == action.lower()


def _names_service(principal: Any, service: str) -> bool:
    if principal == "*":
        return True
    names = mapping(principal)
    if names is None:
        return False
    if "*" in as_list(names.get("AWS")):
        return True
    return any(_service_name(s) == service for s in as_list(names.get("Service")))


def is_service(principal: Any, service: str) -> bool:
    """Whether a Principal (of a Lambda permission, say) is `service`, however the template writes it."""
    return _service_name(principal) == service


def _service_name(value: Any) -> Optional[str]:
    """A service principal, also as aws-cdk-lib writes regional ones (Fn::Join of 'logs.', region, ...)."""
    if isinstance(value, str):
        return value
    text = "".join(part if isinstance(part, str) else "<region>" for part in joined_parts(value))
    return text.replace(".<region>.", ".").replace("<region>.", "") or None


def resource_policies(stack: Stack, policy_type: str, list_property: str, logical_id: str) -> list[Props]:
    """The statements of every resource policy of `policy_type` (e.g. AWS::SQS::QueuePolicy) that names
    `logical_id` in `list_property` (e.g. Queues)."""
    found: list[Props] = []
    for _, policy in stack.of_type(policy_type):
        if logical_id in refs(dig(policy, "Properties", list_property)):
            found.extend(statements(dig(policy, "Properties", "PolicyDocument")))
    return found


def has_resource_policy(stack: Stack, policy_type: str, list_property: str, logical_id: str) -> bool:
    for _, policy in stack.of_type(policy_type):
        if logical_id in refs(dig(policy, "Properties", list_property)):
            return True
    return False


# AWS managed policies that Lambda roles commonly carry; none grants more than logs, X-Ray, ENIs and reading
# the event source, so a role with only these is fully known from its template.
NARROW_MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole",
    "service-role/AWSLambdaVPCAccessExecutionRole",
    "service-role/AWSLambdaSQSQueueExecutionRole",
    "service-role/AWSLambdaKinesisExecutionRole",
    "service-role/AWSLambdaDynamoDBExecutionRole",
    "AWSXRayDaemonWriteAccess",
}


def role_statements(stack: Stack, role_id: str) -> list[Props]:
    """Every statement the template gives a role: inline policies and AWS::IAM::Policy resources."""
    inline = as_list(stack.props(role_id).get("Policies"))
    found = [s for policy in inline for s in statements(dig(policy, "PolicyDocument"))]
    for _, policy in stack.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        if role_id in refs(dig(policy, "Properties", "Roles")):
            found.extend(statements(dig(policy, "Properties", "PolicyDocument")))
    return found


def role_fully_known(stack: Stack, role_id: str) -> bool:
    """Whether role_statements is all the role may do, but for NARROW_MANAGED_POLICIES."""
    return all(_aws_managed_policy(arn) in NARROW_MANAGED_POLICIES
               for arn in as_list(stack.props(role_id).get("ManagedPolicyArns")))


def managed_policies(stack: Stack, role_id: str) -> set[str]:
    """The names of the AWS managed policies a role has (e.g. "service-role/AWSLambdaBasicExecutionRole")."""
    return {name for arn in as_list(stack.props(role_id).get("ManagedPolicyArns"))
            if (name := _aws_managed_policy(arn)) is not None}


def _aws_managed_policy(arn: Any) -> Optional[str]:
    """The name of an AWS managed policy ARN, also as aws-cdk-lib writes it (Fn::Join with the partition)."""
    text = text_of(arn)
    return text.split(":iam::aws:policy/", 1)[1] if ":iam::aws:policy/" in text else None


def function_role(stack: Stack, function_id: str) -> Optional[str]:
    role = ref_of(stack.props(function_id).get("Role"))
    return role if stack.type_of(role) == "AWS::IAM::Role" else None


def key_allows(stack: Stack, key_value: Any, service: str, actions: Iterable[str]) -> Optional[bool]:
    """Whether a KMS key (a KmsMasterKeyId value) lets `service` do `actions`: False for an AWS managed
    key (its policy cannot name other services), None when the template does not hold the key."""
    if "alias/aws/" in text_of(key_value):
        return False
    key = ref_of(key_value)
    if stack.type_of(key) != "AWS::KMS::Key":
        return None
    policy = statements(stack.props(key).get("KeyPolicy"))
    return all(any(allows(s, action, service) for s in policy) for action in actions)
