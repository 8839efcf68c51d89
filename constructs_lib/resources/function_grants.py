"""What a function's role allows and what Lambda and other services use for it, read from its stack's template at
synth: what the regulated profile's network needs endpoints for (resources/endpoint_needs.py)."""

from __future__ import annotations

import json
from typing import Any, Optional

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from ..core.jsii_types import cfn_resource
from ..core.templates import as_list, dig, mapping


def role_statements(function: lambda_.Function) -> tuple[list[Any], list[Any]]:
    """The statements of the function's role in its stack's template (the role's own policies, and the inline or
    managed policies of the stack that name it), and the managed policies attached by an ARN the stack does not
    define (an AWS managed policy, another stack's), whose statements cannot be read."""
    stack = Stack.of(function)
    role = function.role
    assert isinstance(role, iam.Role)  # ServerlessFunction makes its role
    cfn_role = cfn_resource(role, iam.CfnRole)
    role_ref = _key(stack.resolve(cfn_role.ref))
    managed = {_key(arn): arn for arn in as_list(stack.resolve(cfn_role.managed_policy_arns))}
    documents = [_dig(policy, "PolicyDocument") for policy in as_list(stack.resolve(cfn_role.policies))]
    for node in stack.node.find_all():
        if isinstance(node, (iam.CfnPolicy, iam.CfnManagedPolicy)):
            roles = {_key(name) for name in as_list(stack.resolve(node.roles))}
            attached = isinstance(node, iam.CfnManagedPolicy) and managed.pop(_key(stack.resolve(node.ref)), None)
            if role_ref in roles or attached:
                documents.append(stack.resolve(node.policy_document))
    statements = [statement for document in documents for statement in as_list(dig(document, "Statement"))]
    return statements, list(managed.values())


def lambda_resources(function: lambda_.Function, log_group: logs.ILogGroup) -> list[Any]:
    """What Lambda uses for the function from its own network: the function's log group, its dead-letter queue,
    its asynchronous destinations and the sources and failure destinations of its event source mappings (of the
    function or of an alias of it)."""
    stack = Stack.of(function)
    cfn_function = cfn_resource(function, lambda_.CfnFunction)
    nodes = stack.node.find_all()
    names = [json.dumps(stack.get_logical_id(cfn_function))]  # as a reference to the function names it
    names += [json.dumps(stack.get_logical_id(node)) for node in nodes
              if isinstance(node, lambda_.CfnAlias) and _names(stack, node.function_name, names[:1])]
    used: list[Any] = [stack.resolve(log_group.log_group_arn)]
    used.append(_dig(stack.resolve(cfn_function.dead_letter_config), "TargetArn"))
    for node in nodes:
        if isinstance(node, lambda_.CfnEventInvokeConfig) and _names(stack, node.function_name, names):
            config = stack.resolve(node.destination_config)
            used += [_dig(config, "OnFailure", "Destination"), _dig(config, "OnSuccess", "Destination")]
        elif isinstance(node, lambda_.CfnEventSourceMapping) and _names(stack, node.function_name, names):
            used += [stack.resolve(node.event_source_arn),
                     _dig(stack.resolve(node.destination_config), "OnFailure", "Destination")]
    return [resource for resource in used if resource is not None]


def service_keys(stack: Stack) -> list[Any]:
    """The KMS keys with which the stack's queues, topics, buckets, tables and streams are encrypted at rest: the
    service calls KMS with them for its caller (kms:ViaService), from its own network, not the caller's code."""
    keys: list[Optional[kms.IKey]] = []
    for node in stack.node.find_all():
        if isinstance(node, sqs.Queue):
            keys.append(node.encryption_master_key)
        elif isinstance(node, sns.Topic):
            keys.append(node.master_key)
        elif isinstance(node, (s3.Bucket, dynamodb.Table, dynamodb.TableV2, kinesis.Stream)):
            keys.append(node.encryption_key)
    return [stack.resolve(key.key_arn) for key in keys if key is not None]


def _names(stack: Stack, function_name: str, logical_ids: list[str]) -> bool:
    """Whether a FunctionName property refers to one of the (JSON-quoted) logical IDs."""
    text = _key(stack.resolve(function_name))
    return any(logical_id in text for logical_id in logical_ids)


def _dig(value: Any, *keys: str) -> Any:
    """A property of a resolved L1 value, whose struct keys resolve in camelCase (``onFailure``, ``kmsMasterKeyId``),
    not as the template writes them (``OnFailure``, ``KMSMasterKeyID``)."""
    for key in keys:
        found = mapping(value) or {}
        value = next((item for name, item in found.items() if name.lower() == key.lower()), None)
    return value


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
