"""What the regulated profile adds to a stack, once: a customer managed key (with rotation) for its logs, buckets and
backups, and an AWS Backup plan that every DynamoDB table and EFS file system of a regulated scope joins, as do the
library's data buckets whose data cannot be made again.

``use_profile(scope, "regulated")`` chooses the profile for a scope; the context key ``constructs_lib:profile``
for a whole app or stage (core/profile.py says which wins).
"""

from __future__ import annotations

import weakref
from typing import Optional

import jsii
from aws_cdk import Aspects, Fn, IAspect, Names, RemovalPolicy, Stack
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from ..core import findings
from ..core.jsii_types import as_interface, cfn_resource
from ..core.profile import is_regulated
from ..core.profile import use_profile as choose_profile
from .keys import new_key
from .managed_policies import ManagedPolicies

STACK_KEY = "RegulatedKey"
STACK_BACKUPS = "RegulatedBackups"
# What a vault's name may be (AWS::Backup::BackupVault BackupVaultName): 2-50 of letters, digits, - and _.
VAULT_PREFIX = "backups-"
BACKUP_POLICY = "service-role/AWSBackupServiceRolePolicyForBackup"
# What a backup role needs for S3 buckets, besides AWSBackupServiceRolePolicyForBackup ("Amazon S3 backups",
# https://docs.aws.amazon.com/aws-backup/latest/devguide/s3-backups.html).
S3_BACKUP_POLICIES = ("AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore")

_REGULATED_STACKS: "weakref.WeakSet[Stack]" = weakref.WeakSet()


def use_profile(scope: Construct, profile: str) -> None:
    """Every library construct added under ``scope`` from now on builds the ``profile`` way.

    :param scope: an app, stage, stack or any construct above the library's constructs.
    :param profile: "default", or "regulated": the controls of cdk-nag's HIPAA Security, NIST 800-53 rev 5 and PCI
        DSS 3.2.1 packs that the profile meets so far (docs/regulated-profile.md). The context key
        ``constructs_lib:profile`` chooses for a whole app or stage; the nearest choice above a construct wins.
    """
    choose_profile(scope, profile)
    if profile == "regulated":
        _add_aspects(scope)


def stack_key(scope: Construct) -> kms.Key:
    """The stack's one customer managed key of the regulated profile, made on first use at the stack's root. Kept
    on delete, as the retained logs and backups it encrypts are. The stack's tables and file systems then join its
    backup plan, whichever way the profile was chosen."""
    stack = Stack.of(scope)
    regulate_stack(stack)
    return _key(stack)


def regulate_stack(scope: Construct) -> None:
    """What the profile changes at synth in the scope's stack (once): its tables and file systems backed up, its inline
    policies managed. Called by the library's constructs of a regulated scope: an app's aspects do not reach into its
    stages."""
    stack = Stack.of(scope)
    if stack not in _REGULATED_STACKS:
        _REGULATED_STACKS.add(stack)
        _add_aspects(stack)


def _add_aspects(scope: Construct) -> None:
    Aspects.of(scope).add(BackUpStatefulResources())
    Aspects.of(scope).add(ManagedPolicies())


def _key(stack: Stack) -> kms.Key:
    existing = stack.node.try_find_child(STACK_KEY)
    if isinstance(existing, kms.Key):
        return existing
    return new_key(stack, STACK_KEY, description=f"Encrypts the logs and backups of {stack.node.path} "
                   "(regulated profile)")


