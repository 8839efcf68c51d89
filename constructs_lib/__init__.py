"""AWS CDK v2 constructs for the classic AWS Lambda serverless patterns, secure by default.

Names are imported on first use, so that ``python -m constructs_lib.cost`` and
``estimate_monthly_cost`` work without starting aws-cdk-lib's Node.js runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_MODULES = {
    "AlarmTopic": "notifications",
    "AlbFunction": "alb",
    "ApiCors": "api_cors",
    "ApiFunction": "api",
    "ConfigurationError": "validation",
    "Dashboard": "dashboard",
    "DependencyLayer": "layers",
    "Deployment": "deployment",
    "EdgeDistribution": "edge",
    "EdgeHandler": "edge",
    "FanOut": "fan_out",
    "ProvisionedConcurrencyScaling": "scaling",
    "QueueWorker": "queue_worker",
    "ScheduledFunction": "scheduled",
    "ServerlessFunction": "function",
    "StreamConsumer": "stream_consumer",
    "ThumbnailPipeline": "thumbnail",
    "TopicSubscriber": "topic_subscriber",
    "VpcFunction": "vpc_function",
    "estimate_monthly_cost": "cost",
    "route_alarms": "alarms",
}
__all__ = [  # written out: type checkers read a literal list (the test checks it names _MODULES)
    "AlarmTopic", "AlbFunction", "ApiCors", "ApiFunction", "ConfigurationError", "Dashboard", "DependencyLayer",
    "Deployment", "EdgeDistribution", "EdgeHandler", "FanOut", "ProvisionedConcurrencyScaling", "QueueWorker",
    "ScheduledFunction", "ServerlessFunction", "StreamConsumer", "ThumbnailPipeline", "TopicSubscriber",
    "VpcFunction", "estimate_monthly_cost", "route_alarms",
]

if TYPE_CHECKING:  # what editors and type checkers see ("as": re-exported)
    from .alarms import route_alarms as route_alarms
    from .alb import AlbFunction as AlbFunction
    from .api import ApiFunction as ApiFunction
    from .api_cors import ApiCors as ApiCors
    from .cost import estimate_monthly_cost as estimate_monthly_cost
    from .dashboard import Dashboard as Dashboard
    from .deployment import Deployment as Deployment
    from .edge import EdgeDistribution as EdgeDistribution
    from .edge import EdgeHandler as EdgeHandler
    from .fan_out import FanOut as FanOut
    from .function import ServerlessFunction as ServerlessFunction
    from .layers import DependencyLayer as DependencyLayer
    from .notifications import AlarmTopic as AlarmTopic
    from .queue_worker import QueueWorker as QueueWorker
    from .scaling import ProvisionedConcurrencyScaling as ProvisionedConcurrencyScaling
    from .scheduled import ScheduledFunction as ScheduledFunction
    from .stream_consumer import StreamConsumer as StreamConsumer
    from .thumbnail import ThumbnailPipeline as ThumbnailPipeline
    from .topic_subscriber import TopicSubscriber as TopicSubscriber
    from .validation import ConfigurationError as ConfigurationError
    from .vpc_function import VpcFunction as VpcFunction


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'constructs_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
