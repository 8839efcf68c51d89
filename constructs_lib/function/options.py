"""The options a pattern passes to its ServerlessFunction, as one type: patterns take
``**function_options: Unpack[FunctionOptions]``, so pyright and mypy flag an unknown or mistyped option in a
user's app, as they do for ServerlessFunction itself. A pattern with an option of its own under a function
option's name takes the same options but that one (PEP 692 forbids the overlap). Kept equal to
ServerlessFunction's keyword options by a test."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence, TypedDict, Union

from aws_cdk import Duration, RemovalPolicy, Size
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from .deployment import Deployment
from .durable import Durable
from .destinations import DestinationTarget
from .powertools import PowertoolsVersion
from .scaling import ProvisionedConcurrencyScaling
from .tenancy import Tenancy
from .url import UrlAuth


class _CoreOptions(TypedDict, total=False):
    """The options every pattern passes through as they are."""

    entry: Union[str, Path]
    handler: str
    image: lambda_.EcrImageCode
    runtime: lambda_.Runtime
    architecture: lambda_.Architecture
    memory_size: int
    timeout: Duration
    environment: Mapping[str, str]
    environment_key: kms.IKey
    ephemeral_storage_size: Size
    reserved_concurrency: int
    provisioned_concurrency: int
    tracing: lambda_.Tracing
    log_retention: logs.RetentionDays
    log_removal_policy: RemovalPolicy
    log_encryption_key: kms.IKey
    layers: Sequence[lambda_.ILayerVersion]
    powertools: bool
    powertools_layer_version: PowertoolsVersion
    max_event_age: Duration
    on_success: DestinationTarget
    no_failure_target: Optional[str]
    function_url_auth: UrlAuth
    allow_public_function_url: bool
    function_url_cors: lambda_.FunctionUrlCorsOptions
    function_url_invokers: Sequence[iam.IPrincipal]
    deployment: Deployment
    snap_start: bool
    durable: Durable
    tenancy: Tenancy
    inline: str
    provisioned_concurrency_scaling: ProvisionedConcurrencyScaling
    create_alarms: bool
    own_alarms: bool
    alarm_topic: sns.ITopic
    description: str


class _VpcOptions(TypedDict, total=False):
    vpc: ec2.IVpc
    vpc_subnets: ec2.SubnetSelection
    security_groups: Sequence[ec2.ISecurityGroup]
    filesystem: lambda_.FileSystem


class _DeadLetterOption(TypedDict, total=False):
    dead_letter_queue: sqs.IQueue


class _RetryOptions(TypedDict, total=False):
    retry_attempts: int
    on_failure: DestinationTarget


class FunctionOptions(_CoreOptions, _VpcOptions, _DeadLetterOption, _RetryOptions, total=False):
    """Every ``ServerlessFunction`` keyword option (see its docstring for what each does)."""


# A pattern that takes an option of its own under a function option's name passes the others through.
class OutOfVpcFunctionOptions(_CoreOptions, _DeadLetterOption, _RetryOptions, total=False):
    """``FunctionOptions`` but the VPC ones (``vpc``, ``vpc_subnets``, ``security_groups``, ``filesystem``):
    VpcFunction places its function itself; AlbFunction's needs no VPC (its ``vpc`` is the load balancer's)."""


class QueueWorkerFunctionOptions(_CoreOptions, _VpcOptions, _RetryOptions, total=False):
    """``FunctionOptions`` but ``dead_letter_queue``: QueueWorker's is the queue's."""


class StreamConsumerFunctionOptions(_CoreOptions, _VpcOptions, _DeadLetterOption, total=False):
    """``FunctionOptions`` but ``retry_attempts`` and ``on_failure``: StreamConsumer's are its event source's."""
