"""For every DeployRules rule, a stack of plain aws-cdk-lib constructs that breaks it and one that keeps it.

Each builder gets an empty stack (in ``ENVIRONMENTS[rule]`` when the rule needs a region) and adds what a CDK
user would write. A breaking stack breaks its rule and no other; a keeping stack breaks none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from aws_cdk import Aws, CfnParameter, Duration, Environment, Fn, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as rest
from aws_cdk import aws_apigatewayv2 as http
from aws_cdk import aws_apigatewayv2_integrations as http_integrations
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as log_destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from aws_cdk import aws_ssm as ssm

from tests.pipeline_rule_cases import CASES as PIPELINE_CASES

Builder = Callable[[Stack], None]
EDGE = Environment(region="us-east-1")
ACCOUNT = "111122223333"  # AWS's documentation example account
EDGE_HANDLER = "def handler(event, context):\n    return event['Records'][0]['cf']['request']\n"


def function(stack: Stack, name: str = "Fn", **props) -> lambda_.Function:
    return lambda_.Function(stack, name, runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
                            code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"), **props)


def edge_function(stack: Stack, name: str = "Edge", **props) -> lambda_.Function:
    return cloudfront.experimental.EdgeFunction(
        stack, name, runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
        code=lambda_.Code.from_inline(EDGE_HANDLER),
        **props)


def distribution(stack: Stack, version: lambda_.IVersion,
                 event: cloudfront.LambdaEdgeEventType = cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
                 name: str = "Site") -> cloudfront.Distribution:
    return cloudfront.Distribution(stack, name, default_behavior=cloudfront.BehaviorOptions(
        origin=origins.HttpOrigin("example.com"),
        edge_lambdas=[cloudfront.EdgeLambda(function_version=version, event_type=event)]))


def alarm(stack: Stack, name: str = "Errors", fn: lambda_.Function | None = None) -> cloudwatch.Alarm:
    return cloudwatch.Alarm(stack, name, metric=(fn or function(stack, f"{name}Fn")).metric_errors(),
                            threshold=1, evaluation_periods=1)


# --- Lambda -----------------------------------------------------------------------------------------------


def url_permissions_broken(stack: Stack) -> None:
    fn = function(stack)
    fn.add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)
    fn.add_permission("Caller", principal=iam.AccountPrincipal(ACCOUNT), action="lambda:InvokeFunctionUrl",
                      function_url_auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)


def url_permissions_kept(stack: Stack) -> None:
    fn = function(stack)
    fn.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
    private = function(stack, "Private")
    private.add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM).grant_invoke_url(
        iam.AccountPrincipal(ACCOUNT))


def async_qualifier_broken(stack: Stack) -> None:
    fn = function(stack)
    fn.configure_async_invoke(retry_attempts=0)
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    sns.Topic(stack, "Orders").add_subscription(subscriptions.LambdaSubscription(alias))


def async_qualifier_kept(stack: Stack) -> None:
    fn = function(stack)
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version, retry_attempts=0)
    sns.Topic(stack, "Orders").add_subscription(subscriptions.LambdaSubscription(alias))


def unreserved_broken(stack: Stack) -> None:
    function(stack, "Busy", reserved_concurrent_executions=600)
    fn = function(stack, "Warm")
    lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version, provisioned_concurrent_executions=301)


def unreserved_kept(stack: Stack) -> None:
    function(stack, "Busy", reserved_concurrent_executions=600)
    fn = function(stack, "Warm")
    lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version, provisioned_concurrent_executions=300)


def provisioned_latest_broken(stack: Stack) -> None:
    fn = function(stack)
    lambda_.CfnAlias(stack, "Live", name="live", function_name=fn.function_name, function_version="$LATEST",
                     provisioned_concurrency_config=lambda_.CfnAlias.ProvisionedConcurrencyConfigurationProperty(
                         provisioned_concurrent_executions=1))


def provisioned_latest_kept(stack: Stack) -> None:
    fn = function(stack)
    lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version, provisioned_concurrent_executions=1)


def s3_loop_broken(stack: Stack) -> None:
    fn = function(stack)
    bucket = s3.Bucket(stack, "Images")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(fn))
    bucket.grant_read_write(fn)


def s3_loop_kept(stack: Stack) -> None:
    fn = function(stack)
    bucket = s3.Bucket(stack, "Images")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(fn),
                                  s3.NotificationKeyFilter(prefix="uploads/"))
    bucket.grant_read(fn, "uploads/*")
    bucket.grant_put(fn, "thumbnails/*")


# --- Lambda durable functions ----------------------------------------------------------------------------


def durable_function(stack: Stack, name: str = "Durable", timeout: Duration = Duration.hours(1),
                     **props) -> lambda_.Function:
    return function(stack, name, durable_config=lambda_.DurableConfig(execution_timeout=timeout), **props)


def lambda_role(stack: Stack, name: str = "Role") -> iam.Role:
    """A role of one's own, as least privilege asks: logs only (no managed policy on '*' for checkpoints)."""
    return iam.Role(stack, name, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), managed_policies=[
        iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole")])


def durable_qualified_broken(stack: Stack) -> None:
    fn = durable_function(stack)
    events.Rule(stack, "Nightly", schedule=events.Schedule.rate(Duration.days(1)), targets=[targets.LambdaFunction(fn)])


def durable_event_source_broken(stack: Stack) -> None:
    fn = durable_function(stack, timeout=Duration.hours(1))
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    alias.add_event_source(event_sources.SqsEventSource(sqs.Queue(stack, "Orders")))


def durable_checkpoint_broken(stack: Stack) -> None:
    durable_function(stack, role=lambda_role(stack))


def durable_kept(stack: Stack) -> None:
    fn = durable_function(stack, timeout=Duration.minutes(15))  # aws-cdk-lib's role: the managed durable policy
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    events.Rule(stack, "Nightly", schedule=events.Schedule.rate(Duration.days(1)),
                targets=[targets.LambdaFunction(alias)])
    alias.add_event_source(event_sources.SqsEventSource(sqs.Queue(stack, "Orders")))
    role = lambda_role(stack)
    scoped = durable_function(stack, "Scoped", role=role)
    iam.Policy(stack, "Checkpoints", roles=[role], statements=[iam.PolicyStatement(
        actions=["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"],
        resources=[Fn.join("", [scoped.function_arn, ":*"])])])


# --- Lambda versions and their layers ---------------------------------------------------------------------------


POWERTOOLS_PARAMETER = "/aws/service/powertools/python/arm64/python3.13/latest"
LAYER_FOLDER = Path(__file__).resolve().parent / "fixtures" / "plain"


def resolved_layer(stack: Stack) -> lambda_.ILayerVersion:
    """The newest Powertools layer, read from its public SSM parameter at every deployment."""
    return lambda_.LayerVersion.from_layer_version_arn(
        stack, "Powertools", ssm.StringParameter.value_for_string_parameter(stack, POWERTOOLS_PARAMETER))


def version_layers_broken(stack: Stack) -> None:
    fn = function(stack, layers=[resolved_layer(stack)])
    lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)


