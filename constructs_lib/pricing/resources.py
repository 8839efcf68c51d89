"""What each CloudFormation resource type costs: fixed charges (standing still) and usage charges.

A pricer reads one resource (its properties, what the template says about it, the workload given
for it) and returns its lines. A type with no pricer and not known to be free is "not priced".
"""

from __future__ import annotations

import math
from typing import Any, Optional

from ..core.templates import as_list, dig, refs
from .facts import FIXED, USAGE, Line, Pricer, Resource, fixed, usage
from .prices import HOURS_PER_MONTH, SECONDS_PER_MONTH
from .schedules import runs_per_month
from .state_machines import price_pipe, price_state_machine

DEFAULT_DURATION_MS = 100
FREE_EPHEMERAL_MB = 512
XRAY_RESERVOIR_PER_MONTH = SECONDS_PER_MONTH  # the default sampling rule: the first request each second...
XRAY_RATE = 0.05  # ...and 5% of the rest


def _memory_gb(props: dict[str, Any]) -> float:
    memory = props.get("MemorySize", 128)
    return (memory if isinstance(memory, int) else 128) / 1024


def _architecture(props: dict[str, Any]) -> str:
    return (props.get("Architectures") or ["x86_64"])[0]


def price_function(r: Resource) -> list[Line]:
    facts, props = r.template, r.props
    if r.logical_id in facts.deploy_time:
        return [Line(USAGE, None, 0, "runs only while the stack deploys (custom resource or deployment hook)")]
    memory_gb, architecture = _memory_gb(props), _architecture(props)
    requests, told = _requests(r)
    given_duration = r.usage.get("duration_ms", r.defaults.get("duration_ms"))
    duration_ms = DEFAULT_DURATION_MS if given_duration is None else given_duration
    duration_note = "" if given_duration is not None else f", {DEFAULT_DURATION_MS} ms assumed"
    gb_seconds = requests * math.ceil(duration_ms) / 1000 * memory_gb  # billed per started millisecond
    invocations = f"{requests:,.0f} invocations of {duration_ms:g} ms{duration_note} at {memory_gb * 1024:g} MB"
    if r.logical_id in facts.edge:
        return [usage("lambda_edge.requests", requests, f"Lambda@Edge requests ({told})"),
                usage("lambda_edge.duration", gb_seconds, f"Lambda@Edge duration: {invocations}")]
    provisioned = facts.provisioned.get(r.logical_id, 0)
    lines = [
        usage("lambda.provisioned_requests" if provisioned else "lambda.requests", requests, f"requests ({told})"),
        usage(f"lambda.{'provisioned_duration' if provisioned else 'duration'}.{architecture}", gb_seconds,
              f"duration: {invocations}, {architecture}"),
    ]
    ephemeral_mb = dig(props, "EphemeralStorage", "Size", default=FREE_EPHEMERAL_MB)
    if isinstance(ephemeral_mb, int) and ephemeral_mb > FREE_EPHEMERAL_MB:
        extra_gb = (ephemeral_mb - FREE_EPHEMERAL_MB) / 1024
        lines.append(usage("lambda.ephemeral_storage", gb_seconds / memory_gb * extra_gb,
                           f"/tmp above 512 MB ({ephemeral_mb} MB) while running"))
    if dig(props, "SnapStart", "ApplyOn") == "PublishedVersions":
        lines += [fixed("lambda.snap_start_cache", memory_gb * SECONDS_PER_MONTH,
                        "SnapStart cache of one published version, all month"),
                  usage("lambda.snap_start_restore", r.quantity("restores") * memory_gb,
                        f"SnapStart restores ({r.quantity('restores'):,g} a month)")]
    if dig(props, "TracingConfig", "Mode") == "Active":
        lines.append(_traces(r, requests))
    return lines + _durable(r)


def _durable(r: Resource) -> list[Line]:
    """A durable function's operations (its checkpoint data is billed too, at rates not in the table)."""
    if not isinstance(r.props.get("DurableConfig"), dict):
        return []
    operations = r.quantity("durable_operations")
    return [usage("lambda.durable_operations", operations, f"durable operations ({operations:,g} a month)")]


