"""ServerlessFunction: the one place where every function default of the library lives. It composes: its
checks (`checks`, `url`), its resources, its scanner answers (`answers`), alarms and deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence, Union

from aws_cdk import Duration, RemovalPolicy, Size, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from ..core import findings
from ..core.jsii_types import as_interface
from ..core.profile import inherit_profile, is_regulated
from ..core.validation import Checks
from ..observability import alarms as alarm_kit
from ..resources.log_groups import new_log_group
from . import answers
from .bundling import folder_code
from .checks import (
    check_async,
    check_code,
    check_concurrency,
    check_layers,
    check_limits,
    check_powertools,
    check_snap_start,
    check_unzipped_size,
)
from .concurrency_share import share_concurrency
from .default_alarms import default_alarms
from .deployment import Deployment
from .destinations import DestinationTarget, as_destination, asynchronous_settings, lambda_destinations
from .durable import Durable, durable_alarms, durable_function_id, enable_durable
from .execution_role import execution_role
from .failed_events import FailedEvents
from .inline_code import check_inline, inline_code, inline_handler
from .network_placement import join_network, network_for
from .option_types import FUNCTION_OPTION_TYPES, check_types
from .powertools import DEFAULT_POWERTOOLS_LAYER_VERSION, PowertoolsVersion, powertools_layer
from .runtimes import DEFAULT_RUNTIME
from .safe_deployment import SafeDeployment
from .scaling import ProvisionedConcurrencyScaling
from .stage_policy import deployment_for
from .tenancy import Tenancy, check_tenancy, tenancy_config
from .url import UrlAuth, add_url, check_url
from .version_layers import version_options
from .vpc_access import eni_statements, subnet_ids

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
    :param inline: the handler's Python source, written into the template instead of ``entry`` (no dependencies:
        packages come from layers; at most the 1 MB a template holds); the handler is then "index.handler".
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
    :param layers: at most 5 layers in all, the Powertools layer included. With an alias, a new version of a
        layer of the app publishes a new version of the function, whatever the app's feature flags.
    :param powertools: add the public Powertools for AWS Lambda (Python) layer for the stack's region,
        the runtime and the architecture (default False).
    :param powertools_layer_version: which layer: an int pins that layer version (default 27: the same
        layer on every deploy, upgraded when you choose); "latest" or a release such as "3.23.0" is read
        at every deploy from the SSM parameter Powertools publishes (fresh fixes without a code change: with
        an alias, a new layer also publishes a new version, see ``version_layers``; commercial regions only,
        see powertools.SSM_PARAMETER_REGIONS).
    :param retry_attempts: asynchronous retries, 0-2 (default 2).
    :param max_event_age: how long an asynchronous event may wait, 60 s-6 h (default 6 h).
    :param on_success: destination of successful asynchronous invocations: an SQS queue, SNS topic,
        Lambda function or EventBridge bus.
    :param on_failure: destination of asynchronous invocations that failed every retry (same kinds).
    :param dead_letter_queue: an SQS queue that receives failed asynchronous events (may be used with
        ``on_failure``; destinations carry more context).
    :param no_failure_target: why the function needs no target for asynchronous events that fail every
        retry, when nothing invokes it asynchronously (e.g. "Only the orders service invokes it, synchronously:
        it answers errors to its caller"): then none is made, and the scanners' dead-letter findings are
        answered with this reason. Default None: events that fail every retry go to ``on_failure`` or
        ``dead_letter_queue``, else to the stack's `FailedEvents` queue (one per stack, made on first need,
        shared by every library function without a target of its own): nothing is dropped.
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
        shifts the alias to it, rolling back on alarms. Triggers and the URL then use the alias. Default: the
        policy of its ServiceStage (``ServiceStage(deployment=...)``), else none.
    :param durable: durable execution (``Durable(execution_timeout=Duration.days(7))``, see `Durable`): versions
        are published and triggers invoke an alias, as with ``deployment``; the role may checkpoint this function's
        executions only; alarms on failed and timed-out executions. Adding or removing it replaces the function.
    :param tenancy: "per_tenant": tenant isolation mode, each tenant's invocations in environments of its own.
        Every caller must pass a tenant id: a direct Invoke with ``--tenant-id``, or ``ApiFunction(api="rest",
        tenancy="per_tenant")``; patterns whose trigger cannot pass one refuse it. Lambda sets it only when it
        creates a function: adding or removing it replaces the function. Not with SnapStart, provisioned
        concurrency or a function URL (AWS's rules).
    :param create_alarms: create the default alarms (default True): errors, throttles, destination
        delivery failures (with destinations), dead-letter write errors (with a dead-letter queue), the function's own
        dead-letter and failure queues not empty; with a deployment, the alias's errors and throttles and the new
        version's errors too.
    :param own_alarms: errors, throttles, delivery failures and dead-letter write errors in alarms of this function's
        own (default False: the function is a contributor of its stack's alarms, `StackAlarms`, a few Metrics
        Insights alarms that watch every library function of the stack and name the one that breaches).
    :param alarm_topic: an SNS topic told of every alarm's changes to ALARM and back to OK (the stack's alarms that
        watch this function: those of the functions that name this topic).
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
        no_failure_target: Optional[str] = None,
        function_url_auth: Optional[UrlAuth] = None,
        allow_public_function_url: bool = False,
        function_url_cors: Optional[lambda_.FunctionUrlCorsOptions] = None,
        function_url_invokers: Sequence[iam.IPrincipal] = (),
        vpc: Optional[ec2.IVpc] = None,
        vpc_subnets: Optional[ec2.SubnetSelection] = None,
        security_groups: Optional[Sequence[ec2.ISecurityGroup]] = None,
        filesystem: Optional[lambda_.FileSystem] = None,
        deployment: Optional[Deployment] = None,
        snap_start: bool = False,
        durable: Optional[Durable] = None,
        tenancy: Optional[Tenancy] = None,
        inline: Optional[str] = None,
        provisioned_concurrency_scaling: Optional[ProvisionedConcurrencyScaling] = None,
        create_alarms: bool = True,
        own_alarms: bool = False,
        alarm_topic: Optional[sns.ITopic] = None,
        description: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        inherit_profile(self, scope)
        path = self.node.path
        stack = Stack.of(self)
        checks = Checks(self, "ServerlessFunction", path)
        # Types first: a range check of a value of the wrong type would fail inside the library.
        given = locals()
        check_types(checks, {name: given[name] for name in FUNCTION_OPTION_TYPES}, FUNCTION_OPTION_TYPES)
        checks.raise_if_any()
        deployment = deployment_for(self, deployment)  # a ServiceStage's policy, unless it sets its own
        environment = dict(environment or {})
        entry_path = Path(entry) if entry is not None else None
        region = stack.region
        handler = inline_handler(handler, inline)
        if inline is None:
            check_code(checks, entry_path, handler, image, layers, powertools)
        else:
            check_inline(checks, inline, entry_path, image, handler, runtime)
        check_limits(checks, memory_size, timeout, max_event_age, ephemeral_storage_size, environment)
        check_async(checks, retry_attempts, max_event_age)
        check_layers(checks, layers, powertools, architecture, runtime)
        check_concurrency(checks, reserved_concurrency, provisioned_concurrency)
        check_powertools(checks, powertools, powertools_layer_version, region)
        checks.require(no_failure_target is None or (on_failure is None and dead_letter_queue is None),
                       "no_failure_target", no_failure_target,
                       "cannot be given with on_failure or dead_letter_queue: they are failure targets")
        destinations = lambda_destinations(checks, on_success=on_success, on_failure=on_failure)
        check_tenancy(checks, tenancy, snap_start, provisioned_concurrency, function_url_auth)
        check_url(checks, function_url_auth, allow_public_function_url, function_url_cors, function_url_invokers)
        checks.require(filesystem is None or vpc is not None, "filesystem", "given", "needs vpc: EFS is reached in a VPC")
        if deployment is not None:
            deployment.check(checks)
        if provisioned_concurrency_scaling is not None:
            provisioned_concurrency_scaling.check(checks, provisioned_concurrency)
        if snap_start:
            check_snap_start(checks, runtime, image, provisioned_concurrency, filesystem, ephemeral_storage_size, region)
        if durable is not None:
            durable.check(checks, runtime, image)
        checks.raise_if_any()

        # Nothing lost by default: events that fail every retry go to the stack's shared queue, as the function's
        # dead-letter queue (no resource of its own), or as its on-failure destination when it has an
        # EventInvokeConfig anyway (settings other than Lambda's, or an on_success destination).
        self.failed_events: Optional[FailedEvents] = None
        own_dead_letter_queue = dead_letter_queue is not None
        if no_failure_target is None and on_failure is None and dead_letter_queue is None:
            self.failed_events = FailedEvents.of(self, stack)
            if asynchronous_settings(retry_attempts, max_event_age, destinations):
                on_failure = self.failed_events.queue
                destinations["on_failure"] = as_destination(on_failure)
            else:
                dead_letter_queue = self.failed_events.queue
        self.failure_target: Optional[IConstruct] = on_failure or dead_letter_queue
        """Where asynchronous events that fail every retry go (None with ``no_failure_target``)."""
        self.tenancy = tenancy

        self.log_group = new_log_group(
            self, "LogGroup", retention=log_retention, removal_policy=log_removal_policy,
            encryption_key=log_encryption_key, without_key_because="CloudWatch Logs encrypts every log group at "
            "rest; log_encryption_key= sets a customer managed KMS key.")
        # Its statements inline (one resource), or under the regulated profile in a managed policy.
        self.role = execution_role(self, "Role", description=f"Execution role of {path}")
        # Least privilege: write to this function's own log group and nowhere else.
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]))

        network = network_for(self, vpc)
        if network is not None:
            vpc, vpc_subnets, group = network.place(self)
            security_groups = [group]

        all_layers = list(layers) + ([powertools_layer(
            self, "PowertoolsLayer", architecture, runtime, powertools_layer_version)] if powertools else [])
        package = None
        if image is not None:
            code, handler, runtime = image, lambda_.Handler.FROM_IMAGE, lambda_.Runtime.FROM_IMAGE
        elif inline is not None:
            code = inline_code(inline)
        else:
            assert entry_path is not None
            package = folder_code(entry_path, architecture, runtime, path, stack)
            code = package.code
        async_settings = asynchronous_settings(retry_attempts, max_event_age, destinations)
        self.function = lambda_.Function(
            self,
            durable_function_id(durable),
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
            durable_config=durable.config() if durable is not None else None,
            tenancy_config=tenancy_config(tenancy),
            **async_settings,
            dead_letter_queue=dead_letter_queue,
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            security_groups=security_groups,
            filesystem=filesystem,
            description=description,
            current_version_options=version_options(self, all_layers, retain=durable is not None),
        )
        if package is not None:
            check_unzipped_size(path, package.unzipped_bytes, layers)
        if vpc is not None:
            # What AWSLambdaVPCAccessExecutionRole grants, scoped to this function's subnets, minus its logs:*.
            for statement in eni_statements(self, subnet_ids(self.function)):
                self.role.add_to_policy(statement)
        join_network(self, network, self.function, self.log_group)
        answers.acknowledge_findings(
            self.function, self.role, tracing, vpc, has_failure_destination=on_failure is not None)
        shared = self.failed_events.queue if self.failed_events else None  # SQS-encrypted: no key to grant
        answers.acknowledge_encrypted_destinations(
            self.role, [target for target in (on_success, on_failure, dead_letter_queue) if target is not shared])
        shares = reserved_concurrency is None and is_regulated(self)
        if shares:
            scaled = provisioned_concurrency_scaling.max_capacity if provisioned_concurrency_scaling else 0
            share_concurrency(self.function, least=max(1, provisioned_concurrency or 0, scaled))
        answers.skip_findings(
            self.function, self.log_group, log_group_path=f"{path}/LogGroup", vpc=vpc, environment=environment,
            reserves_concurrency=reserved_concurrency is not None or shares, environment_key=environment_key,
            failure_destination_only=on_failure is not None and dead_letter_queue is None,
            no_failure_target=no_failure_target)
        if no_failure_target is not None:
            findings.acknowledge_no_failure_target(self, no_failure_target)
        self.alias: Optional[lambda_.Alias] = None
        if provisioned_concurrency or deployment is not None or snap_start or durable is not None:
            # current_version changes whenever code or configuration does (its layers included: version_layers):
            # a new version, never a collision.
            # Triggers invoke the alias: its asynchronous settings are its own (a qualifier's configuration
            # does not apply to another), so it gets the same ones as $LATEST.
            self.alias = lambda_.Alias(
                self, "Alias", alias_name=deployment.alias_name if deployment else ALIAS_NAME,
                version=as_interface(lambda_.IVersion, self.function.current_version),
                provisioned_concurrent_executions=provisioned_concurrency, **async_settings)
            if provisioned_concurrency_scaling is not None:
                provisioned_concurrency_scaling.apply(self.alias)
        self.durable_policy: Optional[iam.Policy] = None
        """With ``durable``: the role's permission to checkpoint this function's executions."""
        if durable is not None and self.alias is not None:
            self.durable_policy = enable_durable(self, durable, self.function, self.role, self.alias)
        self.deployment: Optional[SafeDeployment] = None
        if deployment is not None:
            assert self.alias is not None  # made above for every deployment
            self.deployment = SafeDeployment(
                self, "Deployment", target=self, alias=self.alias, deployment=deployment,
                new_function=ServerlessFunction,
            )

        self.alarms: alarm_kit.Alarms = {}
        """This function's own alarms (with ``own_alarms``, its errors and throttles; its own queues'), deployment's
        and durable execution's; by default its errors and throttles are contributors of its stack's alarms."""
        if create_alarms:
            own_queue = on_failure if hasattr(on_failure, "queue_arn") and not self.failed_events else None
            self.alarms = default_alarms(  # the stack's shared queue has an alarm of its own
                self, self.function, stack=stack, path=path, own=own_alarms, topic=alarm_topic,
                delivers=bool(destinations), dead_letter_queue=dead_letter_queue,
                own_dead_letter_queue=own_dead_letter_queue,
                failure_queue=as_interface(sqs.IQueue, own_queue) if own_queue is not None else None)
        if create_alarms and durable is not None:
            self.alarms.update(durable_alarms(self, self.function))
        if self.deployment is not None:  # they decide rollbacks, so they always exist
            self.alarms.update(self.deployment.alarms)
        alarm_kit.notify(self.alarms, alarm_topic)
        if self.failed_events is not None:
            self.failed_events.notify(alarm_topic)

        alarm_kit.warn_if_silent(self, stack, path)

        self.url: Optional[lambda_.FunctionUrl] = None
        if function_url_auth is not None:
            self.url = add_url(self.invoke_target, function_url_auth, function_url_cors, function_url_invokers)

    @property
    def invoke_target(self) -> lambda_.IFunction:
        """What triggers should invoke: the alias when there is one, else the function."""
        return as_interface(lambda_.IFunction, self.alias or self.function)
