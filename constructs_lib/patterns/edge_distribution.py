"""EdgeDistribution: CloudFront over a bucket, with Lambda@Edge handlers and CloudFront Functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk.aws_cloudfront import experimental
from constructs import Construct, IConstruct

from ..core import findings
from ..core.jsii_types import as_interface, cfn_resource
from ..core.profile import is_regulated
from ..core.validation import Checks, seconds_of
from ..function.bundling import code_from_folder
from ..observability import alarms as alarm_kit
from ..resources.buckets import LOGS_KEPT, check_expiration
from ..resources.buckets import log_bucket as log_bucket_of
from ..resources.cdk_handlers import tidy_cdk_handler
from ..resources.log_groups import protect_log_group

EDGE_RUNTIME = lambda_.Runtime.PYTHON_3_13
VIEWER_LIMITS = (5, 128)  # seconds, MB: Lambda@Edge quotas for viewer triggers
ORIGIN_LIMITS = (30, 10240)  # and for origin triggers
MAX_CLOUDFRONT_FUNCTION_BYTES = 10 * 1024
FIVE_XX_PERCENT = 5
# The singleton with which a stack outside us-east-1 reads its edge functions' versions (aws-cdk-lib).
CROSS_REGION_READER = "Custom::CrossRegionStringParameterReaderCustomResourceProvider"

# What Lambda@Edge does not support (CloudFront developer guide, "Restrictions on edge functions").
UNSUPPORTED = {
    "environment": "environment variables: bake configuration into the bundle",
    "vpc": "a VPC",
    "layers": "layers", "powertools": "layers (the Powertools layer included): bundle it via requirements.txt",
    "image": "container images",
    "dead_letter_queue": "dead-letter queues", "on_failure": "asynchronous destinations",
    "on_success": "asynchronous destinations",
    "reserved_concurrency": "reserved concurrency", "provisioned_concurrency": "provisioned concurrency",
    "tracing": "X-Ray active tracing", "filesystem": "EFS file systems", "function_url_auth": "function URLs",
    "ephemeral_storage_size": "more than 512 MB of /tmp",
    "deployment": "CodeDeploy traffic shifting: CloudFront points at one version; a new version rolls out "
                  "with the distribution's update",
}
LAMBDA_TRIGGERS = {
    "viewer_request": cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
    "origin_request": cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST,
    "origin_response": cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE,
    "viewer_response": cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE,
}
FUNCTION_TRIGGERS = {
    "viewer_request": cloudfront.FunctionEventType.VIEWER_REQUEST,
    "viewer_response": cloudfront.FunctionEventType.VIEWER_RESPONSE,
}


class EdgeHandler:
    """A Lambda@Edge function: Python code from ``entry`` (dependencies in requirements.txt are bundled
    for x86_64), run by CloudFront at the edge.

    :param entry: folder with the handler's code.
    :param handler: "module.function" (default "handler.handler").
    :param memory_size: MB; viewer triggers allow 128 only, origin triggers 128-10240 (default 128).
    :param timeout: viewer triggers at most 5 s, origin triggers at most 30 s (default 5 s).
    :param runtime: default Python 3.13.
    :param architecture: must stay x86_64, the only one Lambda@Edge runs.
    :param description: the function's description (default: names the trigger and the distribution).
    :param unsupported: any other ``ServerlessFunction`` option is refused at synth with the reason
        (environment variables, VPC, layers, DLQs, destinations, reserved concurrency, X-Ray, deployment...).
    """

    def __init__(
        self,
        entry: Union[str, Path],
        handler: str = "handler.handler",
        *,
        memory_size: int = 128,
        timeout: Duration = Duration.seconds(5),
        runtime: lambda_.Runtime = EDGE_RUNTIME,
        architecture: lambda_.Architecture = lambda_.Architecture.X86_64,
        description: Optional[str] = None,
        **unsupported: Any,
    ) -> None:
        self.entry = Path(entry)
        self.handler = handler
        self.memory_size = memory_size
        self.timeout = timeout
        self.runtime = runtime
        self.architecture = architecture
        self.description = description
        self.unsupported = unsupported

    def check(self, checks: Checks, trigger: str) -> None:
        """Adds every broken rule to `checks`, props named after `trigger` (e.g. "viewer_request.timeout")."""
        max_seconds, max_mb = VIEWER_LIMITS if trigger.startswith("viewer") else ORIGIN_LIMITS
        limit = f"(Lambda@Edge's limit for {trigger.replace('_', '-')} triggers)"
        checks.within(f"{trigger}.timeout", self.timeout, 1, max_seconds, f"seconds {limit}", seconds_of(self.timeout))
        checks.within(f"{trigger}.memory_size", self.memory_size, 128, max_mb, f"MB {limit}")
        checks.require(
            self.architecture.name == lambda_.Architecture.X86_64.name, f"{trigger}.architecture",
            self.architecture.name, "is not supported: Lambda@Edge runs x86_64 functions only",
        )
        checks.require(self.entry.is_dir(), f"{trigger}.entry", str(self.entry), "must be an existing folder")
        for option in self.unsupported:
            reason = UNSUPPORTED.get(option)
            if reason is None:
                checks.fail(f"{trigger}.{option}", "given", "is not an EdgeHandler option")
            else:
                checks.fail(f"{trigger}.{option}", "given", f"is refused: Lambda@Edge does not support {reason}")


CloudFrontFunctionSource = str


class EdgeDistribution(Construct):
    """A CloudFront distribution over ``origin_bucket``: origin access control (the bucket stays
    private), HTTPS only (HTTP redirects), HTTP/2 and 3, standard logging to a bucket of its own,
    Lambda@Edge handlers on any of the four triggers and CloudFront Functions on the viewer ones.

    Lambda@Edge functions live in us-east-1. In a stack of another region, aws-cdk-lib puts them in
    a stack of their own in us-east-1 (deployed with the app). Versions are what CloudFront runs;
    they are kept (RETAIN) when removed, since CloudFront deletes replicas hours or days later and
    Lambda refuses to delete a replicated function before: delete old versions by hand afterwards.
    Logs of an edge function go to ``/aws/lambda/us-east-1.<name>`` in each region where it ran.

    :param origin_bucket: any ``IBucket`` (encrypted with S3-managed keys, or give its key policy
        to CloudFront yourself).
    :param viewer_request: an ``EdgeHandler`` on the viewer request trigger.
    :param origin_request: an ``EdgeHandler`` on the origin request trigger.
    :param origin_response: an ``EdgeHandler`` on the origin response trigger.
    :param viewer_response: an ``EdgeHandler`` on the viewer response trigger.
    :param viewer_request_function: CloudFront Function JavaScript source (cloudfront-js-2.0, at most
        10 KB), exclusive with a Lambda@Edge handler on the same trigger.
    :param viewer_response_function: the same, on the viewer response trigger.
    :param default_root_object: (default "index.html").
    :param certificate: of a custom domain, in us-east-1 (TLS 1.2+ then).
    :param domain_names: the custom domain names the certificate covers.
    :param web_acl_id: an AWS WAF web ACL (ARN) in front of the distribution (default none).
    :param geo_restriction: (default: served everywhere).
    :param log_bucket: (default: a new versioned bucket that expires logs; CloudFront's standard logs
        need ACLs on it).
    :param log_expiration: how long the created log bucket keeps logs (default 365 days).
    :param alarm_topic: an SNS topic told of the alarms' changes.

    Exposes ``distribution``, ``edge_functions`` and ``cloudfront_functions`` (trigger -> function),
    ``log_bucket``, ``url`` and ``alarms`` (5xx error rate of 5% or more, when the stack is in
    us-east-1, the only region where CloudFront publishes metrics).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        origin_bucket: s3.IBucket,
        viewer_request: Optional[EdgeHandler] = None,
        origin_request: Optional[EdgeHandler] = None,
        origin_response: Optional[EdgeHandler] = None,
        viewer_response: Optional[EdgeHandler] = None,
        viewer_request_function: Optional[CloudFrontFunctionSource] = None,
        viewer_response_function: Optional[CloudFrontFunctionSource] = None,
        default_root_object: str = "index.html",
        certificate: Optional[acm.ICertificate] = None,
        domain_names: Sequence[str] = (),
        web_acl_id: Optional[str] = None,
        geo_restriction: Optional[cloudfront.GeoRestriction] = None,
        log_bucket: Optional[s3.IBucket] = None,
        log_expiration: Duration = LOGS_KEPT,
        alarm_topic: Optional[sns.ITopic] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        handlers = {"viewer_request": viewer_request, "origin_request": origin_request,
                    "origin_response": origin_response, "viewer_response": viewer_response}
        sources = {"viewer_request": viewer_request_function, "viewer_response": viewer_response_function}
        _check(self, handlers, sources, certificate, domain_names, log_expiration)

        self.edge_functions: dict[str, experimental.EdgeFunction] = {}
        edge_lambdas: list[cloudfront.EdgeLambda] = []
        for trigger, edge in handlers.items():
            if edge is None:
                continue
            function = self._edge_function(trigger, edge)
            self.edge_functions[trigger] = function
            edge_lambdas.append(cloudfront.EdgeLambda(
                event_type=LAMBDA_TRIGGERS[trigger], function_version=as_interface(lambda_.IVersion, function)))
        self.cloudfront_functions: dict[str, cloudfront.Function] = {}
        associations: list[cloudfront.FunctionAssociation] = []
        for trigger, source in sources.items():
            if source is None:
                continue
            function = cloudfront.Function(
                self, f"{_camel(trigger)}Function", code=cloudfront.FunctionCode.from_inline(source),
                runtime=cloudfront.FunctionRuntime.JS_2_0, comment=f"{trigger} of {self.node.path}"[:128],
            )
            self.cloudfront_functions[trigger] = function
            associations.append(cloudfront.FunctionAssociation(event_type=FUNCTION_TRIGGERS[trigger], function=function))

        self.log_bucket = log_bucket or log_bucket_of(self, "Logs", expiration=log_expiration, delivery="cloudfront")
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(origin_bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                edge_lambdas=edge_lambdas or None,
                function_associations=associations or None,
            ),
            default_root_object=default_root_object,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True, log_bucket=self.log_bucket, log_file_prefix="cloudfront/",
            certificate=certificate, domain_names=list(domain_names) or None,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None,
            web_acl_id=web_acl_id, geo_restriction=geo_restriction,
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        self._acknowledge(certificate, web_acl_id, geo_restriction)
        reader = Stack.of(self).node.try_find_child(CROSS_REGION_READER)
        if reader is not None:
            tidy_cdk_handler(reader, "reads the edge functions' version ARNs from us-east-1 when the stack is deployed")
        self.alarms: alarm_kit.Alarms = {}
        if Stack.of(self).region == "us-east-1":
            self.alarms["error_rate_5xx"] = alarm_kit.above(
                self, "ErrorRateAlarm",
                cloudwatch.Metric(
                    namespace="AWS/CloudFront", metric_name="5xxErrorRate", statistic="Average",
                    period=alarm_kit.PERIOD,
                    dimensions_map={"DistributionId": self.distribution.distribution_id, "Region": "Global"},
                ),
                FIVE_XX_PERCENT, f"{FIVE_XX_PERCENT}% or more of the answers are 5xx",
            )
        alarm_kit.notify(self.alarms, alarm_topic)
        alarm_kit.warn_if_silent(self)

    def _edge_function(self, trigger: str, edge: EdgeHandler) -> experimental.EdgeFunction:
        function = experimental.EdgeFunction(
            self, f"{_camel(trigger)}Handler",
            code=code_from_folder(edge.entry, lambda_.Architecture.X86_64, edge.runtime, f"{self.node.path}/{trigger}"),
            handler=edge.handler, runtime=edge.runtime, memory_size=edge.memory_size, timeout=edge.timeout,
            description=edge.description or f"{trigger} handler of {self.node.path}",
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.RETAIN),
        )
        function.lambda_.apply_removal_policy(RemovalPolicy.RETAIN)
        findings.acknowledge_edge_function(function.lambda_)
        if is_regulated(self):
            _answer_controls(function.lambda_)
        if isinstance(function.lambda_, lambda_.Function):  # as EdgeFunction makes it
            _keep_us_east_1_logs_a_year(function.lambda_)
        return function

    def _acknowledge(
        self, certificate: Optional[acm.ICertificate], web_acl_id: Optional[str],
        geo_restriction: Optional[cloudfront.GeoRestriction],
    ) -> None:
        if certificate is None:
            reason = (
                "Without a custom domain CloudFront serves its *.cloudfront.net certificate, whose TLS "
                "policy cannot be chosen; give certificate= and domain_names= for TLS 1.2 or newer (SNI)."
            )
            findings.acknowledge(self.distribution, "AwsSolutions-CFR4", reason)
            findings.skip(
                self.distribution, reason, checkov=["CKV_AWS_174"],
                guard=["cloudfront_custom_ssl_certificate_check", "cloudfront_sni_enabled_check",
                       "cloudfront_security_policy_check"],
            )
        if web_acl_id is None:
            reason = ("No AWS WAF web ACL was given (web_acl_id=; a web ACL costs from $5 a month); static "
                      "content from a private bucket.")
            findings.acknowledge(self.distribution, "AwsSolutions-CFR2", reason)
            findings.skip(self.distribution, reason, checkov=["CKV_AWS_68"])
        findings.skip(
            self.distribution,
            "One origin, the bucket: S3 serves it from every Availability Zone of its region; failing over "
            "to a second origin would need a replica bucket in another region.",
            guard=["cloudfront_origin_failover_enabled_check"],
        )
        if geo_restriction is None:
            findings.acknowledge(
                self.distribution, "AwsSolutions-CFR1",
                "Served worldwide unless geo_restriction= says otherwise.",
            )