def backup_plan(scope: Construct) -> backup.BackupPlan:
    """The stack's backup plan: daily, each backup kept 35 days, in a vault encrypted with the stack's key."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(STACK_BACKUPS)
    if isinstance(existing, backup.BackupPlan):
        return existing
    holder = Construct(stack, f"{STACK_BACKUPS}Vault")
    # One role for the plan's selections, with the AWS managed policy AWS Backup's guide prescribes.
    role = iam.Role(holder, "Role",
                    assumed_by=as_interface(iam.IPrincipal, iam.ServicePrincipal("backup.amazonaws.com")),
                    managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(BACKUP_POLICY)],
                    description=f"AWS Backup's role for the backups of {stack.node.path}")
    findings.acknowledge(
        role, f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{BACKUP_POLICY}]",
        "AWS Backup's role for this stack's backup plan, with the AWS managed policy AWS Backup's guide prescribes "
        "for making backups of the resources its selections name.")
    vault = backup.BackupVault(
        holder, "Vault", encryption_key=as_interface(kms.IKey, _key(stack)),
        # Kept on delete with its recovery points; a name of this stack's own (its ID), so that a stack made
        # again does not meet the kept vault's name.
        backup_vault_name=_own_name(stack),
        removal_policy=RemovalPolicy.RETAIN,
    )
    # Daily at 05:00 UTC, each recovery point kept 35 days; a plan name of the stack's own, as its vault's.
    return backup.BackupPlan(stack, STACK_BACKUPS, backup_vault=vault, backup_plan_name=_own_name(stack),
                             backup_plan_rules=[backup.BackupPlanRule.daily()])


def _own_name(stack: Stack) -> str:
    """A name no other stack of the account and region has, nor a stack made again after a delete: its ID's GUID."""
    return VAULT_PREFIX + Fn.select(2, Fn.split("/", stack.stack_id))


def _backup_role(stack: Stack) -> iam.Role:
    role = stack.node.find_child(f"{STACK_BACKUPS}Vault").node.find_child("Role")
    assert isinstance(role, iam.Role)  # made with the plan
    return role


@jsii.implements(IAspect)
class BackUpStatefulResources:
    """Adds each DynamoDB table and EFS file system of a regulated scope to its stack's backup plan."""

    def visit(self, node: IConstruct) -> None:
        resource = _backed_up_resource(node)
        if resource is None or not is_regulated(node):
            return
        assert isinstance(node, Construct)  # a table or file system
        if _select(node, resource) and isinstance(node, efs.FileSystem):
            # Not a second daily backup by EFS's own plan, to EFS's own vault and key.
            cfn_resource(node, efs.CfnFileSystem).backup_policy = efs.CfnFileSystem.BackupPolicyProperty(
                status="DISABLED")
            findings.skip(
                node, "Backed up daily by the stack's AWS Backup plan (kept 35 days, in a vault encrypted with the "
                "stack's key); EFS's own automatic backups would copy it again, to EFS's default vault.",
                guard=["efs_automatic_backups_enabled_check"])


def back_up_bucket(bucket: s3.Bucket) -> None:
    """Adds a versioned bucket to its stack's backup plan: AWS Backup for S3 backs up only buckets with versioning on,
    with a role that has the S3 backup and restore policies ("Amazon S3 backups" in AWS Backup's guide)."""
    if not _select(bucket, backup.BackupResource.from_arn(bucket.bucket_arn)):
        return
    role = _backup_role(Stack.of(bucket))
    if role.node.try_find_child("ForS3") is not None:
        return
    Construct(role, "ForS3")  # a marker: the S3 policies once per role
    for name in S3_BACKUP_POLICIES:
        role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(name))
        findings.acknowledge(
            role, f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]",
            "AWS Backup's role for this stack's backup plan, with the AWS managed policy AWS Backup's guide "
            "prescribes for backing up and restoring S3 buckets.")


def _select(node: Construct, resource: backup.BackupResource) -> bool:
    """Adds the node to its stack's backup plan, once (False when it was added already)."""
    plan = backup_plan(node)
    selection_id = f"Of{Names.unique_id(node)}"
    if plan.node.try_find_child(selection_id) is not None:  # aspects may visit a node more than once
        return False
    # A selection's name: 1-50 letters, digits, -, _ and . (AWS::Backup::BackupSelection).
    name = Names.unique_resource_name(node, max_length=50, allowed_special_characters="-_.")
    plan.add_selection(selection_id, resources=[resource], backup_selection_name=name,
                       role=as_interface(iam.IRole, _backup_role(Stack.of(node))))
    return True


def _backed_up_resource(node: IConstruct) -> Optional[backup.BackupResource]:
    if isinstance(node, dynamodb.Table):
        return backup.BackupResource.from_dynamo_db_table(node)
    if isinstance(node, dynamodb.TableV2):
        return backup.BackupResource.from_arn(node.table_arn)
    if isinstance(node, efs.FileSystem):
        return backup.BackupResource.from_efs_file_system(node)
    return None
