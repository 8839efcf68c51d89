"""The regulated profile: chosen for a scope or an app, it gives the stack one customer managed key for its logs and
backups, and a backup plan its tables and file systems join; the default profile is unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aws_cdk import Environment, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from cdk_nag import HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks

from constructs_lib import (
    AlarmTopic, ApiFunction, ConfigurationError, QueueWorker, ServerlessFunction, ServiceStage, VpcFunction,
    route_alarms, use_profile,
)
from constructs_lib.core.profile import profile_of
from tests.helpers import PLAIN, make_app, template_of


QUOTA = {"constructs_lib:concurrency-quota": 1000}  # the account's concurrency quota, which the profile needs


@pytest.fixture
def stack() -> Stack:
    """A stack of an app with the account's concurrency quota in its context (and no other)."""
    return Stack(make_app(**QUOTA), "Test")


def table(scope: Stack, construct_id: str) -> dynamodb.Table:
    return dynamodb.Table(scope, construct_id, partition_key=dynamodb.Attribute(
        name="id", type=dynamodb.AttributeType.STRING))


def test_the_default_profile_adds_no_key_and_no_backups(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN)
    table(stack, "Orders")
    template = template_of(stack)
    assert template.find_resources("AWS::KMS::Key") == {}
    assert template.find_resources("AWS::Backup::BackupPlan") == {}
    (log_group,) = template.find_resources("AWS::Logs::LogGroup").values()
    assert "KmsKeyId" not in log_group["Properties"]
    assert profile_of(stack) == "default"


def test_a_regulated_scope_encrypts_every_log_group_with_the_stacks_one_key(stack: Stack) -> None:
    use_profile(stack, "regulated")
    ServerlessFunction(stack, "One", entry=PLAIN)
    ServerlessFunction(stack, "Two", entry=PLAIN)
    template = template_of(stack)
    (key_id, key), = template.find_resources("AWS::KMS::Key").items()
    assert key["Properties"]["EnableKeyRotation"] is True and key["DeletionPolicy"] == "Retain"
    log_groups = template.find_resources("AWS::Logs::LogGroup").values()
    assert [g["Properties"]["KmsKeyId"] for g in log_groups] == [{"Fn::GetAtt": [key_id, "Arn"]}] * 2
    # CloudWatch Logs checks, when it creates the group, that the key policy lets it use the key for this
    # account's and region's log groups ("Encrypt log data in CloudWatch Logs using AWS KMS").
    (logs_statement,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"]
                         if "Service" in s.get("Principal", {})]
    assert logs_statement["Principal"]["Service"] == {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"},
                                                                        ".amazonaws.com"]]}
    assert "kms:EncryptionContext:aws:logs:arn" in logs_statement["Condition"]["ArnLike"]
    # Without a key the scanners' encryption findings were answered; with one, nothing is to answer.
    for group in log_groups:
        assert "CKV_AWS_158" not in str(group.get("Metadata", {}))


def test_the_context_key_chooses_for_a_whole_app_and_a_scope_may_choose_otherwise() -> None:
    app = make_app(**{"constructs_lib:profile": "regulated", **QUOTA})
    regulated, default = Stack(app, "Regulated"), Stack(app, "Default")
    use_profile(default, "default")
    for stack in (regulated, default):
        ServerlessFunction(stack, "Fn", entry=PLAIN)
    assert len(template_of(regulated).find_resources("AWS::KMS::Key")) == 1
    assert template_of(default).find_resources("AWS::KMS::Key") == {}


def test_an_unknown_profile_is_refused(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(
            "use_profile 'Test': profile 'regulatd' must be 'default' or 'regulated': did you mean 'regulated'?")):
        use_profile(stack, "regulatd")
    app = make_app(**{"constructs_lib:profile": "strict"})
    with pytest.raises(ConfigurationError, match="context constructs_lib:profile 'strict' must be"):
        ServerlessFunction(Stack(app, "S"), "Fn", entry=PLAIN)


