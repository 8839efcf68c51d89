"""The classic serverless examples the library packages, with the services it does not build itself, in plain
aws-cdk-lib: S3 -> Lambda -> an Aurora database through RDS Proxy; an EventBridge rule on CodePipeline's state
changes and on a CodeCommit repository's; Step Functions calling a function; Kinesis -> Firehose (a function
transforms) -> S3; CloudWatch Logs subscribed to a function; a Cognito trigger; a container image function.
Diagrams must draw all of it (tests/test_diagrams.py)."""

from __future__ import annotations

from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_codecommit as codecommit
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as log_destinations
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks

CODE = lambda_.Code.from_inline("def handler(event, context):\n    return event\n")


def function(stack: Stack, name: str, **options: object) -> lambda_.Function:
    return lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler", code=CODE,
                            **options)  # type: ignore[arg-type]


def serverless_examples_stack(app: App) -> Stack:
    stack = Stack(app, "Examples", env=Environment(account="111111111111", region="us-east-1"))
    # S3 -> Lambda -> a table in RDS (Aurora, through RDS Proxy).
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    database = rds.DatabaseCluster(
        stack, "Database", engine=rds.DatabaseClusterEngine.aurora_postgres(
            version=rds.AuroraPostgresEngineVersion.VER_16_4),
        writer=rds.ClusterInstance.serverless_v2("Writer"), vpc=vpc, vpc_subnets=isolated)
    proxy = database.add_proxy("Proxy", secrets=[database.secret] if database.secret else [], vpc=vpc,
                              vpc_subnets=isolated)
    uploads = s3.Bucket(stack, "Uploads")
    metadata = function(stack, "UpdateMetadata", vpc=vpc, vpc_subnets=isolated, environment={"DB_HOST": proxy.endpoint})
    uploads.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(metadata))
    # EventBridge rules on CodePipeline's state changes and on a CodeCommit repository.
    source, artifacts = codepipeline.Artifact(), s3.Bucket(stack, "Sources")
    pipeline = codepipeline.Pipeline(stack, "Pipeline", stages=[
        codepipeline.StageProps(stage_name="Source", actions=[actions.S3SourceAction(
            action_name="Source", bucket=artifacts, bucket_key="app.zip", output=source)]),
        codepipeline.StageProps(stage_name="Check", actions=[actions.LambdaInvokeAction(
            action_name="Check", lambda_=function(stack, "Check"), inputs=[source])]),
    ])
    pipeline.on_state_change("PipelineChanges", target=targets.LambdaFunction(function(stack, "OnPipeline")))
    codecommit.Repository(stack, "Repository", repository_name="app").on_commit(
        "OnCommit", target=targets.LambdaFunction(function(stack, "OnCommit")))
    # Step Functions -> Lambda.
    sfn.StateMachine(stack, "Workflow", definition_body=sfn.DefinitionBody.from_chainable(
        tasks.LambdaInvoke(stack, "Step", lambda_function=function(stack, "StepFunction"))))
    # Kinesis -> Firehose (a Lambda transform) -> S3.
    firehose.DeliveryStream(
        stack, "Delivery", source=firehose.KinesisStreamSource(kinesis.Stream(stack, "Clicks")),
        destination=firehose.S3Bucket(s3.Bucket(stack, "Archive"), processors=[
            firehose.LambdaFunctionProcessor(function(stack, "Transform", timeout=Duration.minutes(1)))]))
    # CloudWatch Logs -> Lambda.
    logged = function(stack, "Logged", log_group=logs.LogGroup(stack, "LoggedLogs"))
    logs.SubscriptionFilter(stack, "Subscription", log_group=logged.log_group,
                            destination=log_destinations.LambdaDestination(function(stack, "LogReader")),
                            filter_pattern=logs.FilterPattern.all_events())
    # Cognito -> Lambda; a container image from ECR.
    cognito.UserPool(stack, "Users", lambda_triggers=cognito.UserPoolTriggers(pre_sign_up=function(stack, "SignUp")))
    repository = ecr.Repository(stack, "Images")
    lambda_.DockerImageFunction(stack, "FromImage", code=lambda_.DockerImageCode.from_ecr(repository))
    iam.Role(stack, "Unused", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))  # a detail: not drawn
    return stack