def version_layers_kept(stack: Stack) -> None:
    layer = resolved_layer(stack)
    fn = function(stack, layers=[layer], current_version_options=lambda_.VersionOptions(
        description=Fn.join(" ", ["Layers:", layer.layer_version_arn])))
    lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)


def app_layer_function(stack: Stack) -> None:
    """A layer version of the app: followed only when the app sets recognizeLayerVersion."""
    layer = lambda_.LayerVersion(stack, "Layer", code=lambda_.Code.from_asset(str(LAYER_FOLDER)))
    fn = function(stack, layers=[layer])
    lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)


# --- API Gateway --------------------------------------------------------------------------------------------------


def http_api(stack: Stack, routes: int, **integration) -> None:
    """An HTTP API with `routes` routes, all to one function."""
    api = http.HttpApi(stack, "Api")
    target = http_integrations.HttpLambdaIntegration("Integration", function(stack), **integration)
    for i in range(routes):
        api.add_routes(path=f"/things{i}", methods=[http.HttpMethod.GET], integration=target)


def policy_size_broken(stack: Stack) -> None:
    http_api(stack, 50)  # a permission per route: about 470 bytes each (aws-cdk#19535 failed at about 45)


def policy_size_kept(stack: Stack) -> None:
    http_api(stack, 50, scope_permission_to_route=False)


# --- Lambda@Edge ------------------------------------------------------------------------------------------


def edge_version_broken(stack: Stack) -> None:
    fn = edge_function(stack)
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    site = distribution(stack, fn.current_version)
    site.node.default_child.add_property_override(
        "DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.0.LambdaFunctionARN", alias.function_arn)


def edge_kept(stack: Stack) -> None:
    distribution(stack, edge_function(stack).current_version)
    origin = edge_function(stack, "Origin", memory_size=1024, timeout=Duration.seconds(30))
    distribution(stack, origin.current_version, cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST, "Api")


def edge_region_broken(stack: Stack) -> None:
    role = iam.Role(stack, "Role", assumed_by=iam.CompositePrincipal(
        iam.ServicePrincipal("lambda.amazonaws.com"), iam.ServicePrincipal("edgelambda.amazonaws.com")))
    distribution(stack, function(stack, role=role).current_version)


def edge_features_broken(stack: Stack) -> None:
    distribution(stack, edge_function(stack, architecture=lambda_.Architecture.ARM_64).current_version)


def edge_limits_broken(stack: Stack) -> None:
    distribution(stack, edge_function(stack, memory_size=256).current_version)


def edge_trust_broken(stack: Stack) -> None:
    """A distribution written as an L1: aws-cdk-lib's Distribution would add edgelambda to the role's trust."""
    cf = cloudfront.CfnDistribution
    cf(stack, "Site", distribution_config=cf.DistributionConfigProperty(
        enabled=True,
        origins=[cf.OriginProperty(
            id="web", domain_name="example.com",
            custom_origin_config=cf.CustomOriginConfigProperty(origin_protocol_policy="https-only"))],
        default_cache_behavior=cf.DefaultCacheBehaviorProperty(
            target_origin_id="web", viewer_protocol_policy="redirect-to-https",
            cache_policy_id=cloudfront.CachePolicy.CACHING_OPTIMIZED.cache_policy_id,
            lambda_function_associations=[cf.LambdaFunctionAssociationProperty(
                event_type="viewer-request", lambda_function_arn=function(stack).current_version.function_arn)])))


