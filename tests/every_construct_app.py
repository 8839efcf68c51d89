"""An app that uses every construct of the library, with the options that create the most kinds of resource
(both API kinds, both schedulers, queue-driven thumbnails, a NAT gateway, a file system, a safe deployment ...),
for the tests that must see everything the library can create. A new construct is one line in USES."""

from __future__ import annotations

from typing import Any, Callable

from aws_cdk import App, Duration, Environment, Stack, pipelines
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from constructs_lib import (
    AlarmTopic, AlbFunction, ApiCors, ApiFunction, Dashboard, DeliveryPipeline, DependencyLayer, Deployment, Durable,
    EdgeDistribution, EdgeHandler, FanOut, FirehoseTransform, FunctionStep, LogSubscriber,
    ProvisionedConcurrencyScaling, QueueWorker, ScheduledFunction, ServerlessFunction, ServiceApi, ServiceStage,
    StreamConsumer, ThumbnailPipeline, TopicSubscriber, UserPoolTrigger, VpcFunction, Workflow, route_alarms,
)
from constructs_lib.core.profile import is_regulated
from constructs_lib.resources.buckets import data_bucket, log_bucket
from tests.helpers import FIXTURES, PLAIN, make_app

REGION = "us-east-1"  # Lambda@Edge functions live there
CERTIFICATE = f"arn:aws:acm:{REGION}:111111111111:certificate/11111111-2222-3333-4444-555555555555"


def _certificate(stack: Stack, name: str) -> acm.ICertificate:
    return acm.Certificate.from_certificate_arn(stack, name, CERTIFICATE)


def _bucket(stack: Stack, construct_id: str) -> s3.Bucket:
    """A bucket of the app's own: under the regulated profile, made as a regulated user would (the library's data
    bucket: versioned, encrypted with the stack's key, access logs, backed up)."""
    if not is_regulated(stack):
        return s3.Bucket(stack, construct_id, enforce_ssl=True)
    access_logs = log_bucket(stack, f"{construct_id}AccessLogs", expiration=Duration.days(365), delivery="s3")
    return data_bucket(stack, construct_id, access_logs=access_logs, noncurrent_version_expiration=Duration.days(30),
                       without_key_because="")


def _global_table(stack: Stack) -> dynamodb.TableV2:
    return dynamodb.TableV2(stack, "GlobalAccounts", partition_key=dynamodb.Attribute(
        name="pk", type=dynamodb.AttributeType.STRING), dynamo_stream=dynamodb.StreamViewType.NEW_IMAGE)


def _fan_out(stack: Stack) -> FanOut:
    fan_out = FanOut(stack, "Uploads")
    fan_out.add_worker("Catalog", entry=PLAIN, batch_size=5)
    fan_out.add_queue("Archive", sqs.Queue(stack, "ArchiveQueue", enforce_ssl=True))
    return fan_out


def _service_api(stack: Stack) -> ServiceApi:
    api = ServiceApi(stack, "Service", api="rest", auth="none", allow_public_api=True,
                     cors=ApiCors(allow_origins=["https://a.example"]))
    api.add_function("Orders", routes=["GET /orders", "POST /orders"], entry=PLAIN)
    api.add_function("Items", routes=["GET /orders/{id}/items"], entry=PLAIN)
    return api


def _sender(stack: Stack) -> UserPoolTrigger:
    key = kms.Key(stack, "Codes", enable_key_rotation=True)
    # Email recovery needs verified emails: the custom email sender then gets the forgot-password codes too.
    pool = cognito.UserPool(stack, "Users", custom_sender_kms_key=key, auto_verify=cognito.AutoVerifiedAttrs(email=True),
                            account_recovery=cognito.AccountRecovery.EMAIL_ONLY)
    return UserPoolTrigger(stack, "Mail", user_pool=pool, operation="custom_email_sender", sender_key=key, entry=PLAIN)


def _step(stack: Stack) -> FunctionStep:
    durable = ServerlessFunction(stack, "Durable", entry=PLAIN, runtime=lambda_.Runtime.PYTHON_3_13,
                                 durable=Durable(execution_timeout=Duration.minutes(15)))
    return FunctionStep(stack, "Step", function=durable)


def _workflow(stack: Stack) -> Workflow:
    step = stack.node.find_child("Step")
    assert isinstance(step, FunctionStep)
    workflow = Workflow(stack, "Flow", definition=step)
    workflow.start_on_event("Hourly", schedule=events.Schedule.rate(Duration.hours(1)))
    workflow.start_on_upload("OnUpload", _bucket(stack, "Inbox"))
    workflow.start_from_queue("FromQueue", sqs.Queue(stack, "Requests", enforce_ssl=True))
    return workflow


def _stage(stack: Stack) -> ServiceStage:
    """A stage of the app (beside the stack, in its account and region) with a function it smoke-tests."""
    stage = ServiceStage(stack.node.root, "Beta", env=Environment(account="111111111111", region=REGION),
                         deployment=Deployment.all_at_once(), alarm_emails=["ops@example.com"])
    stage.add_smoke_test(ServerlessFunction(Stack(stage, "Service"), "Api", entry=PLAIN))
    return stage