def test_tables_and_file_systems_of_a_regulated_scope_join_the_stacks_backup_plan(stack: Stack) -> None:
    use_profile(stack, "regulated")
    orders, audit = table(stack, "Orders"), table(stack, "Audit")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0,
                  subnet_configuration=[ec2.SubnetConfiguration(name="p", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    files = efs.FileSystem(stack, "Files", vpc=vpc)
    template = template_of(stack)
    (plan,) = template.find_resources("AWS::Backup::BackupPlan").values()
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35} and rule["ScheduleExpression"] == "cron(0 5 * * ? *)"
    selections = template.find_resources("AWS::Backup::BackupSelection").values()
    selected = [s["Properties"]["BackupSelection"]["Resources"][0] for s in selections]
    assert {"Fn::GetAtt": [stack.get_logical_id(orders.node.default_child), "Arn"]} in selected
    assert {"Fn::GetAtt": [stack.get_logical_id(audit.node.default_child), "Arn"]} in selected
    assert stack.get_logical_id(files.node.default_child) in str(selected)
    for selection in selections:  # 1-50 letters, digits, -, _ and . (AWS::Backup::BackupSelection)
        assert re.fullmatch(r"[A-Za-z0-9\-_.]{1,50}", selection["Properties"]["BackupSelection"]["SelectionName"])
    # EFS's own automatic backups would copy it again, to EFS's default vault and key.
    (file_system,) = template.find_resources("AWS::EFS::FileSystem").values()
    assert file_system["Properties"]["BackupPolicy"] == {"Status": "DISABLED"}
    # A plan name of the stack's own (plans of one account and region have unique names).
    assert plan["Properties"]["BackupPlan"]["BackupPlanName"]["Fn::Join"][1][0] == "backups-"
    (vault,) = template.find_resources("AWS::Backup::BackupVault").values()
    (key_id,) = template.find_resources("AWS::KMS::Key")
    assert vault["Properties"]["EncryptionKeyArn"] == {"Fn::GetAtt": [key_id, "Arn"]}
    # Kept on delete with its recovery points, so its name is this stack's own: a stack made again after a delete
    # gets another ID, and does not meet the kept vault's name (DeployRules' DR-RETAINED-NAME).
    assert vault["DeletionPolicy"] == "Retain"
    name = vault["Properties"]["BackupVaultName"]["Fn::Join"][1]
    assert name[0] == "backups-" and name[1]["Fn::Select"][1]["Fn::Split"][1] == {"Ref": "AWS::StackId"}


def test_the_three_packs_find_nothing_in_a_regulated_function_and_table() -> None:
    """Without the profile the packs report the function's log group, inline policy, concurrency and network and the
    table's backups (not its dead-letter queue: the stack's FailedEvents queue is one, in any profile); under it,
    nothing (the synth would raise ValidationFailed)."""
    app = make_app(**QUOTA)
    stack = Stack(app, "Regulated")
    use_profile(stack, "regulated")
    route_alarms(stack, AlarmTopic(stack, "Alarms").topic)  # alarms that notify someone, as the packs ask
    ServerlessFunction(stack, "Fn", entry=PLAIN)
    dynamodb.Table(stack, "Orders", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
                   billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,  # the app's own choices the packs ask for
                   point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                       point_in_time_recovery_enabled=True))
    Validations.of(app).add_plugins(HIPAASecurityChecks(app), NIST80053R5Checks(app), PCIDSS321Checks(app))
    app.synth()
    unregulated = make_app(**{"@aws-cdk/core:validationReportJson": True, **QUOTA})
    ServerlessFunction(Stack(unregulated, "Default"), "Fn", entry=PLAIN)
    table(unregulated.node.find_child("Default"), "Orders")
    found = pack_rules(unregulated, HIPAASecurityChecks)
    assert {"CloudWatchLogGroupEncrypted", "DynamoDBInBackupPlan", "IAMNoInlinePolicy", "LambdaConcurrency",
            "LambdaInsideVPC"} <= found and "LambdaDLQ" not in found


def reserved(stack: Stack, function: ServerlessFunction) -> object:
    resource = template_of(stack).to_json()["Resources"][stack.get_logical_id(function.function.node.default_child)]
    return resource["Properties"].get("ReservedConcurrentExecutions")


def test_regulated_functions_share_half_of_what_the_account_can_reserve() -> None:
    """Lambda keeps 100 of the account's quota unreserved: the app's functions in one account and region share
    half of the rest, less what functions reserve by name, whichever of the app's stacks they are in. The other
    half is room: CloudFormation creates a new function before it lowers the others' reservations."""
    app = make_app(**{"constructs_lib:profile": "regulated", **QUOTA})
    one, two = Stack(app, "One"), Stack(app, "Two")
    shared = [ServerlessFunction(one, "A", entry=PLAIN), ServerlessFunction(two, "B", entry=PLAIN)]
    named = ServerlessFunction(two, "Named", entry=PLAIN, reserved_concurrency=100)
    assert [reserved(stack, f) for stack, f in ((one, shared[0]), (two, shared[1]))] == [200, 200]  # half of 800, split
    assert reserved(two, named) == 100