# --- S3 event notifications -------------------------------------------------------------------------------


def queue_notification(stack: Stack, queue: sqs.IQueue, events: list[str]) -> None:
    """A bucket notifying `queue` as an L1 (the way a template written by hand does), with the queue's policy."""
    s3.CfnBucket(stack, "Notifying", notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
        queue_configurations=[s3.CfnBucket.QueueConfigurationProperty(event=event, queue=queue.queue_arn)
                              for event in events]))
    queue.add_to_resource_policy(iam.PolicyStatement(
        actions=["sqs:SendMessage"], principals=[iam.ServicePrincipal("s3.amazonaws.com")],
        resources=[queue.queue_arn]))


def notify_permission_broken(stack: Stack) -> None:
    queue = sqs.Queue(stack, "Uploads")
    s3.CfnBucket(stack, "Bucket", notification_configuration=s3.CfnBucket.NotificationConfigurationProperty(
        queue_configurations=[s3.CfnBucket.QueueConfigurationProperty(event="s3:ObjectCreated:*",
                                                                      queue=queue.queue_arn)]))


def notify_kept(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Bucket")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(stack, "Uploads")),
                                  s3.NotificationKeyFilter(prefix="uploads/", suffix=".jpg"))
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SnsDestination(sns.Topic(stack, "Reports")),
                                  s3.NotificationKeyFilter(prefix="reports/"))
    bucket.add_event_notification(s3.EventType.OBJECT_REMOVED, s3n.LambdaDestination(function(stack)))
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    bucket.add_event_notification(s3.EventType.OBJECT_RESTORE_COMPLETED, s3n.SqsDestination(
        sqs.Queue(stack, "Restored", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)))
    queue_notification(stack, sqs.Queue(stack, "Tagged"), ["s3:ObjectTagging:*"])


def notify_fifo_broken(stack: Stack) -> None:
    queue_notification(stack, sqs.Queue(stack, "Ordered", fifo=True), ["s3:ObjectCreated:*"])


def notify_filter_broken(stack: Stack) -> None:
    queue_notification(stack, sqs.Queue(stack, "Uploads"), ["s3:ObjectCreate:*"])


def notify_key_broken(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Bucket")
    queue = sqs.Queue(stack, "Uploads", encryption=sqs.QueueEncryption.KMS_MANAGED)
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(queue))


def notify_overlap_broken(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Bucket")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(stack, "All")))
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED_PUT, s3n.SqsDestination(sqs.Queue(stack, "Images")),
                                  s3.NotificationKeyFilter(prefix="images/"))


# --- topics that services publish to ----------------------------------------------------------------------


def sns_cloudwatch_broken(stack: Stack) -> None:
    alarm(stack).add_alarm_action(cloudwatch_actions.SnsAction(sns.Topic(stack, "Alarms", enforce_ssl=True)))


