"""AWS list prices, US East (N. Virginia), each with the page it was read from.

One table: a price changes here and nowhere else. Prices are per ``per`` units of ``unit``; tiered
prices list (from this many units a month on, price) for each tier after the first. ``FREE_TIERS`` are the always-free
monthly allowances, which AWS applies once per account (12-month offers are left out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

REGION = "us-east-1"
RECORDED = "2026-11-24"
HOURS_PER_MONTH = 730  # AWS prices a month as 730 hours
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

LAMBDA = "https://aws.amazon.com/lambda/pricing/"
API_GATEWAY = "https://aws.amazon.com/api-gateway/pricing/"
ELB = "https://aws.amazon.com/elasticloadbalancing/pricing/"
VPC = "https://aws.amazon.com/vpc/pricing/"
PRIVATELINK = "https://aws.amazon.com/privatelink/pricing/"
KMS = "https://aws.amazon.com/kms/pricing/"
CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"
S3 = "https://aws.amazon.com/s3/pricing/"
DYNAMODB_ON_DEMAND = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
DYNAMODB_PROVISIONED = "https://aws.amazon.com/dynamodb/pricing/provisioned/"
SQS = "https://aws.amazon.com/sqs/pricing/"
SNS = "https://aws.amazon.com/sns/pricing/"
KINESIS = "https://aws.amazon.com/kinesis/data-streams/pricing/"
FIREHOSE = "https://aws.amazon.com/firehose/pricing/"
EVENTBRIDGE = "https://aws.amazon.com/eventbridge/pricing/"
CLOUDFRONT = "https://aws.amazon.com/cloudfront/pricing/"
COGNITO = "https://aws.amazon.com/cognito/pricing/"
EFS = "https://aws.amazon.com/efs/pricing/"
BACKUP = "https://aws.amazon.com/backup/pricing/"
XRAY = "https://aws.amazon.com/xray/pricing/"
STEP_FUNCTIONS = "https://aws.amazon.com/step-functions/pricing/"
CODEPIPELINE = "https://aws.amazon.com/codepipeline/pricing/"
CODEBUILD = "https://aws.amazon.com/codebuild/pricing/"
WAF = "https://aws.amazon.com/waf/pricing/"


@dataclass(frozen=True)
class Price:
    usd: float  # per `per` units, in the first tier
    per: int
    unit: str
    source: str
    tiers: tuple[tuple[float, float], ...] = ()  # (from this many units a month on, usd per `per`)

    def cost(self, quantity: float) -> float:
        """What `quantity` units cost in a month, tier by tier."""
        starts = [0.0, *(start for start, _ in self.tiers)]
        rates = [self.usd, *(usd for _, usd in self.tiers)]
        ends = [*starts[1:], math.inf]
        return sum(max(0.0, min(quantity, end) - start) / self.per * rate
                   for start, end, rate in zip(starts, ends, rates))

    def words(self) -> str:
        per = f"{self.per:,} {self.unit}" if self.per != 1 else self.unit
        usd = f"{self.usd:,.10f}".rstrip("0").rstrip(".")
        return f"${usd} per {per}"


M = 1_000_000
TB = 1024  # GB
PRICES: dict[str, Price] = {
    # Lambda: first duration tier (6 billion GB-seconds x86, 7.5 billion arm64 a month).
    "lambda.requests": Price(0.20, M, "requests", LAMBDA),
    "lambda.duration.arm64": Price(0.0000133334, 1, "GB-second", LAMBDA),
    "lambda.duration.x86_64": Price(0.0000166667, 1, "GB-second", LAMBDA),
    "lambda.ephemeral_storage": Price(0.0000000309, 1, "GB-second", LAMBDA),
    "lambda.provisioned.arm64": Price(0.0000033334, 1, "GB-second", LAMBDA),
    "lambda.provisioned.x86_64": Price(0.0000041667, 1, "GB-second", LAMBDA),
    "lambda.provisioned_duration.arm64": Price(0.0000077778, 1, "GB-second", LAMBDA),
    "lambda.provisioned_duration.x86_64": Price(0.0000097222, 1, "GB-second", LAMBDA),
    "lambda.provisioned_requests": Price(0.20, M, "requests", LAMBDA),
    "lambda.snap_start_cache": Price(0.0000015046, 1, "GB-second", LAMBDA),
    "lambda.snap_start_restore": Price(0.0001397998, 1, "GB restored", LAMBDA),
    # Durable functions: each durable operation (step, wait, callback, ...). Their checkpoint data written and
    # retained is billed too, at rates the stored copies of the pricing page did not show: not priced here.
    "lambda.durable_operations": Price(8.00, M, "durable operations", LAMBDA),
    "lambda_edge.requests": Price(0.60, M, "requests", CLOUDFRONT),
    "lambda_edge.duration": Price(0.00005001, 1, "GB-second", CLOUDFRONT),
    "apigateway.http_requests": Price(1.00, M, "requests", API_GATEWAY, ((300 * M, 0.90),)),
    "apigateway.rest_requests": Price(3.50, M, "requests", API_GATEWAY,
                                      ((333 * M, 2.80), (1000 * M, 2.38), (20000 * M, 1.51))),
    "alb.hours": Price(0.0225, 1, "load balancer-hour", ELB),
    "alb.lcu_hours": Price(0.008, 1, "LCU-hour", ELB),
    "vpc.public_ipv4_hours": Price(0.005, 1, "public IPv4 address-hour", VPC),
    "nat.hours": Price(0.045, 1, "NAT gateway-hour", VPC),
    "nat.gb": Price(0.045, 1, "GB processed", VPC),
    "endpoint.interface_hours": Price(0.01, 1, "endpoint-AZ-hour", PRIVATELINK),
    "endpoint.gb": Price(0.01, 1, "GB processed", PRIVATELINK),
    "waf.web_acls": Price(5.00, 1, "web ACL-month", WAF),
    "waf.rules": Price(1.00, 1, "rule-month (a managed rule group is one rule)", WAF),
    "waf.requests": Price(0.60, 1_000_000, "requests", WAF),
    "kms.keys": Price(1.00, 1, "key-month", KMS),
    "kms.requests": Price(0.03, 10_000, "requests", KMS),
    "cloudwatch.alarm_metrics": Price(0.10, 1, "standard-resolution alarm metric-month", CLOUDWATCH),
    "cloudwatch.high_resolution_alarm_metrics": Price(0.30, 1, "high-resolution alarm metric-month", CLOUDWATCH),
    # An alarm on a Metrics Insights query: per metric its query analyses; the free tier's alarm metrics exclude it.
    "cloudwatch.query_alarm_metrics": Price(0.10, 1, "metric-month a Metrics Insights query alarm analyses",
                                            CLOUDWATCH),
    "cloudwatch.composite_alarms": Price(0.50, 1, "composite alarm-month", CLOUDWATCH),
    "cloudwatch.dashboards": Price(3.00, 1, "dashboard-month", CLOUDWATCH),
    "logs.ingested": Price(0.50, 1, "GB ingested", CLOUDWATCH),
    "logs.stored": Price(0.03, 1, "GB-month stored", CLOUDWATCH),
    "s3.stored": Price(0.023, 1, "GB-month (S3 Standard, first 50 TB)", S3),
    "s3.put_requests": Price(0.005, 1000, "PUT, COPY, POST or LIST requests", S3),
    "s3.get_requests": Price(0.0004, 1000, "GET requests", S3),
    "dynamodb.write_request_units": Price(0.625, M, "write request units", DYNAMODB_ON_DEMAND),
    "dynamodb.read_request_units": Price(0.125, M, "read request units", DYNAMODB_ON_DEMAND),
    "dynamodb.stored": Price(0.25, 1, "GB-month stored", DYNAMODB_ON_DEMAND),
    "dynamodb.backup_pitr": Price(0.20, 1, "GB-month of point-in-time recovery", DYNAMODB_ON_DEMAND),
    "dynamodb.wcu_hours": Price(0.00065, 1, "WCU-hour", DYNAMODB_PROVISIONED),
    "dynamodb.rcu_hours": Price(0.00013, 1, "RCU-hour", DYNAMODB_PROVISIONED),
    "sqs.standard_requests": Price(0.40, M, "requests (64 KB chunks)", SQS),
    "sqs.fifo_requests": Price(0.50, M, "FIFO requests (64 KB chunks)", SQS),
    "sns.publishes": Price(0.50, M, "publishes (64 KB chunks)", SNS),
    "sns.email_deliveries": Price(2.00, 100_000, "email notifications", SNS),
    "sns.http_deliveries": Price(0.60, M, "HTTP/S notifications", SNS),
    "kinesis.shard_hours": Price(0.015, 1, "shard-hour", KINESIS),
    "kinesis.put_payload_units": Price(0.014, M, "PUT payload units (25 KB)", KINESIS),
    "kinesis.on_demand_stream_hours": Price(0.04, 1, "on-demand stream-hour", KINESIS),
    "kinesis.on_demand_gb_in": Price(0.08, 1, "GB written (on-demand)", KINESIS),
    "kinesis.on_demand_gb_out": Price(0.04, 1, "GB read (on-demand)", KINESIS),
    # Firehose, Direct PUT: per GB ingested, each record rounded up to 5 KB; tiered at 500 TB and 2 PB a month.
    # Delivering to S3 and invoking a transformation cost nothing more (the function is billed as Lambda).
    "firehose.ingested": Price(0.029, 1, "GB ingested (Direct PUT, records in 5 KB steps)", FIREHOSE,
                               ((500 * TB, 0.025), (2048 * TB, 0.020))),
    "eventbridge.custom_events": Price(1.00, M, "custom events (64 KB chunks)", EVENTBRIDGE),
    "scheduler.invocations": Price(1.00, M, "scheduler invocations", EVENTBRIDGE),
    "cloudfront.requests": Price(0.0100, 10_000, "HTTPS requests (United States, Europe)", CLOUDFRONT),
    "cloudfront.gb_out": Price(0.085, 1, "GB to the internet (United States, Europe, first 10 TB)", CLOUDFRONT),
    "cloudfront.function_invocations": Price(0.10, M, "CloudFront Functions invocations", CLOUDFRONT),
    "cognito.lite_maus": Price(0.0055, 1, "monthly active user (Lite)", COGNITO),
    "cognito.essentials_maus": Price(0.015, 1, "monthly active user (Essentials)", COGNITO),
    "cognito.plus_maus": Price(0.02, 1, "monthly active user (Plus)", COGNITO),
    "efs.stored": Price(0.30, 1, "GB-month (Standard)", EFS),
    "backup.efs_stored": Price(0.05, 1, "GB-month of EFS backup (warm)", BACKUP),
    "xray.traces": Price(5.00, M, "traces recorded", XRAY),
    # Standard workflows: per state transition, retries included. Express: per request, and per GB-second of
    # execution (memory in 64 MB chunks, duration rounded up to 100 ms) in three tiers: the first 1,000 GB-hours,
    # the next 4,000, then the rest.
    "stepfunctions.transitions": Price(0.025, 1000, "state transitions (Standard)", STEP_FUNCTIONS),
    "stepfunctions.express_requests": Price(1.00, M, "requests (Express)", STEP_FUNCTIONS),
    "stepfunctions.express_duration": Price(0.00001667, 1, "GB-second (Express)", STEP_FUNCTIONS,
                                            ((1000 * 3600, 0.00000833), (5000 * 3600, 0.00000456))),
    "pipes.requests": Price(0.40, M, "EventBridge Pipes requests (64 KB chunks)", EVENTBRIDGE),
    # CodePipeline V2: per action execution minute, each action's rounded up; manual approvals and custom actions
    # are free. V1: per active pipeline a month (one with a change run through it, after its first 30 days).
    "codepipeline.v2_action_minutes": Price(0.002, 1, "action execution minute (V2)", CODEPIPELINE),
    "codepipeline.v1_active_pipelines": Price(1.00, 1, "active pipeline a month (V1)", CODEPIPELINE),
    "codebuild.general1_small": Price(0.005, 1, "build minute (on-demand general1.small, Linux)", CODEBUILD),
}


@dataclass(frozen=True)
class FreeTier:
    """An always-free monthly allowance, shared by every resource of an account on these meters
    (the dearest first, as the bill would apply it)."""

    what: str
    meters: tuple[str, ...]
    units: float


FREE_TIERS = (
    FreeTier("Lambda: 1 million requests", ("lambda.requests",), 1_000_000),
    FreeTier("Lambda: 400,000 GB-seconds", ("lambda.duration.x86_64", "lambda.duration.arm64"), 400_000),
    FreeTier("SQS: 1 million requests", ("sqs.fifo_requests", "sqs.standard_requests"), 1_000_000),
    FreeTier("SNS: 1 million publishes", ("sns.publishes",), 1_000_000),
    FreeTier("SNS: 1,000 email notifications", ("sns.email_deliveries",), 1_000),
    FreeTier("KMS: 20,000 requests", ("kms.requests",), 20_000),
    FreeTier("CloudWatch: 10 standard-resolution alarm metrics", ("cloudwatch.alarm_metrics",), 10),
    FreeTier("CloudWatch: 3 dashboards", ("cloudwatch.dashboards",), 3),
    FreeTier("CloudWatch Logs: 5 GB of data", ("logs.ingested", "logs.stored"), 5),
    FreeTier("DynamoDB: 25 GB stored", ("dynamodb.stored",), 25),
    FreeTier("DynamoDB: 25 provisioned WCU", ("dynamodb.wcu_hours",), 25 * HOURS_PER_MONTH),
    FreeTier("DynamoDB: 25 provisioned RCU", ("dynamodb.rcu_hours",), 25 * HOURS_PER_MONTH),
    FreeTier("EventBridge Scheduler: 14 million invocations", ("scheduler.invocations",), 14_000_000),
    FreeTier("CloudFront: 10 million requests", ("cloudfront.requests",), 10_000_000),
    FreeTier("CloudFront: 1 TB out", ("cloudfront.gb_out",), 1024),
    FreeTier("CloudFront Functions: 2 million invocations", ("cloudfront.function_invocations",), 2_000_000),
    FreeTier("Cognito: 10,000 monthly active users (Lite, Essentials)",
             ("cognito.essentials_maus", "cognito.lite_maus"), 10_000),
    FreeTier("X-Ray: 100,000 traces recorded", ("xray.traces",), 100_000),
    FreeTier("Step Functions: 4,000 state transitions", ("stepfunctions.transitions",), 4_000),
    FreeTier("CodePipeline: 100 V2 action execution minutes", ("codepipeline.v2_action_minutes",), 100),
    FreeTier("CodeBuild: 100 build minutes of general1.small", ("codebuild.general1_small",), 100),
)
