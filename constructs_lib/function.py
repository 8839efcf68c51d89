"""ServerlessFunction: the one place where every function default of the library lives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union, cast

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from . import alarms as alarm_kit
from . import findings
from .bundling import MAX_UNZIPPED_BYTES, folder_code
from .deployment import Deployment, SafeDeployment
from .destinations import DestinationTarget, as_destination
from .jsii_types import as_interface, cfn_resource
from .options import FUNCTION_OPTION_TYPES, check_types
from .network import eni_statements, network_interfaces_arn, security_groups_arn, subnet_arn
from .layers import DependencyLayer
from .powertools import (
    DEFAULT_POWERTOOLS_LAYER_VERSION, PowertoolsVersion, powertools_layer, publisher_account, version_problem,
)
from .runtimes import DEFAULT_RUNTIME
from .scaling import ProvisionedConcurrencyScaling
from .validation import Checks, ConfigurationError, is_unresolved, mebibytes_of, seconds_of

MAX_ENVIRONMENT_BYTES = 4 * 1024
ENVIRONMENT_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
# Set by the Lambda runtime; a function may not define them (AWS Lambda developer guide).
RESERVED_ENVIRONMENT = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
MAX_LAYERS = 5
URL_AUTH_TYPES = {"AWS_IAM": lambda_.FunctionUrlAuthType.AWS_IAM, "NONE": lambda_.FunctionUrlAuthType.NONE}
ALIAS_NAME = "live"
DEFAULT_TIMEOUT = Duration.seconds(10)


class ServerlessFunction(Construct):
    """A Lambda function with the library's secure, observable defaults.

    Defaults: its own execution role (logs to its own log group only), a JSON-format log group kept
    one year, X-Ray active tracing, arm64, the newest Python runtime, 256 MB, 10 s, recursive-loop
    detection on Terminate, asynchronous invocations retried twice for at most 6 hours (on the alias
    too, when there is one: triggers invoke the alias).

    Every prop is checked at synth time (unresolved tokens excepted); all broken rules are reported
    together in one ``ConfigurationError``.

    :param entry: folder with the handler code and an optional requirements.txt, whose packages are
        installed for Lambda's platform and the function's architecture without Docker.
        Exclusive with ``image``.
    :param handler: "module.function" inside ``entry`` (default "handler.handler").
    :param image: container image code (``lambda_.Code.from_ecr_image(...)``) instead of ``entry``.
    :param runtime: default Python 3.14, the newest that aws-cdk-lib offers.
    :param architecture: default arm64 (Graviton: about 20% cheaper per GB-second).
    :param memory_size: MB, 128-10240 (default 256).
    :param timeout: 1 s-900 s (default 10 s; Lambda's own 3 s default is too short for most work).
    :param environment: variables; keys plus values at most 4 KB in total.
    :param environment_key: a customer-managed KMS key for the variables (default: AWS managed key).
    :param ephemeral_storage_size: /tmp size, 512-10240 MB (default 512 MB).
    :param reserved_concurrency: executions reserved for (and capping) this function (default none).
    :param provisioned_concurrency: pre-initialised environments on the alias (``deployment``'s, or
        "live", created for it); at most ``reserved_concurrency`` when both are set.
    :param provisioned_concurrency_scaling: Application Auto Scaling of that provisioned concurrency
        (``ProvisionedConcurrencyScaling(min_capacity, max_capacity, target_utilization=0.7)``).
    :param tracing: X-Ray mode (default ACTIVE).
    :param log_retention: default one year (what the Control Tower controls ask of log groups).
    :param log_encryption_key: a customer managed KMS key for the log group (default: CloudWatch Logs'
        own encryption); a key defined in the app is given the policy CloudWatch Logs needs.
    :param log_removal_policy: what happens to the log group when the function is deleted
        (default RETAIN: logs outlive the function, for investigations).
    :param layers: at most 5 layers in all, the Powertools layer included.
    :param powertools: add the public Powertools for AWS Lambda (Python) layer for the stack's region,
        the runtime and the architecture (default False).
    :param powertools_layer_version: which layer: an int pins that layer version (default 27: the same
        layer on every deploy, upgraded when you choose); "latest" or a release such as "3.23.0" is read
        at every deploy from the SSM parameter Powertools publishes (fresh fixes without a code change;
        commercial regions only, see powertools.SSM_PARAMETER_REGIONS).
    :param retry_attempts: asynchronous retries, 0-2 (default 2).
    :param max_event_age: how long an asynchronous event may wait, 60 s-6 h (default 6 h).
    :param on_success: destination of successful asynchronous invocations: an SQS queue, SNS topic,
        Lambda function or EventBridge bus.
    :param on_failure: destination of asynchronous invocations that failed every retry (same kinds).
    :param dead_letter_queue: an SQS queue that receives failed asynchronous events (may be used with
        ``on_failure``; destinations carry more context).
    :param function_url_auth: "AWS_IAM" or "NONE" to add a function URL; absent means no URL.
        "NONE" makes the function public on the internet and is refused unless
        ``allow_public_function_url=True`` is given as well.
    :param allow_public_function_url: the explicit opt-in for ``function_url_auth="NONE"``.
    :param function_url_cors: CORS settings of the function URL.
    :param function_url_invokers: principals (e.g. another account's role) allowed to call the
        ``AWS_IAM`` URL: each gets both ``lambda:InvokeFunctionUrl`` and ``lambda:InvokeFunction``
        (through the URL only), the pair that URLs created since October 2025 require.
    :param vpc: place the function in this VPC (its private subnets unless ``vpc_subnets`` says otherwise).
    :param vpc_subnets: subnets in ``vpc``.
    :param security_groups: security groups in ``vpc`` (default: one created by CDK).
    :param filesystem: an EFS access point mounted under /mnt (``lambda_.FileSystem.from_efs_access_point``);
        needs ``vpc``.
    :param snap_start: Lambda SnapStart (default False): each published version is initialized once and
        snapshotted, and new execution environments resume from the snapshot instead of importing and
        initializing again. Versions are published and triggers invoke an alias, as with ``deployment``.
        For Python it is billed: the cached snapshot per GB-second (at least 3 hours a version) and each
        restore per GB. Python 3.12 or newer; not with provisioned concurrency, EFS, more than 512 MB of /tmp
        or a container image (AWS's rules).
    :param deployment: safe deployment with CodeDeploy (``Deployment.canary(...)``, ``.linear(...)``,
        ``.all_at_once()``): every code or configuration change publishes a version, and CodeDeploy
        shifts the alias to it, rolling back on alarms. Triggers and the URL then use the alias.
    :param create_alarms: create the default alarms (default True): errors, throttles, destination
        delivery failures (with destinations), dead-letter and failure queues not empty; with a
        deployment, the alias's errors and throttles and the new version's errors too.
    :param alarm_topic: an SNS topic told of every alarm's changes to ALARM and back to OK.
    :param description: the function's description.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        entry: Optional[Union[str, Path]] = None,
        handler: str = "handler.handler",
        image: Optional[lambda_.EcrImageCode] = None,
        runtime: lambda_.Runtime = DEFAULT_RUNTIME,
        architecture: lambda_.Architecture = lambda_.Architecture.ARM_64,
        memory_size: int = 256,
        timeout: Duration = DEFAULT_TIMEOUT,
        environment: Optional[Mapping[str, str]] = None,
        environment_key: Optional[kms.IKey] = None,
        ephemeral_storage_size: Optional[Size] = None,
        reserved_concurrency: Optional[int] = None,
        provisioned_concurrency: Optional[int] = None,
        tracing: lambda_.Tracing = lambda_.Tracing.ACTIVE,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        log_removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        log_encryption_key: Optional[kms.IKey] = None,
        layers: Sequence[lambda_.ILayerVersion] = (),
        powertools: bool = False,
        powertools_layer_version: PowertoolsVersion = DEFAULT_POWERTOOLS_LAYER_VERSION,
        retry_attempts: int = 2,
        max_event_age: Duration = Duration.hours(6),
        on_success: Optional[DestinationTarget] = None,
        on_failure: Optional[DestinationTarget] = None,
        dead_letter_queue: Optional[sqs.IQueue] = None,
        function_url_auth: Optional[str] = None,
        allow_public_function_url: bool = False,
        function_url_cors: Optional[lambda_.FunctionUrlCorsOptions] = None,
        function_url_invokers: Sequence[iam.IPrincipal] = (),
        vpc: Optional[ec2.IVpc] = None,
        vpc_subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        filesystem: Optional[lambda_.FileSystem] = None,
        deployment: Optional[Deployment] = None,
        snap_start: bool = False,
        provisioned_concurrency_scaling: Optional[ProvisionedConcurrencyScaling] = None,
        create_alarms: bool = True,
        alarm_topic: Optional[sns.ITopic] = None,
        description: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        checks = Checks(self, "ServerlessFunction")
        # Types first: a range check of a value of the wrong type would fail inside the library.
        given = locals()
        check_types(checks, {name: given[name] for name in FUNCTION_OPTION_TYPES}, FUNCTION_OPTION_TYPES)
        checks.raise_if_any()
        environment = dict(environment or {})
        entry_path = Path(entry) if entry is not None else None

        _check_code(checks, entry_path, handler, image, layers, powertools)
        checks.within("memory_size", memory_size, 128, 10240, "MB")
        checks.within("timeout", timeout, 1, 900, "seconds", seconds_of(timeout))
        for prop, duration in (("timeout", timeout), ("max_event_age", max_event_age)):
            seconds = seconds_of(duration)
            checks.require(seconds is None or seconds.is_integer(), prop, duration, "must be whole seconds")
        checks.within(
            "ephemeral_storage_size", ephemeral_storage_size, 512, 10240, "MB",
            mebibytes_of(ephemeral_storage_size),
        )
        _check_environment(checks, environment)
        checks.within("retry_attempts", retry_attempts, 0, 2)
        checks.within("max_event_age", max_event_age, 60, 6 * 3600, "seconds", seconds_of(max_event_age))
        layer_count = len(layers) + (1 if powertools else 0)
        checks.require(
            layer_count <= MAX_LAYERS, "layers", f"{layer_count} layers",
            f"exceed Lambda's limit of {MAX_LAYERS} layers per function (the Powertools layer counts)",
        )
        _check_dependency_layers(checks, layers, architecture, runtime)
        _check_concurrency(checks, reserved_concurrency, provisioned_concurrency)
        region = Stack.of(self).region
        if powertools and not is_unresolved(region):
            checks.require(
                publisher_account(region) is not None, "powertools", True,
                f"is not available in {region}: Powertools publishes its layer in the commercial regions, "
                "cn-north-1 and the GovCloud (US) regions; list aws-lambda-powertools in requirements.txt instead",
            )
        _check_powertools_version(checks, powertools, powertools_layer_version, region)
        destinations: dict[str, Optional[lambda_.IDestination]] = {}
        for prop, target in (("on_success", on_success), ("on_failure", on_failure)):
            if target is not None:
                destinations[prop] = as_destination(target)
                checks.require(
                    destinations[prop] is not None, prop, type(target).__name__,
                    "must be an SQS queue, SNS topic, Lambda function or EventBridge bus",
                )
        _check_url(checks, function_url_auth, allow_public_function_url, function_url_cors)
        checks.require(
            not function_url_invokers or function_url_auth == "AWS_IAM", "function_url_invokers",
            f"{len(function_url_invokers)} principals", "need function_url_auth='AWS_IAM'",
        )
        checks.require(filesystem is None or vpc is not None, "filesystem", "given", "needs vpc: EFS is reached in a VPC")
        if deployment is not None:
            deployment.check(checks)
        if provisioned_concurrency_scaling is not None:
            provisioned_concurrency_scaling.check(checks, provisioned_concurrency)
        if snap_start:
            _check_snap_start(
                checks, runtime, image, provisioned_concurrency, filesystem, ephemeral_storage_size, region
            )
        checks.raise_if_any()

        self.log_group = logs.LogGroup(
            self, "LogGroup", retention=log_retention, removal_policy=log_removal_policy,
            encryption_key=log_encryption_key,
        )
        if isinstance(log_encryption_key, kms.Key):
            _let_logs_use(log_encryption_key)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=as_interface(iam.IPrincipal, iam.ServicePrincipal("lambda.amazonaws.com")),
            description=f"Execution role of {self.node.path}",
        )
        # Least privilege: write to this function's own log group and nowhere else.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )

        all_layers = list(layers)
        if powertools:
            all_layers.append(
                powertools_layer(self, "PowertoolsLayer", architecture, runtime, powertools_layer_version)
            )
        package = None
        if image is not None:
            code, handler, runtime = image, lambda_.Handler.FROM_IMAGE, lambda_.Runtime.FROM_IMAGE
        else:
            assert entry_path is not None
            package = folder_code(entry_path, architecture, runtime, self.node.path)
            code = package.code

        self.function = lambda_.Function(
            self,
            "Function",
            code=code,
            handler=handler,
            runtime=runtime,
            architecture=architecture,
            role=as_interface(iam.IRole, self.role),
            memory_size=memory_size,
            timeout=timeout,
            environment=environment or None,
            environment_encryption=environment_key,
            ephemeral_storage_size=ephemeral_storage_size,
            reserved_concurrent_executions=reserved_concurrency,
            tracing=tracing,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            recursive_loop=lambda_.RecursiveLoop.TERMINATE,
            layers=all_layers or None,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            retry_attempts=retry_attempts,
            max_event_age=max_event_age,
            on_success=destinations.get("on_success"),
            on_failure=destinations.get("on_failure"),
            dead_letter_queue=dead_letter_queue,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            filesystem=filesystem,
            description=description,
        )
        if package is not None:
            _check_unzipped_size(self.node.path, package.unzipped_bytes, layers)
        if vpc is not None:
            # What AWSLambdaVPCAccessExecutionRole grants, scoped to this function's subnets, minus its logs:*.
            for statement in eni_statements(self, self._subnet_ids()):
                self.role.add_to_policy(statement)
        self._acknowledge_findings(tracing, vpc, has_failure_destination=on_failure is not None)
        self._acknowledge_encrypted_destinations([on_success, on_failure, dead_letter_queue])
        self._skip_findings(
            vpc=vpc, reserved_concurrency=reserved_concurrency, environment=environment,
            environment_key=environment_key, log_encryption_key=log_encryption_key,
            has_failure_target=on_failure is not None or dead_letter_queue is not None,
        )

        self.alias: Optional[lambda_.Alias] = None
        if provisioned_concurrency or deployment is not None or snap_start:
            # current_version changes whenever code or configuration does: a new version, never a collision.
            # Triggers invoke the alias: its asynchronous settings are its own (a qualifier's configuration
            # does not apply to another), so it gets the same ones as $LATEST.
            self.alias = lambda_.Alias(
                self,
                "Alias",
                alias_name=deployment.alias_name if deployment else ALIAS_NAME,
                version=as_interface(lambda_.IVersion, self.function.current_version),
                provisioned_concurrent_executions=provisioned_concurrency,
                retry_attempts=retry_attempts,
                max_event_age=max_event_age,
                on_success=destinations.get("on_success"),
                on_failure=destinations.get("on_failure"),
            )
            if provisioned_concurrency_scaling is not None:
                provisioned_concurrency_scaling.apply(self.alias)
        self.deployment: Optional[SafeDeployment] = None
        if deployment is not None:
            assert self.alias is not None  # made above for every deployment
            self.deployment = SafeDeployment(self, "Deployment", target=self, alias=self.alias, deployment=deployment)

        self.alarms: alarm_kit.Alarms = {}
        if create_alarms:
            self.alarms = self._default_alarms(on_success, on_failure, dead_letter_queue)
        if self.deployment is not None:  # they decide rollbacks, so they always exist
            self.alarms.update(self.deployment.alarms)
        alarm_kit.notify(self.alarms, alarm_topic)

        alarm_kit.warn_if_silent(self)

        self.url: Optional[lambda_.FunctionUrl] = None
        if function_url_auth is not None:
            self.url = self._add_url(URL_AUTH_TYPES[function_url_auth], function_url_cors, function_url_invokers)

    def _add_url(
        self, auth_type: lambda_.FunctionUrlAuthType, cors: Optional[lambda_.FunctionUrlCorsOptions],
        invokers: Sequence[iam.IPrincipal],
    ) -> lambda_.FunctionUrl:
        """The URL on the alias when there is one. Since October 2025 a URL needs lambda:InvokeFunctionUrl
        and lambda:InvokeFunction (through the URL only) for each caller: granted here for each invoker,
        and by aws-cdk-lib for the public (NONE)."""
        target = self.invoke_target
        url = target.add_function_url(auth_type=auth_type, cors=cors)
        for index, principal in enumerate(invokers):
            target.add_permission(
                f"UrlInvoker{index}", principal=principal, action="lambda:InvokeFunctionUrl",
                function_url_auth_type=lambda_.FunctionUrlAuthType.AWS_IAM,
            )
            target.add_permission(
                f"UrlInvoker{index}Invoke", principal=principal, action="lambda:InvokeFunction",
                invoked_via_function_url=True,
            )
        if auth_type == lambda_.FunctionUrlAuthType.NONE:
            public = ("A public function URL, asked for with function_url_auth='NONE' and "
                      "allow_public_function_url=True: anyone on the internet may call it.")
            findings.skip(url, public, checkov=["CKV_AWS_258"], guard=["lambda_function_url_auth_check"])
            for permission in _permissions_of(target):
                findings.skip(permission, public, guard=["lambda_function_public_access_prohibited_check"])
        return url

    def _default_alarms(
        self, on_success: Any, on_failure: Any, dead_letter_queue: Optional[sqs.IQueue]
    ) -> alarm_kit.Alarms:
        period = alarm_kit.PERIOD
        found = {
            "errors": alarm_kit.any_of(self, "ErrorsAlarm", self.function.metric_errors(period=period), "Function errors"),
            "throttles": alarm_kit.any_of(
                self, "ThrottlesAlarm", self.function.metric_throttles(period=period), "Function throttles"
            ),
        }
        if on_success is not None or on_failure is not None:
            deliveries = self.function.metric("DestinationDeliveryFailures", period=period, statistic="Sum")
            found["destination_delivery_failures"] = alarm_kit.any_of(
                self, "DestinationDeliveryFailuresAlarm", deliveries, "Asynchronous results not delivered"
            )
        if hasattr(on_failure, "queue_arn"):
            found["failure_queue_not_empty"] = alarm_kit.queue_not_empty(
                self, "FailureQueueAlarm", as_interface(sqs.IQueue, on_failure),
                "Asynchronous events failed every retry",
            )
        if dead_letter_queue is not None:
            found["dead_letter_queue_not_empty"] = alarm_kit.queue_not_empty(
                self, "DeadLetterQueueAlarm", dead_letter_queue, "Asynchronous events in the dead-letter queue"
            )
        return found

    @property
    def invoke_target(self) -> lambda_.IFunction:
        """What triggers should invoke: the alias when there is one, else the function."""
        return as_interface(lambda_.IFunction, self.alias or self.function)

    def _acknowledge_findings(
        self, tracing: lambda_.Tracing, vpc: Optional[ec2.IVpc], has_failure_destination: bool
    ) -> None:
        if has_failure_destination:
            findings.acknowledge(
                self.function,
                "Serverless-LambdaDLQ",
                "Failed asynchronous events go to the on_failure destination, which records the "
                "error and the request as well as the event: what a dead-letter queue would keep, and more.",
            )
        wildcard_reasons: list[str] = []
        if tracing != lambda_.Tracing.DISABLED:
            wildcard_reasons.append("X-Ray's PutTraceSegments and PutTelemetryRecords")
        if vpc is not None:
            wildcard_reasons.append("EC2's DescribeNetworkInterfaces and DescribeSubnets")
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is None:
            return
        if wildcard_reasons:
            findings.acknowledge(
                policy,
                "AwsSolutions-IAM5[Resource::*]",
                f"Only {' and '.join(wildcard_reasons)} are allowed on '*': "
                "these actions support no resource-level permissions.",
            )
        if vpc is not None:
            self._acknowledge_network_interfaces(policy)

    def _acknowledge_network_interfaces(self, policy: IConstruct) -> None:
        stack = Stack.of(self)
        reasons = {
            network_interfaces_arn(stack): "Network interfaces of this account and region only: Lambda creates "
                                           "them for the function, so their IDs are not known before.",
            security_groups_arn(stack): "CreateNetworkInterface must be allowed on every security group the "
                                        "function uses; they may change after synthesis, and a shared VPC's "
                                        "groups belong to its owner account.",
        }
        for subnet_id in self._subnet_ids():
            reasons[subnet_arn(stack, subnet_id)] = (
                "One subnet of the function, in whatever account owns it: a shared VPC's subnets belong to "
                "its owner account; subnet IDs are unique."
            )
        for arn, reason in reasons.items():
            findings.acknowledge(policy, f"AwsSolutions-IAM5[Resource::{findings.token_text(stack, arn)}]", reason)

    def _subnet_ids(self) -> list[str]:
        """The subnets aws-cdk-lib chose for the function in its VPC."""
        placement = cfn_resource(self.function, lambda_.CfnFunction).vpc_config
        return list(cast(lambda_.CfnFunction.VpcConfigProperty, placement).subnet_ids or [])

    def _skip_findings(
        self, *, vpc: Optional[ec2.IVpc], reserved_concurrency: Optional[int], environment: Mapping[str, str],
        environment_key: Optional[kms.IKey], log_encryption_key: Optional[kms.IKey], has_failure_target: bool,
    ) -> None:
        """Scanner checks that ask for what this function deliberately does otherwise, with the reason."""
        days = cfn_resource(self.log_group, logs.CfnLogGroup).retention_in_days
        findings.skip(
            self.function,
            f"The function logs to its own log group ({self.log_group.node.path}) through LoggingConfig, "
            f"kept {days} days; the rule looks only for a group named /aws/lambda/<function>.",
            cfn_lint=["WS1004"],
        )
        if vpc is None:
            findings.skip(
                self.function,
                "The function reaches only AWS APIs (over TLS, with IAM); it needs no private network. "
                "VpcFunction places a function in a VPC.",
                checkov=["CKV_AWS_117"], guard=["lambda_inside_vpc_check"],
            )
        if reserved_concurrency is None:
            findings.skip(
                self.function,
                "Reserved concurrency is opt-in (reserved_concurrency=): reserving takes from the account's "
                "pool, which must keep 100 unreserved, and a new account's quota may be as low as 10.",
                checkov=["CKV_AWS_115"],
            )
        if environment and environment_key is None:
            findings.skip(
                self.function,
                "Lambda encrypts environment variables at rest with its AWS managed key; environment_key= "
                "sets a customer managed key. Keep secrets in Secrets Manager, not in variables.",
                checkov=["CKV_AWS_173"],
            )
        if has_failure_target and self.function.dead_letter_queue is None:
            findings.skip(
                self.function,
                "Asynchronous events that fail every retry go to the on_failure destination, which keeps "
                "the error and the request as well as the event: what a dead-letter queue would keep, and more.",
                checkov=["CKV_AWS_116"],
            )
        if log_encryption_key is None:
            findings.skip(
                self.log_group,
                "CloudWatch Logs encrypts every log group at rest; log_encryption_key= sets a customer "
                "managed KMS key.",
                checkov=["CKV_AWS_158"], guard=["cloudwatch_log_group_encrypted_check"],
            )

    def _acknowledge_encrypted_destinations(self, targets: Sequence[Any]) -> None:
        """Sending to a KMS-encrypted queue or topic needs CDK's kms grant on that one key."""
        keys = [getattr(t, "master_key", None) or getattr(t, "encryption_master_key", None) for t in targets]
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is None or not any(keys):
            return
        for action in ("kms:GenerateDataKey*", "kms:ReEncrypt*"):
            findings.acknowledge(
                policy, f"AwsSolutions-IAM5[Action::{action}]",
                "aws-cdk-lib's grant to send to a KMS-encrypted queue or topic: the wildcard covers that "
                "action's variants on the destination's own key only.",
            )


def _check_powertools_version(checks: Checks, powertools: bool, version: object, region: str) -> None:
    if not powertools:
        checks.require(
            version == DEFAULT_POWERTOOLS_LAYER_VERSION, "powertools_layer_version", version, "needs powertools=True"
        )
        return
    problem = version_problem(version, region)
    checks.require(problem is None, "powertools_layer_version", version, problem or "")


def _check_code(
    checks: Checks,
    entry: Optional[Path],
    handler: str,
    image: Optional[lambda_.EcrImageCode],
    layers: Sequence[lambda_.ILayerVersion],
    powertools: bool,
) -> None:
    if (entry is None) == (image is None):
        checks.fail("entry", str(entry) if entry else None, "and image: give exactly one of them")
        return
    if image is not None:
        checks.require(
            not layers and not powertools, "layers", f"{len(layers) + powertools} layers",
            "cannot be used with a container image: put the layer's content in the image",
        )
        return
    assert entry is not None
    if not entry.is_dir():
        checks.fail("entry", str(entry), "must be an existing folder with the handler's code")
        return
    module, _, function = handler.rpartition(".")
    if not module or not function:
        checks.fail("handler", handler, "must be 'module.function', e.g. 'handler.handler'")
        return
    module_path = entry.joinpath(*module.split("."))
    if not (module_path.with_suffix(".py").is_file() or (module_path / "__init__.py").is_file()):
        checks.fail(
            "handler", handler,
            f"names module '{module}', but {module_path.with_suffix('.py')} does not exist in entry",
        )


def _check_environment(checks: Checks, environment: Mapping[str, str]) -> None:
    for name in environment:
        checks.require(
            bool(ENVIRONMENT_NAME.fullmatch(name)), "environment", name,
            "is not a valid variable name: a letter, then at least one letter, digit or '_'",
        )
        checks.require(
            name not in RESERVED_ENVIRONMENT, "environment", name,
            "is reserved by the Lambda runtime and cannot be set",
        )
    # Lambda measures the variables as the JSON map it stores; tokens count by their placeholder.
    size = len(json.dumps(environment, separators=(",", ":")).encode())
    checks.require(
        size <= MAX_ENVIRONMENT_BYTES, "environment", f"of {size} bytes",
        f"exceeds Lambda's limit of {MAX_ENVIRONMENT_BYTES} bytes for all variables together",
    )


def _check_dependency_layers(
    checks: Checks, layers: Sequence[lambda_.ILayerVersion], architecture: lambda_.Architecture,
    runtime: lambda_.Runtime,
) -> None:
    """A layer's compiled packages run only on the architecture and Python version they were built for."""
    for layer in layers:
        if not isinstance(layer, DependencyLayer):
            continue
        checks.require(
            layer.architecture.name == architecture.name, "layers", layer.node.path,
            f"is built for {layer.architecture.name}; the function runs on {architecture.name}",
        )
        checks.require(
            layer.runtime.name == runtime.name, "layers", layer.node.path,
            f"is built for {layer.runtime.name}; the function runs on {runtime.name}",
        )


def _check_unzipped_size(path: str, package_bytes: Optional[int], layers: Sequence[lambda_.ILayerVersion]) -> None:
    """Lambda refuses a function whose package and layers unzip to more than 250 MB: checked with the sizes
    known at synth (the function's own package, and DependencyLayers once bundled)."""
    parts = [("the function's package", package_bytes)] + [
        (f"layer {layer.node.path}", layer.unzipped_bytes) for layer in layers if isinstance(layer, DependencyLayer)]
    known = [(name, size) for name, size in parts if size is not None]
    total = sum(size for _, size in known)
    if len(known) > 1 and total > MAX_UNZIPPED_BYTES:
        sizes = " + ".join(f"{name} {size / 1024 / 1024:.1f} MB" for name, size in known)
        raise ConfigurationError([
            f"ServerlessFunction '{path}': layers {sizes} = {total / 1024 / 1024:.1f} MB unzipped exceed Lambda's "
            "250 MB limit for a function and its layers: move packages out, or use a container image (image=)"
        ])


# SnapStart is offered in every commercial region but these (AWS Lambda developer guide, "Supported Regions").
SNAP_START_UNAVAILABLE = {"ap-southeast-6": "Asia Pacific (New Zealand)", "ap-east-2": "Asia Pacific (Taipei)"}


def _check_snap_start(
    checks: Checks, runtime: lambda_.Runtime, image: Optional[Any], provisioned: Optional[int],
    filesystem: Optional[Any], ephemeral: Optional[Size], region: str,
) -> None:
    """What Lambda refuses with SnapStart (AWS Lambda developer guide, "Supported features and limitations")."""
    rule = "is not supported with SnapStart"
    checks.require(image is None, "image", "given", f"{rule}: container images cannot be snapshotted")
    checks.require(
        image is not None or runtime.supports_snap_start, "runtime", runtime.name,
        f"{rule}: it needs Python 3.12 or newer (or Java 11+, .NET 8+)",
    )
    checks.require(
        not provisioned, "provisioned_concurrency", provisioned,
        f"{rule}: use one or the other (SnapStart restores environments, provisioned concurrency keeps them)",
    )
    checks.require(filesystem is None, "filesystem", "given", f"{rule}: EFS cannot be mounted in a snapshot")
    size = mebibytes_of(ephemeral)
    checks.require(
        size is None or size <= 512, "ephemeral_storage_size", ephemeral, f"{rule}: /tmp is at most 512 MB with it",
    )
    if not is_unresolved(region):
        checks.require(
            region not in SNAP_START_UNAVAILABLE, "snap_start", True,
            f"is not offered in {region} ({SNAP_START_UNAVAILABLE.get(region)})",
        )


def _check_concurrency(checks: Checks, reserved: Optional[int], provisioned: Optional[int]) -> None:
    if reserved is not None and not is_unresolved(reserved):
        checks.require(reserved >= 0, "reserved_concurrency", reserved, "must be 0 or more")
    if provisioned is None or is_unresolved(provisioned):
        return
    checks.require(provisioned >= 1, "provisioned_concurrency", provisioned, "must be 1 or more")
    if reserved is not None and not is_unresolved(reserved):
        checks.require(
            provisioned <= reserved, "provisioned_concurrency", provisioned,
            f"must not exceed reserved_concurrency ({reserved}): provisioned environments "
            "count against the function's reserved concurrency",
        )


def _check_url(
    checks: Checks, auth: Optional[str], allow_public: bool, cors: Optional[Any]
) -> None:
    if auth is None:
        checks.require(cors is None, "function_url_cors", "given", "needs function_url_auth")
        return
    if auth not in URL_AUTH_TYPES:
        checks.fail("function_url_auth", auth, "must be 'AWS_IAM' or 'NONE'")
    elif auth == "NONE":
        checks.require(
            allow_public, "function_url_auth", auth,
            "makes the function callable by anyone on the internet: pass "
            "allow_public_function_url=True to confirm, or use 'AWS_IAM'",
        )


def _let_logs_use(key: kms.Key) -> None:
    """CloudWatch Logs checks, when it creates the log group, that the key's policy lets it use the key
    for log groups of this account and region (CloudWatch Logs user guide, "Encrypt log data")."""
    stack = Stack.of(key)
    key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com"))],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],  # in a key policy, "*" is this key
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                service="logs", resource="log-group", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )}},
        )
    )


def _permissions_of(target: lambda_.IFunction) -> list[lambda_.CfnPermission]:
    return [child for child in target.node.children if isinstance(child, lambda_.CfnPermission)]
