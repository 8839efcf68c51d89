"""DeployRules cases for pipelines (tests/deploy_rule_cases.py takes them in): plain aws-cdk-lib pipelines that break
DR-PIPELINE-* rules, and one that keeps them all."""

from __future__ import annotations

from aws_cdk import Environment, Fn, Stack
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3

ACCOUNT = "111122223333"
PIPELINE_ENV = Environment(account=ACCOUNT, region="eu-west-1")
# How CDK Pipelines names the deploy role of a stage stack that names no account: the pipeline's own.
AGNOSTIC_DEPLOY_ROLE = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-deploy-role-${AWS::AccountId}-${AWS::Region}"
BOUND_DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-deploy-role-{ACCOUNT}-eu-west-1"


def _check(stack: Stack, reports: bool) -> lambda_.IFunction:
    """The function the pipeline invokes. aws-cdk-lib's LambdaInvokeAction lets a function it is given report; one
    that reaches the pipeline by name (defined as an L1, or elsewhere in the app) keeps only its own role's rights."""
    if reports:
        return lambda_.Function(stack, "Check", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"))
    role = iam.Role(stack, "CheckRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    check = lambda_.CfnFunction(stack, "Check", role=role.role_arn, runtime="python3.13", handler="index.handler",
                                code=lambda_.CfnFunction.CodeProperty(zip_file="def handler(event, context):\n    return None\n"))
    return lambda_.Function.from_function_name(stack, "CheckByName", check.ref)


def _pipeline(stack: Stack, *, v2: bool = True, reports: bool = True, deploy_role: str = BOUND_DEPLOY_ROLE,
              rollback: bool = True) -> codepipeline.Pipeline:
    source = codepipeline.Artifact("Source")
    bucket = s3.Bucket(stack, "Sources", versioned=True)
    stages = [
        codepipeline.StageProps(stage_name="Source", actions=[actions.S3SourceAction(
            action_name="Source", bucket=bucket, bucket_key="app.zip", output=source)]),
        codepipeline.StageProps(stage_name="Deploy", actions=[
            actions.CloudFormationCreateUpdateStackAction(
                action_name="Deploy", stack_name="Queues", template_path=source.at_path("Queues.template.json"),
                admin_permissions=False, role=iam.Role.from_role_arn(
                    stack, "DeployRole", Fn.sub(deploy_role) if "${" in deploy_role else deploy_role, mutable=False)),
            actions.LambdaInvokeAction(action_name="Check", lambda_=_check(stack, reports), run_order=2),
        ]),
    ]
    pipeline = codepipeline.Pipeline(stack, "Pipeline", stages=stages,
                                     pipeline_type=codepipeline.PipelineType.V2 if v2 else codepipeline.PipelineType.V1)
    if rollback:  # as DeliveryPipeline sets it: CDK Pipelines' waves offer no conditions
        resource = pipeline.node.default_child
        assert isinstance(resource, codepipeline.CfnPipeline)
        resource.add_property_override("Stages.1.OnFailure", {"Result": "ROLLBACK"})
    return pipeline


def conditions_v1_broken(stack: Stack) -> None:
    _pipeline(stack, v2=False)


def lambda_reports_broken(stack: Stack) -> None:
    _pipeline(stack, reports=False)


def stage_env_broken(stack: Stack) -> None:
    _pipeline(stack, deploy_role=AGNOSTIC_DEPLOY_ROLE)


def pipeline_kept(stack: Stack) -> None:
    _pipeline(stack)


CASES = {
    "DR-PIPELINE-CONDITIONS-V2": (conditions_v1_broken, pipeline_kept, PIPELINE_ENV),
    "DR-PIPELINE-LAMBDA-REPORTS": (lambda_reports_broken, pipeline_kept, PIPELINE_ENV),
    "DR-PIPELINE-STAGE-ENV": (stage_env_broken, pipeline_kept, PIPELINE_ENV),
}



NEW_CONNECTION = f"arn:aws:codeconnections:eu-west-1:{ACCOUNT}:connection/0c2e4a1f-5b6d-4e8f-9a0b-1c2d3e4f5a6b"


def _connection_pipeline(stack: Stack, *, new_prefix: bool) -> None:
    """A pipeline whose source is a connection made since the rename (a codeconnections ARN). aws-cdk-lib's source
    action grants codestar-connections:UseConnection only; the kept one adds codeconnections:UseConnection."""
    source = codepipeline.Artifact("Source")
    role = iam.Role(stack, "SourceRole", assumed_by=iam.AccountRootPrincipal())
    if new_prefix:
        role.add_to_policy(iam.PolicyStatement(actions=["codeconnections:UseConnection"], resources=[NEW_CONNECTION]))
    codepipeline.Pipeline(stack, "Pipeline", pipeline_type=codepipeline.PipelineType.V2, stages=[
        codepipeline.StageProps(stage_name="Source", actions=[actions.CodeStarConnectionsSourceAction(
            action_name="Source", owner="example-org", repo="app", branch="main", connection_arn=NEW_CONNECTION,
            output=source, role=role)]),
        codepipeline.StageProps(stage_name="Approve", actions=[actions.ManualApprovalAction(action_name="Approve")]),
    ])


def connection_prefix_broken(stack: Stack) -> None:
    _connection_pipeline(stack, new_prefix=False)


def connection_prefix_kept(stack: Stack) -> None:
    _connection_pipeline(stack, new_prefix=True)


CASES["DR-CONNECTION-PREFIX"] = (connection_prefix_broken, connection_prefix_kept, PIPELINE_ENV)
