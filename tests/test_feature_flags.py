"""What the library builds does not depend on the app's feature flags for anything security-relevant.

A user's app does not carry the demo's cdk.json. Every demo stack is compared as the CLI synthesizes it
(with the demo's feature flags) and as an app without any builds it: the security properties of every
resource, bucket encryption,
ACLs, ownership, versioning, lifecycle and logging; bucket, queue, topic, key and file system policies;
IAM statements (as action/resource pairs: flags only change how aws-cdk-lib groups them); security
groups; Lambda permissions and URLs; listeners; log retention; encryption of queues and topics.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import templates_in

PROPERTIES = {
    "AWS::S3::Bucket": ("AccessControl", "BucketEncryption", "PublicAccessBlockConfiguration", "OwnershipControls",
                        "VersioningConfiguration", "LifecycleConfiguration", "LoggingConfiguration"),
    "AWS::EFS::FileSystem": ("Encrypted", "BackupPolicy"),
    "AWS::EC2::SecurityGroup": ("SecurityGroupIngress", "SecurityGroupEgress"),
    "AWS::EC2::SecurityGroupIngress": None, "AWS::EC2::SecurityGroupEgress": None,
    "AWS::EC2::Subnet": ("MapPublicIpOnLaunch",),
    "AWS::KMS::Key": ("EnableKeyRotation",),
    "AWS::Lambda::Permission": None, "AWS::Lambda::Url": ("AuthType",),
    "AWS::ElasticLoadBalancingV2::Listener": ("Protocol", "SslPolicy", "Certificates"),
    "AWS::Logs::LogGroup": ("RetentionInDays", "KmsKeyId"),
    "AWS::SQS::Queue": ("SqsManagedSseEnabled", "KmsMasterKeyId"),
    "AWS::SNS::Topic": ("KmsMasterKeyId",),
    "AWS::DynamoDB::Table": ("SSESpecification", "PointInTimeRecoverySpecification"),
    "AWS::CloudFront::Distribution": None,
}
POLICIES = {"AWS::S3::BucketPolicy": "PolicyDocument", "AWS::SQS::QueuePolicy": "PolicyDocument",
            "AWS::SNS::TopicPolicy": "PolicyDocument", "AWS::IAM::Policy": "PolicyDocument",
            "AWS::KMS::Key": "KeyPolicy", "AWS::IAM::Role": "AssumeRolePolicyDocument",
            "AWS::EFS::FileSystem": "FileSystemPolicy"}
# Logical IDs that feature flags change without changing what is deployed (version hashes).
VERSION_ID = re.compile(r"(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}")
VERSIONLESS = r"\1"


def normalised(value: Any) -> Any:
    """Partition literals and Refs to AWS::Partition alike: joins' neighbouring strings joined."""
    if isinstance(value, dict):
        if value == {"Ref": "AWS::Partition"}:
            return "aws"
        value = {key: normalised(item) for key, item in value.items()}
        if set(value) == {"Fn::Join"} and value["Fn::Join"][0] == "":
            parts: list = []
            for part in value["Fn::Join"][1]:
                if isinstance(part, str) and parts and isinstance(parts[-1], str):
                    parts[-1] += part
                else:
                    parts.append(part)
            return parts[0] if len(parts) == 1 and isinstance(parts[0], str) else {"Fn::Join": ["", parts]}
        return value
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def statements(document: dict) -> set[str]:
    """Each statement split into one line per principal, action and resource."""
    lines = set()
    for statement in document.get("Statement", []):
        principals = statement.get("Principal", {})
        principals = [principals] if isinstance(principals, str) else [
            f"{kind}:{json.dumps(p, sort_keys=True)}" for kind, ps in principals.items() for p in as_list(ps)]
        for principal in principals or [None]:
            for action in as_list(statement.get("Action")):
                for resource in as_list(statement.get("Resource")):
                    lines.add(json.dumps([statement["Effect"], principal, action, resource,
                                          statement.get("Condition")], sort_keys=True))
    return lines


def security_view(template: dict) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for logical_id, resource in template["Resources"].items():
        kind, props = resource["Type"], normalised(resource.get("Properties", {}))
        key = f"{kind} {VERSION_ID.sub(VERSIONLESS, logical_id)}"
        if kind in PROPERTIES:
            names = PROPERTIES[kind] or sorted(props)
            view[key] = {name: props.get(name) for name in names}
        if kind in POLICIES and props.get(POLICIES[kind]):
            view[f"{key} policy"] = statements(props[POLICIES[kind]])
        if kind == "AWS::IAM::Role":
            view[f"{key} managed"] = sorted(json.dumps(p, sort_keys=True) for p in props.get("ManagedPolicyArns", []))
            for inline in props.get("Policies", []):  # a library function's role holds its statements inline
                view[f"{key} inline {inline['PolicyName']}"] = statements(inline["PolicyDocument"])
        if kind.startswith("Custom::"):
            view[key] = "present"
    return json.loads(VERSION_ID.sub(VERSIONLESS, json.dumps(view, default=sorted, sort_keys=True)))


@pytest.mark.parametrize("stack", [
    "ServerlessFunctionDemo", "ThumbnailPipelineDemo", "ScheduledFunctionDemo", "QueueWorkerDemo",
    "StreamConsumerDemo", "AsyncInvocationDemo", "SafeDeploymentDemo", "AlbFunctionDemo", "VpcFunctionDemo",
    "EdgeDistributionDemo"])
def test_security_properties_do_not_depend_on_feature_flags(
    assembly: Path, unflagged_templates: dict[str, dict], stack: str
) -> None:
    flagged, plain = security_view(templates_in(assembly)[stack]), security_view(unflagged_templates[stack])
    assert {k: v for k, v in plain.items() if flagged.get(k) != v} == {}
    assert set(flagged) == set(plain)