def _pipeline(stack: Stack) -> DeliveryPipeline:
    """Its own stack: a pipeline's stack names its account; the one-stack tests below draw EveryConstruct."""
    delivery = DeliveryPipeline(
        Stack(stack.node.root, "Delivery", env=Environment(account="111111111111", region=REGION)), "Delivery",
        source=pipelines.CodePipelineSource.connection("example-org/app", "main", connection_arn=(
            f"arn:aws:codeconnections:{REGION}:111111111111:connection/0c2e4a1f-5b6d-4e8f-9a0b-1c2d3e4f5a6b")))
    stage = stack.node.root.node.find_child("Beta")
    assert isinstance(stage, ServiceStage)
    delivery.add_wave("Beta", [stage])
    delivery.build()
    return delivery


# The construct each entry shows, and how a stack uses it: one line per use.
USES: list[tuple[type, Callable[[Stack], Any]]] = [
    (ServerlessFunction, lambda s: ServerlessFunction(
        s, "Function", entry=PLAIN, deployment=Deployment.canary(pre_traffic_hook=True), provisioned_concurrency=1,
        provisioned_concurrency_scaling=ProvisionedConcurrencyScaling(min_capacity=1, max_capacity=4),
        function_url_auth="AWS_IAM", layers=[DependencyLayer(
            s, "Layer", requirements=FIXTURES / "with_requirements" / "requirements.txt")])),
    (DependencyLayer, lambda s: DependencyLayer(s, "OtherLayer", requirements=FIXTURES / "with_requirements"
                                                / "requirements.txt")),
    (ThumbnailPipeline, lambda s: ThumbnailPipeline(s, "Thumbnails", via="queue")),
    (ScheduledFunction, lambda s: ScheduledFunction(s, "Hourly", schedule=events.Schedule.cron(minute="5"),
                                                    entry=PLAIN)),
    (ScheduledFunction, lambda s: ScheduledFunction(s, "Nightly", schedule="cron(0 3 * * ? *)", via="scheduler",
                                                    time_zone="Europe/Paris", entry=PLAIN)),
    (QueueWorker, lambda s: QueueWorker(s, "Orders", entry=PLAIN, fifo=True)),
    (StreamConsumer, lambda s: StreamConsumer(s, "Clicks", stream=kinesis.Stream(s, "ClickStream"), entry=PLAIN)),
    (StreamConsumer, lambda s: StreamConsumer(s, "Audit", table=_global_table(s), entry=PLAIN)),
    (AlbFunction, lambda s: AlbFunction(s, "Web", certificate=_certificate(s, "WebCertificate"), entry=PLAIN)),
    (ApiFunction, lambda s: ApiFunction(s, "HttpApi", entry=PLAIN, cors=ApiCors(allow_origins=["https://a.example"]),
                                        domain_name="api.example.com", certificate=_certificate(s, "HttpCert"))),
    (ApiFunction, lambda s: ApiFunction(
        s, "RestApi", api="rest", auth="iam", entry=PLAIN, domain_name="rest.example.com",
        certificate=_certificate(s, "RestCert"),
        web_acl_arn=f"arn:aws:wafv2:{REGION}:111111111111:regional/webacl/acl/11111111-2222-3333-4444-555555555555")),
    (ServiceApi, _service_api),
    (FanOut, _fan_out),
    (FunctionStep, _step),
    (Workflow, _workflow),
    (TopicSubscriber, lambda s: TopicSubscriber(s, "Notices", entry=PLAIN)),
    (VpcFunction, lambda s: VpcFunction(s, "Private", entry=PLAIN, allow_internet=True, filesystem=True)),
    (EdgeDistribution, lambda s: EdgeDistribution(
        s, "Cdn", origin_bucket=_bucket(s, "Site"), viewer_request=EdgeHandler(PLAIN),
        origin_response=EdgeHandler(PLAIN), viewer_response_function="function handler(event) {return event.response;}")),
    (EdgeDistribution, lambda s: EdgeDistribution(  # from another region: the versions cross from us-east-1
        (elsewhere := Stack(s.node.root, "Elsewhere", env=Environment(account="111111111111", region="eu-west-1"))),
        "Cdn", origin_bucket=_bucket(elsewhere, "Site"), viewer_request=EdgeHandler(PLAIN))),
    (UserPoolTrigger, _sender),
    (LogSubscriber, lambda s: LogSubscriber(s, "LogReader", log_group=s.node.find_child("Function").log_group,
                                            entry=PLAIN)),
    (FirehoseTransform, lambda s: FirehoseTransform(s, "ClickArchive", entry=PLAIN)),
    (AlarmTopic, lambda s: route_alarms(s, AlarmTopic(s, "Alarms").topic)),
    (Dashboard, lambda s: Dashboard(s, "Dashboard", constructs=[s.node.find_child(n) for n in ("Function", "Orders")])),
    (ServiceStage, _stage),
    (DeliveryPipeline, _pipeline),
]


def every_construct_app(profile: str = "default") -> App:
    """The app, like a user's (no feature flags), with every use of USES in order in its stack EveryConstruct
    (and the stacks some uses make beside it), built the ``profile`` way (the context constructs_lib:profile)."""
    # Construct paths in templates, as `cdk synth`.
    app = make_app(**{"aws:cdk:enable-path-metadata": True, "constructs_lib:profile": profile,
                      "constructs_lib:concurrency-quota": 1000})
    stack = Stack(app, "EveryConstruct", env=Environment(account="111111111111", region=REGION))
    for _, use in USES:
        use(stack)
    return app