def _check(
    scope: Construct, handlers: Mapping[str, Optional[EdgeHandler]], sources: Mapping[str, Optional[str]],
    certificate: Optional[acm.ICertificate], domain_names: Sequence[str], log_expiration: Duration,
) -> None:
    checks = Checks(scope, "EdgeDistribution")
    check_expiration(checks, "log_expiration", log_expiration)
    region = Stack.of(scope).region
    edge_count = sum(handler is not None for handler in handlers.values())
    checks.require(
        not edge_count or not Token.is_unresolved(region), "stack region", "unresolved",
        "is needed for Lambda@Edge: give the stack env=Environment(region=...); the edge functions are "
        "put in us-east-1 either way",
    )
    for trigger, handler in handlers.items():
        if handler is not None:
            handler.check(checks, trigger)
    for trigger, source in sources.items():
        if source is None:
            continue
        checks.require(
            handlers[trigger] is None, f"{trigger}_function", "given",
            f"and {trigger}: a trigger takes a Lambda@Edge handler or a CloudFront Function, not both",
        )
        size = len(source.encode())
        checks.require(
            size <= MAX_CLOUDFRONT_FUNCTION_BYTES, f"{trigger}_function", f"of {size} bytes",
            f"exceeds CloudFront Functions' limit of {MAX_CLOUDFRONT_FUNCTION_BYTES} bytes",
        )
        checks.require("function handler(" in source, f"{trigger}_function", "given",
                       "must define 'function handler(event)'")
    checks.require(
        (certificate is None) == (not domain_names), "certificate", "given" if certificate else None,
        "and domain_names go together: a custom domain needs its certificate",
    )
    checks.raise_if_any()