def test_functions_of_other_accounts_do_not_share_and_the_default_reserves_nothing() -> None:
    app = make_app(**QUOTA)
    places = [Stack(app, name, env=Environment(account=account, region="eu-west-1"))
              for name, account in (("Here", "111111111111"), ("There", "222222222222"))]
    for stack in places:
        use_profile(stack, "regulated")
    functions = [ServerlessFunction(places[0], "A", entry=PLAIN), ServerlessFunction(places[0], "B", entry=PLAIN),
                 ServerlessFunction(places[1], "C", entry=PLAIN)]
    plain = ServerlessFunction(Stack(app, "Default"), "D", entry=PLAIN)
    assert [reserved(Stack.of(f), f) for f in functions] == [225, 225, 450]
    assert reserved(Stack.of(plain), plain) is None


def test_too_small_a_quota_to_share_is_refused_at_synth() -> None:
    app = make_app(**{"constructs_lib:profile": "regulated", "constructs_lib:concurrency-quota": 101})
    stack = Stack(app, "Small")
    for name in ("A", "B"):
        ServerlessFunction(stack, name, entry=PLAIN)
    with pytest.raises(RuntimeError, match=re.escape(
            "'Small/A/Function/Resource': reserved_concurrency is not given, and the regulated profile's share of "
            "the account's concurrency for 2 functions is 0, under the 1 it needs")):
        app.synth()


def test_a_regulated_scope_writes_managed_policies_where_aws_cdk_lib_writes_inline_ones(stack: Stack) -> None:
    """IAMNoInlinePolicy: the role's statements in an AWS::IAM::ManagedPolicy attached to the same role, which the
    function still waits for (Lambda checks its role's permissions when it is created)."""
    use_profile(stack, "regulated")
    built = ServerlessFunction(stack, "Fn", entry=PLAIN)
    template = template_of(stack).to_json()
    assert [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"] == []
    (policy_id, policy), = [(k, r) for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::ManagedPolicy"]
    role_id = stack.get_logical_id(built.role.node.default_child)
    assert policy["Properties"]["Roles"] == [{"Ref": role_id}]
    assert "logs:PutLogEvents" in json.dumps(policy["Properties"]["PolicyDocument"])
    function = template["Resources"][stack.get_logical_id(built.function.node.default_child)]
    assert policy_id in function["DependsOn"]


def test_a_managed_policy_over_iams_limit_is_refused_at_synth() -> None:
    app = make_app(**{"constructs_lib:profile": "regulated", **QUOTA})
    stack = Stack(app, "Big")
    built = ServerlessFunction(stack, "Fn", entry=PLAIN)
    for index in range(120):
        built.role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"],
                                                     resources=[f"arn:aws:s3:::bucket-number-{index}/*"]))
    with pytest.raises(RuntimeError, match=r"Big/Fn/Role/DefaultPolicy/Managed': its statements come to about \d+ "
                                           "characters, over the 6144 IAM allows a managed policy"):
        app.synth()


def test_a_regulated_stages_delivery_checks_write_managed_policies() -> None:
    """The stage's DeliveryChecks stack makes no log group (where the profile's stack key starts its aspects), and
    an app's aspects do not reach into its stages: the stack is regulated when it is made."""
    app = make_app(**{"constructs_lib:profile": "regulated", **QUOTA})
    stage = ServiceStage(app, "Beta", env=Environment(account="111111111111", region="us-east-1"))
    function = ServerlessFunction(Stack(stage, "Service"), "Api", entry=PLAIN)
    stage.add_smoke_test(function, {})
    checks = stage.prepare("111111111111")
    template = template_of(checks).to_json()
    kinds = [r["Type"] for r in template["Resources"].values()]
    assert "AWS::IAM::Policy" not in kinds and "AWS::IAM::ManagedPolicy" in kinds


def test_the_backup_selections_share_one_role_with_aws_backups_policy(stack: Stack) -> None:
    use_profile(stack, "regulated")
    for name in ("Orders", "Audit", "Users"):
        table(stack, name)
    template = template_of(stack).to_json()
    roles = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Role"}
    (role_id,) = roles
    assert "backup.amazonaws.com" in json.dumps(roles[role_id]["Properties"]["AssumeRolePolicyDocument"])
    assert "AWSBackupServiceRolePolicyForBackup" in json.dumps(roles[role_id]["Properties"]["ManagedPolicyArns"])
    selections = [r for r in template["Resources"].values() if r["Type"] == "AWS::Backup::BackupSelection"]
    assert [s["Properties"]["BackupSelection"]["IamRoleArn"] for s in selections] == [
        {"Fn::GetAtt": [role_id, "Arn"]}] * 3


def test_the_profile_needs_the_accounts_concurrency_quota() -> None:
    """A new account's quota may be far under Lambda's default 1,000: the share is computed from the one given."""
    app = make_app(**{"constructs_lib:profile": "regulated"})
    ServerlessFunction(Stack(app, "S"), "Fn", entry=PLAIN)
    with pytest.raises(RuntimeError, match=re.escape("'S/Fn/Function/Resource': reserved_concurrency is not given, "
                                                     "and the regulated profile reserves a share of the account's "
                                                     "concurrency quota: give the quota")):
        app.synth()