def sns_kept(stack: Stack) -> None:
    alarm(stack).add_alarm_action(cloudwatch_actions.SnsAction(sns.Topic(stack, "Alarms")))
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    key.add_to_resource_policy(iam.PolicyStatement(
        actions=["kms:GenerateDataKey*", "kms:Decrypt"], resources=["*"],
        principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com"), iam.ServicePrincipal("events.amazonaws.com")]))
    encrypted = sns.Topic(stack, "Encrypted", master_key=key, enforce_ssl=True)
    encrypted.add_to_resource_policy(iam.PolicyStatement(
        actions=["sns:Publish"], resources=[encrypted.topic_arn],
        principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")]))
    alarm(stack, "Throttles").add_alarm_action(cloudwatch_actions.SnsAction(encrypted))
    events.Rule(stack, "Nightly", schedule=events.Schedule.cron(hour="2", minute="0"),
                targets=[targets.SnsTopic(encrypted)])


def sns_eventbridge_broken(stack: Stack) -> None:
    topic = sns.Topic(stack, "Changes", enforce_ssl=True)
    events.CfnRule(stack, "Nightly", schedule_expression="cron(0 2 * * ? *)",
                   targets=[events.CfnRule.TargetProperty(arn=topic.topic_arn, id="Topic")])


def sns_key_broken(stack: Stack) -> None:
    topic = sns.Topic(stack, "Alarms", master_key=kms.Alias.from_alias_name(stack, "SnsKey", "alias/aws/sns"))
    alarm(stack).add_alarm_action(cloudwatch_actions.SnsAction(topic))


def sns_fifo_protocol_broken(stack: Stack) -> None:
    sns.Topic(stack, "Orders", fifo=True).add_subscription(subscriptions.LambdaSubscription(function(stack)))


def sns_fifo_protocol_kept(stack: Stack) -> None:
    orders = sns.Topic(stack, "Orders", fifo=True)
    orders.add_subscription(subscriptions.SqsSubscription(sqs.Queue(stack, "Ordered", fifo=True)))
    orders.add_subscription(subscriptions.SqsSubscription(sqs.Queue(stack, "Analytics")))  # standard: best effort
    imported = sns.Topic.from_topic_arn(stack, "Prices", f"arn:aws:sns:us-east-1:{ACCOUNT}:prices.fifo")
    imported.add_subscription(subscriptions.SqsSubscription(sqs.Queue(stack, "PricesQueue", fifo=True)))
    sns.Topic(stack, "Changes").add_subscription(subscriptions.LambdaSubscription(function(stack)))


# --- log delivery -----------------------------------------------------------------------------------------


def s3_access_logs_broken(stack: Stack) -> None:
    logs = s3.Bucket(stack, "Logs")
    s3.CfnBucket(stack, "Data", logging_configuration=s3.CfnBucket.LoggingConfigurationProperty(
        destination_bucket_name=logs.bucket_name))


def s3_access_logs_kept(stack: Stack) -> None:
    s3.Bucket(stack, "Data", server_access_logs_bucket=s3.Bucket(stack, "Logs"))


def load_balancer(stack: Stack) -> elbv2.ApplicationLoadBalancer:
    vpc = ec2.Vpc(stack, "Network", max_azs=2, nat_gateways=0)
    return elbv2.ApplicationLoadBalancer(stack, "Balancer", vpc=vpc, internet_facing=True)


def elb_logs_broken(stack: Stack) -> None:
    balancer, logs = load_balancer(stack), s3.Bucket(stack, "Logs")
    balancer.set_attribute("access_logs.s3.enabled", "true")
    balancer.set_attribute("access_logs.s3.bucket", logs.bucket_name)


def elb_logs_kept(stack: Stack) -> None:
    load_balancer(stack).log_access_logs(s3.Bucket(stack, "Logs"))


def cloudfront_logs_broken(stack: Stack) -> None:
    cloudfront.Distribution(stack, "Site", default_behavior=cloudfront.BehaviorOptions(
        origin=origins.HttpOrigin("example.com")), enable_logging=True, log_bucket=s3.Bucket(stack, "Logs"))


def cloudfront_logs_kept(stack: Stack) -> None:
    cloudfront.Distribution(stack, "Site", default_behavior=cloudfront.BehaviorOptions(
        origin=origins.HttpOrigin("example.com")), enable_logging=True,
        log_bucket=s3.Bucket(stack, "Logs", object_ownership=s3.ObjectOwnership.OBJECT_WRITER))


# --- API Gateway ------------------------------------------------------------------------------------------


def browser_api(stack: Stack) -> rest.RestApi:
    """A REST API that answers browsers' preflight requests, in front of a function (Lambda proxy)."""
    api = rest.RestApi(stack, "Api", default_cors_preflight_options=rest.CorsOptions(
        allow_origins=["https://app.example.com"]))
    api.root.add_method("GET", rest.LambdaIntegration(function(stack)))
    return api


def cors_errors_broken(stack: Stack) -> None:
    browser_api(stack)


def cors_errors_kept(stack: Stack) -> None:
    api = browser_api(stack)
    for kind in (rest.ResponseType.DEFAULT_4_XX, rest.ResponseType.DEFAULT_5_XX):
        api.add_gateway_response(kind.response_type, type=kind,
                                 response_headers={"Access-Control-Allow-Origin": "'https://app.example.com'"})


# --- CodeDeploy and CloudFormation ------------------------------------------------------------------------


def deployment(stack: Stack, alarms: int, **props) -> codedeploy.LambdaDeploymentGroup:
    fn = function(stack)
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    return codedeploy.LambdaDeploymentGroup(
        stack, "Deployment", alias=alias,
        deployment_config=codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
        alarms=[alarm(stack, f"Alarm{i}", fn) for i in range(alarms)], **props)


def codedeploy_alarms_broken(stack: Stack) -> None:
    deployment(stack, 11)


def codedeploy_kept(stack: Stack) -> None:
    deployment(stack, 10, pre_hook=function(stack, "PreHook"), post_hook=function(stack, "PostHook"))


def codedeploy_hook_broken(stack: Stack) -> None:
    deployment(stack, 1)
    hook = function(stack, "PreHook")  # a hook the deployment group was not told of: its role may not report
    alias = stack.node.find_child("Live").node.default_child
    alias.add_override("UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook", hook.function_name)


def cfn_quotas_broken(stack: Stack) -> None:
    for i in range(200):  # aws-cdk-lib adds a 201st: BootstrapVersion
        CfnParameter(stack, f"Setting{i}", default="x")
    sns.Topic(stack, "Topic")


def cfn_quotas_kept(stack: Stack) -> None:
    for i in range(199):
        CfnParameter(stack, f"Setting{i}", default="x")
    sns.Topic(stack, "Topic")


# --- Step Functions -------------------------------------------------------------------------------------------------


def canary_function(stack: Stack) -> lambda_.Alias:
    fn = function(stack)
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    codedeploy.LambdaDeploymentGroup(stack, "Deploy", alias=alias,
                                     deployment_config=codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES)
    return alias


def sfn_latest_broken(stack: Stack) -> None:
    alias = canary_function(stack)
    sfn.StateMachine(stack, "Flow", definition_body=sfn.DefinitionBody.from_chainable(
        tasks.LambdaInvoke(stack, "Invoke", lambda_function=alias.version.lambda_)))


def sfn_kept(stack: Stack) -> None:
    alias = canary_function(stack)
    sfn.StateMachine(stack, "Flow", definition_body=sfn.DefinitionBody.from_chainable(
        tasks.LambdaInvoke(stack, "Invoke", lambda_function=alias)),
        logs=sfn.LogOptions(destination=logs.LogGroup(stack, "FlowLogs"), level=sfn.LogLevel.ALL))


def sfn_log_delivery_broken(stack: Stack) -> None:
    role = iam.Role(stack, "FlowRole", assumed_by=iam.ServicePrincipal("states.amazonaws.com"))
    group = logs.LogGroup(stack, "FlowLogs")
    group.grant_write(role)  # what a log group "needs", but Step Functions delivers logs through log deliveries
    sfn.CfnStateMachine(stack, "Flow", role_arn=role.role_arn, definition_string='{"StartAt":"A","States":{"A":'
                        '{"Type":"Pass","End":true}}}', logging_configuration=sfn.CfnStateMachine.LoggingConfigurationProperty(
                            level="ALL", destinations=[sfn.CfnStateMachine.LogDestinationProperty(
                                cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                                    log_group_arn=group.log_group_arn))]))


# --- alarms on EventBridge metrics, and VPC endpoints ------------------------------------------------------


def events_metric(rule: events.Rule, **extra: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace="AWS/Events", metric_name="FailedInvocations",
                             dimensions_map={"RuleName": rule.rule_name, **extra})


def event_rules(stack: Stack) -> tuple[events.EventBus, events.Rule, events.Rule]:
    """A rule on a custom bus and a scheduled rule (on the default bus), each invoking a function."""
    bus = events.EventBus(stack, "Orders")
    placed = events.Rule(stack, "OrderPlaced", event_bus=bus, event_pattern=events.EventPattern(source=["shop"]),
                         targets=[targets.LambdaFunction(function(stack))])
    nightly = events.Rule(stack, "Nightly", schedule=events.Schedule.cron(hour="2", minute="0"),
                          targets=[targets.LambdaFunction(function(stack, "Report"))])
    return bus, placed, nightly


def events_alarm_broken(stack: Stack) -> None:
    _, placed, nightly = event_rules(stack)
    cloudwatch.Alarm(stack, "PlacedFailed", metric=events_metric(placed), threshold=1, evaluation_periods=1)
    cloudwatch.Alarm(stack, "NightlyFailed", metric=events_metric(nightly, EventBusName="default"), threshold=1,
                     evaluation_periods=1)
    # The rule's Ref on a custom bus is "<bus>|<rule>": no metric carries it as RuleName.
    cloudwatch.Alarm(stack, "PlacedFailedByRef", metric=events_metric(placed, EventBusName=bus_name_of(stack)),
                     threshold=1, evaluation_periods=1)


def bus_name_of(stack: Stack) -> str:
    bus = stack.node.find_child("Orders")
    assert isinstance(bus, events.EventBus)
    return bus.event_bus_name


def events_alarm_kept(stack: Stack) -> None:
    bus, placed, nightly = event_rules(stack)
    cloudwatch.Alarm(stack, "PlacedFailed", threshold=1, evaluation_periods=1, metric=cloudwatch.Metric(
        namespace="AWS/Events", metric_name="FailedInvocations", dimensions_map={
            "RuleName": Fn.select(1, Fn.split("|", placed.rule_name)), "EventBusName": bus.event_bus_name}))
    cloudwatch.Alarm(stack, "NightlyFailed", metric=events_metric(nightly), threshold=1, evaluation_periods=1)


def nightly_schedule(stack: Stack) -> scheduler.Schedule:
    return scheduler.Schedule(stack, "Nightly", schedule=scheduler.ScheduleExpression.cron(hour="2", minute="0"),
                              schedule_group=scheduler.ScheduleGroup(stack, "Reports"),
                              target=scheduler_targets.LambdaInvoke(function(stack)))


def scheduler_alarm_broken(stack: Stack) -> None:
    schedule = nightly_schedule(stack)
    for name, dimension in (("ByName", "ScheduleName"), ("ByGroup", "ScheduleGroup")):
        cloudwatch.Alarm(stack, name, threshold=1, evaluation_periods=1, metric=cloudwatch.Metric(
            namespace="AWS/Scheduler", metric_name="TargetErrorCount",
            dimensions_map={dimension: schedule.schedule_name}))


def scheduler_alarm_kept(stack: Stack) -> None:
    group = nightly_schedule(stack).schedule_group
    assert group is not None
    cloudwatch.Alarm(stack, "Errors", metric=group.metric_target_errors(), threshold=1, evaluation_periods=1)


def isolated_vpc(stack: Stack, name: str = "Network") -> ec2.Vpc:
    return ec2.Vpc(stack, name, max_azs=2, nat_gateways=0, subnet_configuration=[
        ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)])


def vpc_endpoint_dns_broken(stack: Stack) -> None:
    vpc = isolated_vpc(stack)
    vpc.add_interface_endpoint("Queues", service=ec2.InterfaceVpcEndpointAwsService.SQS)
    # A second construct asks for the same service in the same VPC, private DNS on by default.
    ec2.InterfaceVpcEndpoint(stack, "WorkerQueues", vpc=vpc, service=ec2.InterfaceVpcEndpointAwsService.SQS)


def vpc_endpoint_dns_kept(stack: Stack) -> None:
    vpc = isolated_vpc(stack)
    vpc.add_interface_endpoint("Queues", service=ec2.InterfaceVpcEndpointAwsService.SQS)
    vpc.add_interface_endpoint("Secrets", service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER)
    ec2.InterfaceVpcEndpoint(stack, "WorkerQueues", vpc=vpc, service=ec2.InterfaceVpcEndpointAwsService.SQS,
                             private_dns_enabled=False)  # reached by its own DNS names
    isolated_vpc(stack, "Other").add_interface_endpoint("Queues", service=ec2.InterfaceVpcEndpointAwsService.SQS)


def vpc_eni_broken(stack: Stack) -> None:
    # A role of one's own: aws-cdk-lib adds the VPC access policy only to a role it makes.
    function(stack, vpc=isolated_vpc(stack), role=lambda_role(stack))


def vpc_eni_kept(stack: Stack) -> None:
    vpc = isolated_vpc(stack)
    function(stack, vpc=vpc)  # aws-cdk-lib's role, with AWSLambdaVPCAccessExecutionRole
    role = lambda_role(stack, "Own")
    role.add_to_policy(iam.PolicyStatement(actions=["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                                                    "ec2:DeleteNetworkInterface"], resources=["*"]))
    function(stack, "Scoped", vpc=vpc, role=role)


# --- Invokers: Cognito triggers, CloudWatch Logs subscriptions, Firehose transformation ------------------------


def cognito_trigger_broken(stack: Stack) -> None:
    cognito.CfnUserPool(stack, "Users", lambda_config=cognito.CfnUserPool.LambdaConfigProperty(
        pre_sign_up=function(stack, "SignUp").function_arn))  # no permission for Cognito


def cognito_trigger_kept(stack: Stack) -> None:
    cognito.UserPool(stack, "Users", lambda_triggers=cognito.UserPoolTriggers(pre_sign_up=function(stack, "SignUp")))


def sender_pool(stack: Stack, key_policy: dict) -> None:
    key = kms.CfnKey(stack, "Codes", enable_key_rotation=True, key_policy=key_policy)
    pool = cognito.CfnUserPool(stack, "Users", lambda_config=cognito.CfnUserPool.LambdaConfigProperty(
        kms_key_id=key.attr_arn, custom_email_sender=cognito.CfnUserPool.CustomEmailSenderProperty(
            lambda_arn=(mail := function(stack, "Mail")).function_arn, lambda_version="V1_0")))
    mail.add_permission("Cognito", principal=iam.ServicePrincipal("cognito-idp.amazonaws.com"),
                        source_arn=pool.attr_arn)


def key_policy(*admin_actions: str) -> dict:
    root = {"AWS": Fn.join("", ["arn:", Aws.PARTITION, ":iam::", Aws.ACCOUNT_ID, ":root"])}
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": root, "Action": list(admin_actions), "Resource": "*"}]}


def cognito_sender_key_broken(stack: Stack) -> None:
    # A hand-written least-privilege key policy: the account may administer the key, not create grants on it.
    sender_pool(stack, key_policy("kms:Describe*", "kms:Enable*", "kms:Put*", "kms:Update*", "kms:Disable*",
                                  "kms:ScheduleKeyDeletion", "kms:Get*", "kms:List*"))


def cognito_sender_key_kept(stack: Stack) -> None:
    sender_pool(stack, key_policy("kms:*"))


def subscription(stack: Stack, name: str, group: logs.ILogGroup, fn: lambda_.IFunction,
                 **options: bool) -> logs.SubscriptionFilter:
    return logs.SubscriptionFilter(stack, name, log_group=group, filter_pattern=logs.FilterPattern.all_events(),
                                   destination=log_destinations.LambdaDestination(fn, **options))


def subscription_permission_broken(stack: Stack) -> None:
    subscription(stack, "Errors", logs.LogGroup(stack, "Orders"), function(stack), add_permissions=False)


def subscriptions_kept(stack: Stack) -> None:
    group = logs.LogGroup(stack, "Orders")
    subscription(stack, "Errors", group, function(stack))
    subscription(stack, "Audit", group, function(stack, "Auditor"))
    # A function that reads another function's logs, and writes its own elsewhere.
    subscription(stack, "Summary", logs.LogGroup(stack, "Worker"), function(stack, "Summarizer", log_group=group))


def subscription_limit_broken(stack: Stack) -> None:
    group = logs.LogGroup(stack, "Orders")
    for name in ("Errors", "Audit", "Archive"):
        subscription(stack, name, group, function(stack, f"{name}Reader"))


def subscription_loop_broken(stack: Stack) -> None:
    group = logs.LogGroup(stack, "Summaries")
    subscription(stack, "Summary", group, function(stack, "Summarizer", log_group=group))


def firehose_stream(stack: Stack, timeout: Duration, on_alias: bool = False) -> None:
    bucket = s3.Bucket(stack, "Clicks", enforce_ssl=True)
    role = iam.Role(stack, "Delivery", assumed_by=iam.ServicePrincipal("firehose.amazonaws.com"))
    bucket.grant_write(role)
    transform = function(stack, "Transform", timeout=timeout)
    processor: lambda_.IFunction = transform
    if on_alias:  # the processor is the alias; the role may invoke the unqualified function only
        processor = lambda_.Alias(stack, "Live", alias_name="live", version=transform.current_version)
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[transform.function_arn]))
    else:
        transform.grant_invoke(role)
    firehose.CfnDeliveryStream(
        stack, "Stream", extended_s3_destination_configuration=firehose.CfnDeliveryStream
        .ExtendedS3DestinationConfigurationProperty(
            bucket_arn=bucket.bucket_arn, role_arn=role.role_arn,
            processing_configuration=firehose.CfnDeliveryStream.ProcessingConfigurationProperty(
                enabled=True, processors=[firehose.CfnDeliveryStream.ProcessorProperty(type="Lambda", parameters=[
                    firehose.CfnDeliveryStream.ProcessorParameterProperty(
                        parameter_name="LambdaArn", parameter_value=processor.function_arn)])])))


def firehose_timeout_broken(stack: Stack) -> None:
    firehose_stream(stack, Duration.minutes(6))


def firehose_timeout_kept(stack: Stack) -> None:
    firehose_stream(stack, Duration.minutes(5))


def firehose_role_broken(stack: Stack) -> None:
    firehose_stream(stack, Duration.minutes(1), on_alias=True)
# --- 2025 controls: SQS provisioned pollers, tenant isolation ------------------------------------------------


def sqs_pollers_broken(stack: Stack) -> None:
    # aws-cdk-lib's SqsEventSource refuses both; its EventSourceMapping takes them.
    lambda_.EventSourceMapping(
        stack, "Orders", target=function(stack), event_source_arn=sqs.Queue(stack, "Queue").queue_arn,
        max_concurrency=5,
        provisioned_poller_config=lambda_.ProvisionedPollerConfig(minimum_pollers=2, maximum_pollers=20))


def sqs_pollers_kept(stack: Stack) -> None:
    function(stack).add_event_source(event_sources.SqsEventSource(
        sqs.Queue(stack, "Queue"),
        provisioned_poller_config=lambda_.ProvisionedPollerConfig(minimum_pollers=2, maximum_pollers=20)))


def tenant_function(stack: Stack) -> lambda_.Function:
    return function(stack, "Tenants", tenancy_config=lambda_.TenancyConfig.PER_TENANT)


def tenant_trigger_broken(stack: Stack) -> None:
    # aws-cdk-lib refuses add_event_source on such a function, not the other triggers.
    events.Rule(stack, "Nightly", schedule=events.Schedule.rate(Duration.days(1)),
                targets=[targets.LambdaFunction(tenant_function(stack))])


def tenant_trigger_kept(stack: Stack) -> None:
    api = rest.RestApi(stack, "Api")
    integration = rest.LambdaIntegration(tenant_function(stack), request_parameters={
        "integration.request.header.X-Amz-Tenant-Id": "method.request.header.x-tenant-id"})
    api.root.add_method("POST", integration, request_parameters={"method.request.header.x-tenant-id": True})
    function(stack).add_event_source(event_sources.SqsEventSource(sqs.Queue(stack, "Jobs")))  # a plain function


# --- what a stack created again meets ------------------------------------------------------------------------


def retained_name_broken(stack: Stack) -> None:
    # aws-cdk-lib's LogGroup is retained by default.
    logs.LogGroup(stack, "Audit", log_group_name="/app/audit")


def retained_name_kept(stack: Stack) -> None:
    logs.LogGroup(stack, "Audit", log_group_name=Fn.join("", [
        "/app/audit-", Fn.select(2, Fn.split("/", stack.stack_id))]))
    logs.LogGroup(stack, "Unnamed")  # CloudFormation names it
    logs.LogGroup(stack, "Temporary", log_group_name="/app/temporary", removal_policy=RemovalPolicy.DESTROY)


# rule id -> (breaking builder, keeping builder, environment)
CASES: dict[str, tuple[Builder, Builder, Environment | None]] = {
    "DR-LAMBDA-URL-PERMISSIONS": (url_permissions_broken, url_permissions_kept, None),
    "DR-LAMBDA-ASYNC-QUALIFIER": (async_qualifier_broken, async_qualifier_kept, None),
    "DR-LAMBDA-UNRESERVED-MINIMUM": (unreserved_broken, unreserved_kept, Environment(account=ACCOUNT,
                                                                                       region="eu-west-1")),
    "DR-LAMBDA-PROVISIONED-LATEST": (provisioned_latest_broken, provisioned_latest_kept, None),
    "DR-LAMBDA-S3-LOOP": (s3_loop_broken, s3_loop_kept, None),
    "DR-DURABLE-QUALIFIED": (durable_qualified_broken, durable_kept, None),
    "DR-DURABLE-SYNCHRONOUS": (durable_event_source_broken, durable_kept, None),
    "DR-DURABLE-CHECKPOINT": (durable_checkpoint_broken, durable_kept, None),
    "DR-LAMBDA-VERSION-LAYERS": (version_layers_broken, version_layers_kept, None),
    "DR-LAMBDA-POLICY-SIZE": (policy_size_broken, policy_size_kept, None),
    "DR-EDGE-VERSION": (edge_version_broken, edge_kept, EDGE),
    "DR-EDGE-REGION": (edge_region_broken, edge_kept, Environment(region="eu-west-1")),
    "DR-EDGE-FEATURES": (edge_features_broken, edge_kept, EDGE),
    "DR-EDGE-LIMITS": (edge_limits_broken, edge_kept, EDGE),
    "DR-EDGE-TRUST": (edge_trust_broken, edge_kept, EDGE),
    "DR-S3-NOTIFY-PERMISSION": (notify_permission_broken, notify_kept, None),
    "DR-S3-NOTIFY-FIFO": (notify_fifo_broken, notify_kept, None),
    "DR-S3-NOTIFY-FILTER": (notify_filter_broken, notify_kept, None),
    "DR-S3-NOTIFY-KEY": (notify_key_broken, notify_kept, None),
    "DR-S3-NOTIFY-OVERLAP": (notify_overlap_broken, notify_kept, None),
    "DR-SNS-CLOUDWATCH": (sns_cloudwatch_broken, sns_kept, None),
    "DR-SNS-EVENTBRIDGE": (sns_eventbridge_broken, sns_kept, None),
    "DR-SNS-KEY": (sns_key_broken, sns_kept, None),
    "DR-SNS-FIFO-PROTOCOL": (sns_fifo_protocol_broken, sns_fifo_protocol_kept, None),
    "DR-LOGS-S3-ACCESS": (s3_access_logs_broken, s3_access_logs_kept, None),
    "DR-LOGS-ELB": (elb_logs_broken, elb_logs_kept, EDGE),
    "DR-LOGS-CLOUDFRONT": (cloudfront_logs_broken, cloudfront_logs_kept, None),
    "DR-APIGW-CORS-ERRORS": (cors_errors_broken, cors_errors_kept, None),
    "DR-CODEDEPLOY-ALARMS": (codedeploy_alarms_broken, codedeploy_kept, None),
    "DR-CODEDEPLOY-HOOK": (codedeploy_hook_broken, codedeploy_kept, None),
    "DR-CFN-QUOTAS": (cfn_quotas_broken, cfn_quotas_kept, None),
    "DR-SFN-LATEST-ALIAS": (sfn_latest_broken, sfn_kept, None),
    "DR-SFN-LOG-DELIVERY": (sfn_log_delivery_broken, sfn_kept, None),
    "DR-EVENTS-ALARM-DIMENSIONS": (events_alarm_broken, events_alarm_kept, None),
    "DR-SCHEDULER-ALARM-DIMENSIONS": (scheduler_alarm_broken, scheduler_alarm_kept, None),
    "DR-VPC-ENDPOINT-DNS": (vpc_endpoint_dns_broken, vpc_endpoint_dns_kept, None),
    "DR-LAMBDA-VPC-ENI": (vpc_eni_broken, vpc_eni_kept, None),
    "DR-COGNITO-TRIGGER-PERMISSION": (cognito_trigger_broken, cognito_trigger_kept, None),
    "DR-COGNITO-SENDER-KEY": (cognito_sender_key_broken, cognito_sender_key_kept, None),
    "DR-LOGS-SUBSCRIPTION-PERMISSION": (subscription_permission_broken, subscriptions_kept, None),
    "DR-LOGS-SUBSCRIPTION-LIMIT": (subscription_limit_broken, subscriptions_kept, None),
    "DR-LOGS-SUBSCRIPTION-LOOP": (subscription_loop_broken, subscriptions_kept, None),
    "DR-FIREHOSE-PROCESSOR-TIMEOUT": (firehose_timeout_broken, firehose_timeout_kept, None),
    "DR-FIREHOSE-PROCESSOR-ROLE": (firehose_role_broken, firehose_timeout_kept, None),
    "DR-SQS-PROVISIONED-POLLERS": (sqs_pollers_broken, sqs_pollers_kept, None),
    "DR-LAMBDA-TENANT-TRIGGER": (tenant_trigger_broken, tenant_trigger_kept, None),
    "DR-RETAINED-NAME": (retained_name_broken, retained_name_kept, None),
    **PIPELINE_CASES,
}


def stack_name(rule_id: str, breaks: bool) -> str:
    """The stack that breaks the rule, or the one that keeps it (shared by the rules of one keeping builder)."""
    if not breaks:
        _, keeps, env = CASES[rule_id]
        rule_id = next(r for r, (_, k, e) in CASES.items() if k is keeps and e is env)
    return ("Breaks" if breaks else "Keeps") + "".join(part.title() for part in rule_id.split("-")[1:])
