"""ServiceStage and DeliveryPipeline in an app without context (a user's new app): one small pipeline of three stages
in two waves, built once for the module, and the checks each refuses at synth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, Stack, pipelines
from aws_cdk.assertions import Template

from constructs_lib import (
    ConfigurationError, DeliveryPipeline, Deployment, QueueWorker, ServerlessFunction, ServiceStage,
)
from constructs_lib.delivery import connections, health
from tests.helpers import PLAIN, make_app, role_statements, template_of

PIPELINE_ACCOUNT, PRODUCTION_ACCOUNT = "111111111111", "222222222222"
CONNECTION = f"arn:aws:codeconnections:us-east-1:{PIPELINE_ACCOUNT}:connection/0c2e4a1f-5b6d-4e8f-9a0b-1c2d3e4f5a6b"


def source() -> pipelines.CodePipelineSource:
    return pipelines.CodePipelineSource.connection("example-org/app", "main", connection_arn=CONNECTION)


@dataclass
class Built:
    app: App
    pipeline: DeliveryPipeline
    stages: dict[str, ServiceStage]
    functions: dict[str, ServerlessFunction]
    template: dict[str, Any]

    def stage_template(self, stage: str, stack: str) -> Template:
        return Template.from_stack(next(s for s in self.stages[stage].node.children
                                        if isinstance(s, Stack) and s.node.id == stack))


def service(stage: ServiceStage, functions: dict[str, ServerlessFunction]) -> None:
    stack = Stack(stage, "Service")
    functions[f"{stage.stage_name}/Api"] = ServerlessFunction(stack, "Api", entry=PLAIN)
    functions[f"{stage.stage_name}/Own"] = ServerlessFunction(stack, "Own", entry=PLAIN,
                                                              deployment=Deployment.linear(20, 2))
    QueueWorker(stack, "Worker", entry=PLAIN)  # its dead-letter queue's depth: one of the stack's alarms
    stage.add_smoke_test(functions[f"{stage.stage_name}/Api"], {"ping": True})


@pytest.fixture(scope="module")
def built() -> Built:
    app = make_app()
    functions: dict[str, ServerlessFunction] = {}
    beta = ServiceStage(app, "Beta", env=Environment(account=PIPELINE_ACCOUNT, region="us-east-1"),
                        deployment=Deployment.all_at_once(), alarm_emails=["beta-alarms@example.com"],
                        bake_time=Duration.minutes(20))
    east = ServiceStage(app, "ProdEast", env=Environment(account=PRODUCTION_ACCOUNT, region="us-east-1"),
                        deployment=Deployment.canary(10, 5),
                        alarm_topic_arn=f"arn:aws:sns:us-east-1:{PRODUCTION_ACCOUNT}:prod-alarms")
    west = ServiceStage(app, "ProdWest", env=Environment(account=PRODUCTION_ACCOUNT, region="eu-west-1"),
                        deployment=Deployment.canary(10, 5))
    for stage in (beta, east, west):
        service(stage, functions)
    pipeline_stack = Stack(app, "Pipeline", env=Environment(account=PIPELINE_ACCOUNT, region="us-east-1"))
    pipeline = DeliveryPipeline(pipeline_stack, "Delivery", source=source())
    pipeline.add_wave("Beta", [beta])
    pipeline.add_wave("Production", [east, west])
    pipeline.build()
    return Built(app, pipeline, {"Beta": beta, "ProdEast": east, "ProdWest": west}, functions,
                 Template.from_stack(pipeline_stack).to_json())


def resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def joined(value: Any) -> str:
    """A Fn::Join of strings and the partition, as it resolves in the aws partition."""
    if isinstance(value, str):
        return value
    return "".join(part if isinstance(part, str) else {"AWS::Partition": "aws"}[part["Ref"]]
                   for part in value["Fn::Join"][1])


def the_pipeline(built: Built) -> dict[str, Any]:
    (pipeline,) = resources(built.template, "AWS::CodePipeline::Pipeline").values()
    return pipeline["Properties"]


def stage_named(built: Built, name: str) -> dict[str, Any]:
    return next(s for s in the_pipeline(built)["Stages"] if s["Name"] == name)


def test_the_pipeline_is_v2_whatever_the_feature_flags(built: Built) -> None:
    assert the_pipeline(built)["PipelineType"] == "V2"


def test_the_synth_step_runs_the_apps_tests_then_its_synth(built: Built) -> None:
    projects = resources(built.template, "AWS::CodeBuild::Project")
    synth = [json.loads(p["Properties"]["Source"]["BuildSpec"]) for p in projects.values()
             if "make synth" in p["Properties"]["Source"]["BuildSpec"]]
    assert len(synth) == 1
    assert synth[0]["phases"]["build"]["commands"] == ["make test", "make synth"]
    assert synth[0]["artifacts"]["base-directory"] == "cdk.out"


def test_the_pipeline_mutates_itself_before_it_deploys(built: Built) -> None:
    names = [s["Name"] for s in the_pipeline(built)["Stages"]]
    assert names[:3] == ["Source", "Build", "UpdatePipeline"]
    assert names.index("UpdatePipeline") < names.index("Beta") < names.index("Production")


def test_waves_run_in_order_and_their_stages_in_parallel(built: Built) -> None:
    production = stage_named(built, "Production")
    deploys = {a["Name"]: a["RunOrder"] for a in production["Actions"] if a["Name"].endswith("Service.Deploy")}
    assert deploys == {"ProdEast.Service.Deploy": 1, "ProdWest.Service.Deploy": 1}
    west = next(a for a in production["Actions"] if a["Name"] == "ProdWest.Service.Deploy")
    assert west["Region"] == "eu-west-1"
    assert PRODUCTION_ACCOUNT in json.dumps(west["RoleArn"])


def test_each_stage_is_smoke_tested_after_its_stacks_and_fails_on_error(built: Built) -> None:
    for wave, stages in (("Beta", ["Beta"]), ("Production", ["ProdEast", "ProdWest"])):
        actions = stage_named(built, wave)["Actions"]
        for stage in stages:
            prefix = "" if wave == stage else f"{stage}."
            smoke = next(a for a in actions if a["Name"] == f"{prefix}SmokeTest")
            deploy = next(a for a in actions if a["Name"] == f"{prefix}Service.Deploy")
            checks = next(a for a in actions if a["Name"] == f"{prefix}DeliveryChecks.Deploy")
            assert smoke["ActionTypeId"]["Provider"] == "Lambda"
            assert deploy["RunOrder"] < checks["RunOrder"] < smoke["RunOrder"]
            parameters = json.loads(joined(smoke["Configuration"]["UserParameters"]))
            assert parameters["roleArn"].endswith(f":role/{stage}-pipeline-checks")
            assert len(parameters["targets"]) == 1 and parameters["targets"][0]["event"] == {"ping": True}
        assert stage_named(built, wave)["OnFailure"] == {"Result": "ROLLBACK"}


def test_the_smoke_test_function_may_assume_each_stages_checks_role_and_report(built: Built) -> None:
    function = built.pipeline.smoke_tests
    assert function is not None
    document = json.dumps(role_statements(built.template, Stack.of(function).get_logical_id(
        function.role.node.default_child)))
    for stage in ("Beta", "ProdEast", "ProdWest"):
        assert "-pipeline-checks" in document and f":role/{stage}-pipeline-checks" in document
    assert "codepipeline:PutJobSuccessResult" in document and "codepipeline:PutJobFailureResult" in document


def test_a_bake_rule_per_stage_on_its_health_alarm_through_its_bootstrap_lookup_role(built: Built) -> None:
    """The rule's role must exist when the pipeline is created (CodePipeline checks it can assume every role the
    pipeline names), and may read a composite alarm, which DescribeAlarms returns only to a permission on "*"
    (CloudWatch API reference, DescribeAlarms): the stage's bootstrap lookup role (ReadOnlyAccess), made by
    `cdk bootstrap` and trusted by the accounts given to --trust."""
    (beta,) = stage_named(built, "Beta")["OnSuccess"]["Conditions"]
    assert beta["Result"] == "ROLLBACK"
    (rule,) = beta["Rules"]
    assert rule["RuleTypeId"] == {"Category": "Rule", "Owner": "AWS", "Provider": "CloudWatchAlarm", "Version": "1"}
    assert rule["Configuration"] == {"AlarmName": "Beta-health", "AlarmStates": "ALARM", "WaitTime": "20"}
    assert rule["Region"] == "us-east-1"
    production = stage_named(built, "Production")["OnSuccess"]["Conditions"][0]["Rules"]
    assert [(r["Configuration"]["AlarmName"], r["Region"], r["Configuration"]["WaitTime"]) for r in production] == [
        ("ProdEast-health", "us-east-1", "30"), ("ProdWest-health", "eu-west-1", "30")]
    assert (f"{PRODUCTION_ACCOUNT}:role/cdk-hnb659fds-lookup-role-{PRODUCTION_ACCOUNT}-eu-west-1"
            in json.dumps(production[1]["RoleArn"]))
    # CodePipeline assumes a rule's role through the pipeline's role (API reference, RuleExecutionInput).
    pipeline_role = the_pipeline(built)["RoleArn"]["Fn::GetAtt"][0]
    policies = [p for p in resources(built.template, "AWS::IAM::Policy").values()
                if {"Ref": pipeline_role} in p["Properties"]["Roles"]]
    assumed = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]
               if s["Action"] == "sts:AssumeRole" and s["Effect"] == "Allow" and "lookup-role" in json.dumps(s)]
    assert len(assumed) == 1 and len(assumed[0]["Resource"]) == 3


def test_the_stage_health_alarm_watches_its_stacks_alarms_and_the_checks_role_invokes_the_targets(built: Built) -> None:
    service = built.stage_template("Beta", "Service").to_json()
    (stack_health,) = resources(service, "AWS::CloudWatch::CompositeAlarm").values()
    alarms = resources(service, "AWS::CloudWatch::Alarm")
    # A queue's depth stays in ALARM until someone drains the queue: it would roll back every later release.
    # The alarm of one queue (MetricName), or the stack's alarm over many (a Metrics Insights query).
    on_depth = {k for k, a in alarms.items() if "ApproximateNumberOfMessagesVisible" in json.dumps(a["Properties"])}
    rule = json.dumps(stack_health["Properties"]["AlarmRule"])
    assert any(k.startswith("LibraryAlarmsDeadLetterQueueNotEmpty") for k in on_depth)
    assert on_depth and not any(logical_id in rule for logical_id in on_depth)
    assert all(logical_id in rule for logical_id in set(alarms) - on_depth)
    checks = built.stage_template("Beta", "DeliveryChecks").to_json()
    (stage_health,) = resources(checks, "AWS::CloudWatch::CompositeAlarm").values()
    assert stage_health["Properties"]["AlarmName"] == "Beta-health"
    assert stack_health["Properties"]["AlarmName"] in stage_health["Properties"]["AlarmRule"]
    (role,) = resources(checks, "AWS::IAM::Role").values()
    assert role["Properties"]["RoleName"] == "Beta-pipeline-checks"
    assert PIPELINE_ACCOUNT in json.dumps(role["Properties"]["AssumeRolePolicyDocument"])
    policy = json.dumps(resources(checks, "AWS::IAM::Policy"))
    assert "cloudwatch:DescribeAlarms" not in policy  # the bake reads through the lookup role
    assert "lambda:InvokeFunction" in policy


def test_the_stage_policy_reaches_every_function_unless_it_sets_its_own(built: Built) -> None:
    expected = {"Beta": "CodeDeployDefault.LambdaAllAtOnce", "ProdEast": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
                "ProdWest": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}
    for stage, config in expected.items():
        template = built.stage_template(stage, "Service").to_json()
        groups = {k.split("DeploymentGroup")[0]: g["Properties"]["DeploymentConfigName"]
                  for k, g in resources(template, "AWS::CodeDeploy::DeploymentGroup").items()}
        assert groups["Api"] == config  # the stage's policy
        own = resources(template, "AWS::CodeDeploy::DeploymentConfig")[groups["Own"]["Ref"]]  # its own linear(20, 2)
        assert own["Properties"]["TrafficRoutingConfig"]["TimeBasedLinear"] == {"LinearInterval": 2,
                                                                                "LinearPercentage": 20}


def test_alarms_are_routed_per_stage(built: Built) -> None:
    beta = built.stage_template("Beta", "Service").to_json()
    east = built.stage_template("ProdEast", "Service").to_json()
    west = built.stage_template("ProdWest", "Service").to_json()
    assert "Beta-alarms" in json.dumps([a["Properties"].get("AlarmActions") for a in
                                        resources(beta, "AWS::CloudWatch::Alarm").values()])
    assert f"{PRODUCTION_ACCOUNT}:prod-alarms" in json.dumps(
        [a["Properties"].get("AlarmActions") for a in resources(east, "AWS::CloudWatch::Alarm").values()])
    assert "prod-alarms" not in json.dumps(west)
    topics = resources(built.stage_template("Beta", "DeliveryChecks").to_json(), "AWS::SNS::Topic")
    assert [t["Properties"]["TopicName"] for t in topics.values()] == ["Beta-alarms"]


def test_artifacts_are_encrypted_with_keys_the_target_deploy_roles_may_use(built: Built) -> None:
    buckets = resources(built.template, "AWS::S3::Bucket")
    artifacts = [b for k, b in buckets.items() if k.startswith("DeliveryPipelineArtifactsBucket")
                 and "Logs" not in k]
    (bucket,) = artifacts
    encryption = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    keys = resources(built.template, "AWS::KMS::Key")
    artifact_key = next(k for name, k in keys.items() if name.startswith("DeliveryPipelineArtifactsBucketEncryption"))
    assert artifact_key["Properties"]["EnableKeyRotation"] is True
    policy = json.dumps(artifact_key["Properties"]["KeyPolicy"])
    assert f"{PRODUCTION_ACCOUNT}:role/cdk-hnb659fds-deploy-role-{PRODUCTION_ACCOUNT}-us-east-1" in policy
    assert "DenyGrantsExceptForAwsResources" in policy
    support = built.pipeline.code_pipeline.cross_region_support["eu-west-1"]  # type: ignore[union-attr]
    support_template = json.dumps(Template.from_stack(support.stack).to_json())
    assert f"cdk-hnb659fds-deploy-role-{PRODUCTION_ACCOUNT}-eu-west-1" in support_template


def test_codeconnections_sources_may_use_their_connection(built: Built) -> None:
    statements = json.dumps(resources(built.template, "AWS::IAM::Policy"))
    assert f'"Action": "{connections.NEW_ACTION}", "Effect": "Allow", "Resource": "{CONNECTION}"' in statements


def test_roles_assume_only_into_the_delivered_accounts(built: Built) -> None:
    policies, roles = (resources(built.template, kind).values() for kind in ("AWS::IAM::Policy", "AWS::IAM::Role"))
    documents = [policy["Properties"]["PolicyDocument"] for policy in policies]
    # The smoke-test function's role holds its statements inline.
    inline = [policy["PolicyDocument"] for role in roles for policy in role["Properties"].get("Policies", [])]
    assert inline
    for document in documents + inline:
        deny = [s for s in document["Statement"] if s.get("Sid") == "AssumeRolesOnlyInTheDeliveredAccounts"]
        assert len(deny) == 1
        assert json.dumps(deny[0]["NotResource"]).count(":role/*") == 2


# The checks at synth: each refused with the rule it breaks.
def one_stage(app: App, construct_id: str = "Beta", **props: Any) -> ServiceStage:
    props.setdefault("env", Environment(account=PIPELINE_ACCOUNT, region="us-east-1"))
    return ServiceStage(app, construct_id, **props)


@pytest.mark.parametrize("env, message", [
    (Environment(region="us-east-1"), "env.account"),
    (Environment(account=PIPELINE_ACCOUNT), "env.region"),
])
def test_a_stage_must_name_its_account_and_region(env: Environment, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{message}.*cannot be delivered"):
        one_stage(make_app(), env=env)


@pytest.mark.parametrize("bake, message", [
    (Duration.seconds(90), "must be whole minutes"),
    (Duration.days(61), "at most 86400 minutes"),
])
def test_a_bake_fits_a_codepipeline_rule(bake: Duration, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"bake_time.*{message}"):
        one_stage(make_app(), bake_time=bake)


def test_a_pipeline_needs_an_explicit_environment() -> None:
    app = make_app()
    with pytest.raises(ConfigurationError, match="stack account.*must be explicit"):
        DeliveryPipeline(Stack(app, "Pipeline"), "Delivery", source=source())


def pipeline_in(app: App) -> DeliveryPipeline:
    stack = Stack(app, "Pipeline", env=Environment(account=PIPELINE_ACCOUNT, region="us-east-1"))
    return DeliveryPipeline(stack, "Delivery", source=source())


def test_a_stack_of_a_stage_must_not_reuse_a_stack_name_of_its_account_and_region() -> None:
    app = make_app()
    first, second = one_stage(app, "BetaA"), one_stage(app, "BetaB")
    Stack(first, "Service", stack_name="orders")
    Stack(second, "Service", stack_name="orders")
    pipeline = pipeline_in(app)
    with pytest.raises(ConfigurationError, match="stack name.*orders.*is already the name of BetaA/Service"):
        pipeline.add_wave("Beta", [first, second])


def test_a_stage_is_added_once() -> None:
    app = make_app()
    stage = one_stage(app)
    Stack(stage, "Service")
    pipeline = pipeline_in(app)
    pipeline.add_wave("Beta", [stage])
    with pytest.raises(ConfigurationError, match="Beta.*is already in the pipeline"):
        pipeline.add_wave("Again", [stage])


def test_smoke_tests_come_before_the_pipeline_takes_the_stage() -> None:
    app = make_app()
    stage = one_stage(app)
    function = ServerlessFunction(Stack(stage, "Service"), "Api", entry=PLAIN)
    pipeline_in(app).add_wave("Beta", [stage])
    with pytest.raises(ConfigurationError, match="add_smoke_test.*comes too late"):
        stage.add_smoke_test(function)


def test_a_pipeline_builds_once_and_takes_no_wave_after() -> None:
    app = make_app()
    stage = one_stage(app)
    Stack(stage, "Service")
    pipeline = pipeline_in(app)
    pipeline.add_wave("Beta", [stage])
    pipeline.build()
    with pytest.raises(ConfigurationError, match="build.*builds once"):
        pipeline.build()
    later = one_stage(app, "Later")
    Stack(later, "Service")
    with pytest.raises(ConfigurationError, match="add_wave.*comes after build"):
        pipeline.add_wave("Later", [later])


@pytest.mark.parametrize("waves", [0, 1])
def test_an_unbuilt_pipeline_fails_the_synth(waves: int) -> None:
    """Unbuilt, CDK Pipelines builds it at synth without the bakes, rollbacks, account guard and connection grant."""
    app = make_app()
    pipeline = pipeline_in(app)
    if waves:
        stage = one_stage(app)
        Stack(stage, "Service")
        pipeline.add_wave("Beta", [stage])
    with pytest.raises(Exception, match="call build\\(\\) after the last add_wave"):
        app.synth()


def test_a_stack_without_alarms_still_has_a_health_alarm_that_never_fires() -> None:
    """The stage's alarm names each stack's; CloudWatch refuses to delete an alarm a composite alarm names
    (API reference, DeleteAlarms): a stack losing its last alarm would fail its update."""
    stack = Stack(make_app(), "Quiet")
    assert health.stack_health(stack) == ["Quiet-health"]
    (alarm,) = resources(template_of(stack).to_json(), "AWS::CloudWatch::CompositeAlarm").values()
    assert alarm["Properties"]["AlarmRule"] == "FALSE"


def test_smoke_targets_must_fit_codepipelines_action_configuration() -> None:
    """CodePipeline refuses a configuration value over 1,000 characters when the pipeline is created (API
    reference, ActionConfiguration): the smoke test's UserParameters are measured at synth."""
    app = make_app()
    stage = one_stage(app)
    function = ServerlessFunction(Stack(stage, "Service"), "Api", entry=PLAIN)
    stage.add_smoke_test(function, {"payload": "x" * 900})
    pipeline = pipeline_in(app)
    pipeline.add_wave("Beta", [stage])
    with pytest.raises(ConfigurationError, match=r"ServiceStage 'Beta': smoke_targets give the smoke test \d+ "
                                                 "characters of UserParameters, over the 1000"):
        pipeline.build()


def test_the_smoke_function_does_not_retry_a_job_it_reported(built: Built) -> None:
    configs = resources(built.template, "AWS::Lambda::EventInvokeConfig").values()
    assert [c["Properties"]["MaximumRetryAttempts"] for c in configs] == [0]


def test_the_artifact_keys_are_kept_with_the_artifact_buckets(built: Built) -> None:
    """Deleting the stack schedules a deleted key's deletion, after which the kept artifacts could not be read."""
    buckets = resources(built.template, "AWS::S3::Bucket")
    keys = resources(built.template, "AWS::KMS::Key")
    artifacts = [b for b in buckets.values() if "KMSMasterKeyID" in json.dumps(b)]
    assert artifacts and all(b["DeletionPolicy"] == "Retain" for b in artifacts)
    used = {b["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            ["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0] for b in artifacts}
    assert used and all(keys[key]["DeletionPolicy"] == "Retain" for key in used)
    aliases = resources(built.template, "AWS::KMS::Alias").values()
    assert all(a.get("DeletionPolicy", "Delete") == "Delete" for a in aliases)  # its fixed name goes with the stack