def _requests(r: Resource) -> tuple[float, str]:
    if "requests" in r.usage:
        return r.usage["requests"], f"{r.usage['requests']:,g} a month, from the workload"
    if r.logical_id in r.template.runs:
        runs, schedule = r.template.runs[r.logical_id]
        return runs, f"{runs:,.0f} a month, as {schedule} says"
    if "requests" in r.defaults:
        return r.defaults["requests"], f"{r.defaults['requests']:,g} a month, the workload's default"
    return 0, "no workload given"


def _traces(r: Resource, requests: float) -> Line:
    if "traces" in r.usage or "traces" in r.defaults:
        return usage("xray.traces", r.quantity("traces"), "X-Ray traces, from the workload")
    sampled = min(requests, XRAY_RESERVOIR_PER_MONTH) + XRAY_RATE * max(0.0, requests - XRAY_RESERVOIR_PER_MONTH)
    return usage("xray.traces", sampled, "X-Ray traces: default sampling (1 a second + 5% of the rest), "
                                         "requests spread evenly")


def price_alias(r: Resource) -> list[Line]:
    count = dig(r.props, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")
    if not isinstance(count, int) or count == 0:
        return []
    function = next(iter(sorted(refs(r.props.get("FunctionName")))), "")
    props = r.template.function_props(function)
    memory_gb, architecture = _memory_gb(props), _architecture(props)
    return [fixed(f"lambda.provisioned.{architecture}", count * memory_gb * SECONDS_PER_MONTH,
                  f"provisioned concurrency {count} x {memory_gb * 1024:g} MB, all month")]


def price_http_api(r: Resource) -> Optional[list[Line]]:
    if r.props.get("ProtocolType") != "HTTP":
        return None  # WebSocket APIs are priced per message and connection minute
    return [usage("apigateway.http_requests", r.quantity("requests"), "HTTP API requests (512 KB chunks)")]


def price_rest_api(r: Resource) -> list[Line]:
    return [usage("apigateway.rest_requests", r.quantity("requests"), "REST API requests")]


def price_load_balancer(r: Resource) -> Optional[list[Line]]:
    if r.props.get("Type", "application") != "application":
        return None
    lines = [fixed("alb.hours", HOURS_PER_MONTH, "load balancer hours, all month"),
             usage("alb.lcu_hours", r.quantity("lcus") * HOURS_PER_MONTH,
                   f"capacity units ({r.quantity('lcus'):g} on average)")]
    if r.props.get("Scheme", "internet-facing") == "internet-facing":
        zones = max(2, len(r.props.get("Subnets") or r.props.get("SubnetMappings") or []))
        lines.insert(1, fixed("vpc.public_ipv4_hours", zones * HOURS_PER_MONTH,
                              f"public IPv4 addresses, one per Availability Zone ({zones})"))
    return lines


def price_nat_gateway(r: Resource) -> list[Line]:
    lines = [fixed("nat.hours", HOURS_PER_MONTH, "NAT gateway hours, all month"),
             usage("nat.gb", r.quantity("gb"), "data processed")]
    if r.props.get("ConnectivityType", "public") == "public" and "AllocationId" not in r.props:
        lines.insert(1, fixed("vpc.public_ipv4_hours", HOURS_PER_MONTH, "its public IPv4 address"))
    return lines


def price_elastic_ip(r: Resource) -> list[Line]:
    return [fixed("vpc.public_ipv4_hours", HOURS_PER_MONTH, "public IPv4 address, all month")]


def price_vpc_endpoint(r: Resource) -> list[Line]:
    if r.props.get("VpcEndpointType", "Gateway") != "Interface":
        return [Line(FIXED, None, 0, "gateway endpoints cost nothing")]
    zones = len(r.props.get("SubnetIds") or []) or 1
    return [fixed("endpoint.interface_hours", zones * HOURS_PER_MONTH, f"interface endpoint in {zones} AZs"),
            usage("endpoint.gb", r.quantity("gb"), "data processed")]


def price_key(r: Resource) -> list[Line]:
    rotation = " (rotation adds $1 a month after each of its first two rotations)" if r.props.get(
        "EnableKeyRotation") else ""
    return [fixed("kms.keys", 1, f"customer managed key{rotation}"),
            usage("kms.requests", r.quantity("requests"), "key requests")]


def price_web_acl(r: Resource) -> list[Line]:
    rules = len(as_list(r.props.get("Rules")))
    return [fixed("waf.web_acls", 1, "web ACL"), fixed("waf.rules", rules, f"{rules} rules"),
            usage("waf.requests", r.quantity("requests"), "requests inspected")]


def price_alarm(r: Resource) -> list[Line]:
    metrics = r.props.get("Metrics")
    queried = sum(_query_metrics(dig(m, "Expression")) for m in as_list(metrics))
    if queried:
        return [fixed("cloudwatch.query_alarm_metrics", queried, f"Metrics Insights alarm on {queried} metric"
                      f"{'s' if queried > 1 else ''}")]
    stats = [dig(m, "MetricStat") for m in as_list(metrics) if dig(m, "MetricStat") is not None]
    count = len(stats) if isinstance(metrics, list) else 1
    period = r.props.get("Period") or min((dig(stat, "Period", default=60) for stat in stats), default=60)
    high_resolution = isinstance(period, int) and period < 60
    meter = "cloudwatch.high_resolution_alarm_metrics" if high_resolution else "cloudwatch.alarm_metrics"
    return [fixed(meter, count, f"alarm on {count} metric{'s' if count > 1 else ''}")]


def _query_metrics(expression: Any) -> int:
    """The metrics a Metrics Insights query names (``... WHERE FunctionName = '<Ref>' OR ...``: one per resource it
    names; one when it names none), or 0 for any other expression."""
    parts = as_list(dig(expression, "Fn::Join", default=["", [expression]])[1])
    text = "".join(part for part in parts if isinstance(part, str))
    if "SELECT " not in text or " FROM " not in text:
        return 0
    return max(1, text.count(" = '"))


def price_composite_alarm(r: Resource) -> list[Line]:
    return [fixed("cloudwatch.composite_alarms", 1, "composite alarm")]


def price_dashboard(r: Resource) -> list[Line]:
    return [fixed("cloudwatch.dashboards", 1, "dashboard")]


def price_log_group(r: Resource) -> list[Line]:
    return [usage("logs.ingested", r.quantity("gb_ingested"), "log data ingested"),
            usage("logs.stored", r.quantity("gb_stored"), "log data stored")]


def price_bucket(r: Resource) -> list[Line]:
    return [usage("s3.stored", r.quantity("gb_stored"), "objects stored"),
            usage("s3.put_requests", r.quantity("put_requests"), "PUT, COPY, POST and LIST requests"),
            usage("s3.get_requests", r.quantity("get_requests"), "GET requests")]


def price_table(r: Resource) -> Optional[list[Line]]:
    if len(r.props.get("Replicas") or [None]) > 1:
        return None  # replicated writes are priced per replica region
    lines: list[Line] = []
    billing = r.props.get("BillingMode") or ("PROVISIONED" if "ProvisionedThroughput" in r.props else "PAY_PER_REQUEST")
    if billing == "PROVISIONED":
        throughput = r.props.get("ProvisionedThroughput")
        wcu = dig(throughput, "WriteCapacityUnits", default=0)
        rcu = dig(throughput, "ReadCapacityUnits", default=0)
        if not isinstance(wcu, int) or not isinstance(rcu, int):
            return None
        lines += [fixed("dynamodb.wcu_hours", wcu * HOURS_PER_MONTH, f"{wcu} provisioned write capacity units"),
                  fixed("dynamodb.rcu_hours", rcu * HOURS_PER_MONTH, f"{rcu} provisioned read capacity units")]
    else:
        lines += [usage("dynamodb.write_request_units", r.quantity("writes"), "on-demand writes"),
                  usage("dynamodb.read_request_units", r.quantity("reads"), "on-demand reads")]
    stored = r.quantity("gb_stored")
    lines.append(usage("dynamodb.stored", stored, "table storage"))
    if _point_in_time_recovery(r.props):
        lines.append(usage("dynamodb.backup_pitr", stored, "point-in-time recovery of the table's data"))
    return lines


def _point_in_time_recovery(props: dict[str, Any]) -> bool:
    specs = [props, *as_list(props.get("Replicas"))]
    return any(dig(spec, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled") for spec in specs)


def price_queue(r: Resource) -> list[Line]:
    fifo = bool(r.props.get("FifoQueue"))
    return [usage("sqs.fifo_requests" if fifo else "sqs.standard_requests", r.quantity("requests"),
                  "send, receive and delete requests")]


def price_topic(r: Resource) -> Optional[list[Line]]:
    if r.props.get("FifoTopic"):
        return None  # FIFO topics are priced by publish and payload size
    return [usage("sns.publishes", r.quantity("publishes"), "publishes")]


def price_subscription(r: Resource) -> Optional[list[Line]]:
    protocol = r.props.get("Protocol")
    if protocol in ("sqs", "lambda", "firehose"):
        return [Line(USAGE, None, 0, f"deliveries to {protocol} cost nothing")]
    meters = {"email": "sns.email_deliveries", "email-json": "sns.email_deliveries",
              "http": "sns.http_deliveries", "https": "sns.http_deliveries"}
    if protocol not in meters:
        return None  # SMS and mobile push are priced per country and platform
    return [usage(meters[protocol], r.quantity("deliveries"), f"{protocol} notifications")]


def price_stream(r: Resource) -> Optional[list[Line]]:
    if dig(r.props, "StreamModeDetails", "StreamMode") == "ON_DEMAND":
        return [fixed("kinesis.on_demand_stream_hours", HOURS_PER_MONTH, "on-demand stream hours, all month"),
                usage("kinesis.on_demand_gb_in", r.quantity("gb_in"), "data written"),
                usage("kinesis.on_demand_gb_out", r.quantity("gb_out"), "data read")]
    shards = r.props.get("ShardCount", 1)
    if not isinstance(shards, int):
        return None
    return [fixed("kinesis.shard_hours", shards * HOURS_PER_MONTH, f"{shards} provisioned shard(s), all month"),
            usage("kinesis.put_payload_units", r.quantity("records"), "PUT payload units")]


def price_delivery_stream(r: Resource) -> Optional[list[Line]]:
    if r.props.get("DeliveryStreamType", "DirectPut") != "DirectPut":
        return None  # streams read from Kinesis or MSK are priced per GB read, not ingested
    extras = ("DataFormatConversionConfiguration", "DynamicPartitioningConfiguration", "VpcConfiguration")
    if any(dig(config, extra) for key, config in r.props.items() if key.endswith("DestinationConfiguration")
           for extra in extras):
        return None  # format conversion, dynamic partitioning and VPC delivery have prices of their own
    return [usage("firehose.ingested", r.quantity("gb_in"), "data ingested (each record rounded up to 5 KB)")]


def price_event_bus(r: Resource) -> list[Line]:
    return [usage("eventbridge.custom_events", r.quantity("events"), "custom events")]


def price_schedule(r: Resource) -> list[Line]:
    expression = r.props.get("ScheduleExpression", "")
    runs = r.usage.get("requests", runs_per_month(expression) if isinstance(expression, str) else None) or 0
    return [usage("scheduler.invocations", runs, f"invocations ({expression or 'from the workload'})")]


def price_distribution(r: Resource) -> list[Line]:
    return [usage("cloudfront.requests", r.quantity("requests"), "HTTPS requests"),
            usage("cloudfront.gb_out", r.quantity("gb_out"), "data to viewers")]


def price_cloudfront_function(r: Resource) -> list[Line]:
    return [usage("cloudfront.function_invocations", r.quantity("requests"), "function invocations")]


def price_pipeline(r: Resource) -> list[Line]:
    if r.props.get("PipelineType") == "V2":
        return [usage("codepipeline.v2_action_minutes", r.quantity("action_minutes"), "action execution minutes")]
    return [fixed("codepipeline.v1_active_pipelines", 1, "a V1 pipeline, active")]


def price_build_project(r: Resource) -> Optional[list[Line]]:
    kind = (dig(r.props, "Environment", "ComputeType"), dig(r.props, "Environment", "Type"))
    if kind != ("BUILD_GENERAL1_SMALL", "LINUX_CONTAINER"):
        return None  # other compute types and platforms are priced per their own minute
    return [usage("codebuild.general1_small", r.quantity("build_minutes"), "build minutes")]


def price_user_pool(r: Resource) -> list[Line]:
    tier = str(r.props.get("UserPoolTier") or "ESSENTIALS").lower()
    return [usage(f"cognito.{tier}_maus", r.quantity("maus"), f"monthly active users ({tier.title()})")]


def price_file_system(r: Resource) -> list[Line]:
    stored = r.quantity("gb_stored")
    lines = [usage("efs.stored", stored, "data stored (Standard)")]
    if dig(r.props, "BackupPolicy", "Status") == "ENABLED":
        lines.append(usage("backup.efs_stored", stored, "automatic backups (AWS Backup, warm)"))
    return lines


PRICERS: dict[str, Pricer] = {
    "AWS::Lambda::Function": price_function,
    "AWS::Lambda::Alias": price_alias,
    "AWS::ApiGatewayV2::Api": price_http_api,
    "AWS::ApiGateway::RestApi": price_rest_api,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": price_load_balancer,
    "AWS::EC2::NatGateway": price_nat_gateway,
    "AWS::EC2::EIP": price_elastic_ip,
    "AWS::EC2::VPCEndpoint": price_vpc_endpoint,
    "AWS::KMS::Key": price_key,
    "AWS::WAFv2::WebACL": price_web_acl,
    "AWS::CloudWatch::Alarm": price_alarm,
    "AWS::CloudWatch::CompositeAlarm": price_composite_alarm,
    "AWS::CloudWatch::Dashboard": price_dashboard,
    "AWS::Logs::LogGroup": price_log_group,
    "AWS::S3::Bucket": price_bucket,
    "AWS::DynamoDB::Table": price_table,
    "AWS::DynamoDB::GlobalTable": price_table,
    "AWS::SQS::Queue": price_queue,
    "AWS::SNS::Topic": price_topic,
    "AWS::SNS::Subscription": price_subscription,
    "AWS::Kinesis::Stream": price_stream,
    "AWS::KinesisFirehose::DeliveryStream": price_delivery_stream,
    "AWS::Events::EventBus": price_event_bus,
    "AWS::Scheduler::Schedule": price_schedule,
    "AWS::CloudFront::Distribution": price_distribution,
    "AWS::CloudFront::Function": price_cloudfront_function,
    "AWS::Cognito::UserPool": price_user_pool,
    "AWS::EFS::FileSystem": price_file_system,
    "AWS::StepFunctions::StateMachine": price_state_machine,
    "AWS::Pipes::Pipe": price_pipe,
    "AWS::CodePipeline::Pipeline": price_pipeline,
    "AWS::CodeBuild::Project": price_build_project,
}

# Types that cost nothing by themselves (what they carry is priced where it is stored or run).
NO_CHARGE = frozenset({
    "AWS::CDK::Metadata", "AWS::CloudFormation::CustomResource",
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::InstanceProfile",
    "AWS::Lambda::Version", "AWS::Lambda::Permission", "AWS::Lambda::Url", "AWS::Lambda::LayerVersion",
    "AWS::Lambda::LayerVersionPermission", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::EventSourceMapping",
    "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer", "AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping",
    "AWS::ApiGateway::Account", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping", "AWS::ApiGateway::BasePathMappingV2",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate", "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::NetworkAcl", "AWS::EC2::NetworkAclEntry", "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::FlowLog",  # its records are priced as the log group's ingestion
    "AWS::KMS::Alias", "AWS::Logs::ResourcePolicy", "AWS::Logs::SubscriptionFilter", "AWS::Logs::LogStream",
    "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy",
    "AWS::Events::Rule",  # schedules and AWS service events cost nothing; custom events are priced on the bus
    "AWS::Scheduler::ScheduleGroup",
    "AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::CachePolicy", "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudFront::OriginRequestPolicy",
    "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolGroup",
    "AWS::EFS::AccessPoint", "AWS::EFS::MountTarget",
    "AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup",  # free for Lambda
    "AWS::CodeDeploy::DeploymentConfig",
    "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CertificateManager::Certificate",  # public certificates
    "AWS::SSM::Parameter",  # standard parameters
    "AWS::Backup::BackupVault", "AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection",
    "AWS::WAFv2::WebACLAssociation",  # the web ACL it names is billed where it is defined
    "AWS::WAFv2::LoggingConfiguration",  # its logs are priced as the log group's ingestion
})


def is_free(resource_type: str) -> bool:
    return resource_type in NO_CHARGE or resource_type.startswith("Custom::")
