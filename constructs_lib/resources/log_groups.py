"""Log groups the library creates: with a customer managed key when given one or under the regulated profile
(the stack's key), else with CloudWatch Logs' own encryption and the scanners' findings about it answered."""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from ..core import findings
from ..core.jsii_types import cfn_resource
from ..core.profile import is_regulated
from .keys import let_logs_use
from .regulated import stack_key


def new_log_group(scope: Construct, construct_id: str, *, without_key_because: str,
                  encryption_key: Optional[kms.IKey] = None, **options: Any) -> logs.LogGroup:
    """A log group (``options`` as ``logs.LogGroup`` takes them) encrypted with ``encryption_key``, or the stack's
    key under the regulated profile. Without a key, ``without_key_because`` answers the scanners: why CloudWatch
    Logs' own encryption at rest is enough for what this group holds."""
    key = encryption_key or (stack_key(scope) if is_regulated(scope) else None)
    group = logs.LogGroup(scope, construct_id, encryption_key=key, **options)
    if isinstance(key, kms.Key):  # a key of this app: its policy must let CloudWatch Logs use it
        let_logs_use(key)
    if key is None:
        _answer_without_key(group, without_key_because, new_resource=True)
    return group


def protect_log_group(group: logs.LogGroup, *, without_key_because: str) -> None:
    """A log group made elsewhere (aws-cdk-lib's) gets the stack's key under the regulated profile, else the answer."""
    if is_regulated(group):
        key = stack_key(group)
        let_logs_use(key)
        cfn_resource(group, logs.CfnLogGroup).kms_key_id = key.key_arn
    else:
        _answer_without_key(group, without_key_because)


def _answer_without_key(group: logs.LogGroup, reason: str, new_resource: bool = False) -> None:
    findings.skip_each(group, [findings.Skip(reason, checkov=("CKV_AWS_158",), guard=(
        "cloudwatch_log_group_encrypted_check",))], new_resource=new_resource)
