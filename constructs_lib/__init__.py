"""AWS CDK v2 constructs for the classic AWS Lambda serverless patterns, secure by default.

Names are imported on first use, so that ``python -m constructs_lib.cost`` and
``estimate_monthly_cost`` work without starting aws-cdk-lib's Node.js runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The one version source (pyproject.toml reads it); what a version promises: CHANGELOG.md.
__version__ = "0.1.0"

_MODULES = {
    "AlarmTopic": "observability.alarm_topics",
    "AlbFunction": "patterns.alb_function",
    "ApiCors": "patterns.api.cors",
    "ApiFunction": "patterns.api.api_function",
    "ConfigurationError": "core.validation",
    "Dashboard": "observability.dashboard",
    "DeliveryPipeline": "delivery.delivery_pipeline",
    "DependencyLayer": "function.layers",
    "Deployment": "function.deployment",
    "Durable": "function.durable",
    "EdgeDistribution": "patterns.edge_distribution",
    "EdgeHandler": "patterns.edge_distribution",
    "FanOut": "patterns.fan_out",
    "FirehoseBuffer": "patterns.firehose_transform",
    "FirehoseTransform": "patterns.firehose_transform",
    "LogSubscriber": "patterns.log_subscriber",
    "ProvisionedConcurrencyScaling": "function.scaling",
    "QueueWorker": "patterns.queue_worker",
    "ScheduledFunction": "patterns.scheduled.scheduled_function",
    "ServerlessFunction": "function.serverless_function",
    "ServiceApi": "patterns.api.service_api",
    "ServiceStage": "delivery.service_stage",
    "StreamConsumer": "patterns.stream_consumer",
    "ThumbnailPipeline": "patterns.thumbnail_pipeline",
    "TopicSubscriber": "patterns.topic_subscriber",
    "UserPoolTrigger": "patterns.user_pool_trigger",
    "VpcFunction": "patterns.vpc_function",
    "Workflow": "patterns.workflow.workflow",
    "FunctionStep": "patterns.workflow.function_step",
    "estimate_monthly_cost": "pricing.lambda_estimate",
    "keep_out_of_network": "core.profile",
    "route_alarms": "observability.alarms",
    "use_profile": "resources.regulated",
}
__all__ = [  # written out: type checkers read a literal list (the test checks it names _MODULES)
    "AlarmTopic", "AlbFunction", "ApiCors", "ApiFunction", "ConfigurationError", "Dashboard", "DeliveryPipeline",
    "DependencyLayer", "Deployment", "Durable", "EdgeDistribution", "EdgeHandler", "FanOut", "FirehoseBuffer",
    "FirehoseTransform", "FunctionStep", "LogSubscriber", "ProvisionedConcurrencyScaling", "QueueWorker",
    "ScheduledFunction", "ServerlessFunction", "ServiceApi", "ServiceStage", "StreamConsumer", "ThumbnailPipeline",
    "TopicSubscriber", "UserPoolTrigger", "VpcFunction", "Workflow", "estimate_monthly_cost", "keep_out_of_network",
    "route_alarms", "use_profile",
]

if TYPE_CHECKING:  # what editors and type checkers see ("as": re-exported)
    from .core.profile import keep_out_of_network as keep_out_of_network
    from .core.validation import ConfigurationError as ConfigurationError
    from .delivery.delivery_pipeline import DeliveryPipeline as DeliveryPipeline
    from .delivery.service_stage import ServiceStage as ServiceStage
    from .function.deployment import Deployment as Deployment
    from .function.durable import Durable as Durable
    from .function.layers import DependencyLayer as DependencyLayer
    from .function.scaling import ProvisionedConcurrencyScaling as ProvisionedConcurrencyScaling
    from .function.serverless_function import ServerlessFunction as ServerlessFunction
    from .observability.alarm_topics import AlarmTopic as AlarmTopic
    from .observability.alarms import route_alarms as route_alarms
    from .resources.regulated import use_profile as use_profile
    from .observability.dashboard import Dashboard as Dashboard
    from .patterns.alb_function import AlbFunction as AlbFunction
    from .patterns.api.api_function import ApiFunction as ApiFunction
    from .patterns.api.cors import ApiCors as ApiCors
    from .patterns.api.service_api import ServiceApi as ServiceApi
    from .patterns.edge_distribution import EdgeDistribution as EdgeDistribution
    from .patterns.edge_distribution import EdgeHandler as EdgeHandler
    from .patterns.fan_out import FanOut as FanOut
    from .patterns.firehose_transform import FirehoseBuffer as FirehoseBuffer
    from .patterns.firehose_transform import FirehoseTransform as FirehoseTransform
    from .patterns.log_subscriber import LogSubscriber as LogSubscriber
    from .patterns.queue_worker import QueueWorker as QueueWorker
    from .patterns.scheduled.scheduled_function import ScheduledFunction as ScheduledFunction
    from .patterns.stream_consumer import StreamConsumer as StreamConsumer
    from .patterns.thumbnail_pipeline import ThumbnailPipeline as ThumbnailPipeline
    from .patterns.topic_subscriber import TopicSubscriber as TopicSubscriber
    from .patterns.user_pool_trigger import UserPoolTrigger as UserPoolTrigger
    from .patterns.vpc_function import VpcFunction as VpcFunction
    from .patterns.workflow.function_step import FunctionStep as FunctionStep
    from .patterns.workflow.workflow import Workflow as Workflow
    from .pricing.lambda_estimate import estimate_monthly_cost as estimate_monthly_cost


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