def _camel(trigger: str) -> str:
    return "".join(part.capitalize() for part in trigger.split("_"))


def _answer_controls(function: IConstruct) -> None:
    """The compliance packs' function controls that Lambda@Edge rules out (CloudFront developer guide, Restrictions
    on Lambda@Edge), answered under the regulated profile."""
    findings.acknowledge_control(function, "LambdaInsideVPC", "Lambda@Edge does not support functions in a VPC "
                                 "(CloudFront developer guide, Restrictions on Lambda@Edge).")
    findings.acknowledge_control(function, "LambdaDLQ", "CloudFront invokes Lambda@Edge synchronously: a dead-letter "
                                 "queue would never receive an event.", packs=(findings.HIPAA, findings.NIST))
    findings.acknowledge_control(
        function, "LambdaConcurrency", "Lambda@Edge runs this function in the Regions near viewers, sharing each "
        "Region's account concurrency (Restrictions on Lambda@Edge); the library refuses a reservation for it, as "
        "CloudFront answers a throttled viewer request with an error.", packs=(findings.HIPAA, findings.NIST))


def _keep_us_east_1_logs_a_year(function: lambda_.Function) -> None:
    """The group of invocations in us-east-1 itself, /aws/lambda/<name>, kept one year, whatever the app's
    @aws-cdk/aws-lambda:useCdkManagedLogGroup flag says (with it, aws-cdk-lib makes the group). The logs
    of the other edge regions go to groups Lambda makes there at run time, out of any template's reach."""
    log_group = function.node.try_find_child("LogGroup") or logs.LogGroup(
        function, "LogGroup", log_group_name=f"/aws/lambda/{function.function_name}",
        removal_policy=RemovalPolicy.RETAIN,
    )
    cfn_resource(log_group, logs.CfnLogGroup).retention_in_days = 365
    assert isinstance(log_group, logs.LogGroup)  # made here, or by aws-cdk-lib as a LogGroup
    protect_log_group(log_group, without_key_because="CloudWatch Logs encrypts every log group at rest; this one "
                      "holds the logs of invocations in us-east-1.")