@pytest.mark.parametrize("quota, sharer, path, share, least", [
    # Lambda refuses provisioned concurrency above the function's reserved concurrency.
    (200, lambda s: ServerlessFunction(s, "Warm", entry=PLAIN, provisioned_concurrency=60), "Warm/Function", 25, 60),
    # An SQS mapping's MaximumConcurrency, capped at the share, is at least 2.
    (106, lambda s: QueueWorker(s, "Worker", entry=PLAIN), "Worker/Function/Function", 1, 2),
])
def test_a_share_under_what_a_function_needs_is_refused(quota: int, sharer, path: str, share: int, least: int) -> None:
    app = make_app(**{"constructs_lib:profile": "regulated", "constructs_lib:concurrency-quota": quota})
    stack = Stack(app, "S")
    sharer(stack)
    ServerlessFunction(stack, "Other", entry=PLAIN)
    with pytest.raises(RuntimeError, match=re.escape(
            f"'S/{path}/Resource': reserved_concurrency is not given, and the regulated profile's share of the "
            f"account's concurrency for 2 functions is {share}, under the {least} it needs")):
        app.synth()


def test_a_regulated_queue_workers_mapping_invokes_no_more_than_the_functions_share(stack: Stack) -> None:
    """A throttled batch counts a receive and, after max_receive_count, goes to the dead-letter queue unrun: the
    mapping's MaximumConcurrency is the function's reserved concurrency (AWS: keep it at most that)."""
    use_profile(stack, "regulated")
    worker = QueueWorker(stack, "Worker", entry=PLAIN)
    template = template_of(stack).to_json()
    (mapping,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": reserved(stack, worker.function)}
    assert reserved(stack, worker.function) == 450


def test_a_regulated_rest_api_is_filtered_by_a_web_acl(stack: Stack) -> None:
    """APIGWAssociatedWithWAF: a REST stage is associated with AWS's managed rule groups unless a web ACL is given."""
    use_profile(stack, "regulated")
    ApiFunction(stack, "Api", api="rest", auth="iam", entry=PLAIN)
    template = template_of(stack).to_json()
    (acl_id, acl), = [(k, r) for k, r in template["Resources"].items() if r["Type"] == "AWS::WAFv2::WebACL"]
    assert acl["Properties"]["Scope"] == "REGIONAL"
    (association,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    (stage_id,) = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert stage_id in json.dumps(association["Properties"]["ResourceArn"])


def pack_rules(app, pack) -> set[str]:
    """The rules a compliance pack reports over the app (its validation report)."""
    Validations.of(app).add_plugins(pack(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    (report,) = json.loads((Path(app.outdir) / "validation-report.json").read_text())["pluginReports"]
    return {violation["ruleName"].split("-", 1)[1] for violation in report["violations"]}


@pytest.mark.parametrize("profile", ["default", "regulated"])
def test_the_nat_subnets_routes_to_the_internet_are_answered_under_the_profile(profile: str) -> None:
    """A function that asked for the internet (allow_internet=True: NAT gateways) routes it through public subnets."""
    app = make_app(**{"@aws-cdk/core:validationReportJson": True, **QUOTA})
    stack = Stack(app, "Net", env=Environment(account="111111111111", region="eu-west-1"))
    use_profile(stack, profile)
    VpcFunction(stack, "Fn", entry=PLAIN, allow_internet=True)
    rules = pack_rules(app, NIST80053R5Checks)
    assert ("VPCNoUnrestrictedRouteToIGW" in rules) == (profile == "default")


def test_more_managed_policies_than_iam_attaches_to_a_role_are_refused_at_synth() -> None:
    """Each aws-cdk-lib policy becomes a managed policy under the profile: IAM attaches 10 to a role unless the
    account's quota was raised, which the context says."""
    for quota, refused in ((None, True), (20, False)):
        app = make_app(**{"constructs_lib:profile": "regulated", **QUOTA},
                       **({"constructs_lib:managed-policies-per-role": quota} if quota else {}))
        stack = Stack(app, "Many")
        built = ServerlessFunction(stack, "Fn", entry=PLAIN)
        for index in range(10):  # the role's own DefaultPolicy makes 11
            policy = iam.Policy(stack, f"Extra{index}", statements=[iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[f"arn:aws:s3:::bucket-{index}/*"])])
            policy.attach_to_role(built.role)
        if refused:
            with pytest.raises(RuntimeError, match=r"Many/Fn/Role': 11 managed policies are attached to the role, "
                                                   "over the 10 IAM attaches"):
                app.synth()
        else:
            app.synth()
