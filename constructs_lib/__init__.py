"""AWS CDK v2 constructs for the classic AWS Lambda serverless patterns, secure by default."""

from .alb import AlbFunction
from .dashboard import Dashboard
from .deployment import Deployment
from .edge import EdgeDistribution, EdgeHandler
from .function import ServerlessFunction
from .queue_worker import QueueWorker
from .scaling import ProvisionedConcurrencyScaling
from .scheduled import ScheduledFunction
from .stream_consumer import StreamConsumer
from .thumbnail import ThumbnailPipeline
from .validation import ConfigurationError
from .vpc_function import VpcFunction

__all__ = [
    "AlbFunction",
    "ConfigurationError",
    "Dashboard",
    "Deployment",
    "EdgeDistribution",
    "EdgeHandler",
    "ProvisionedConcurrencyScaling",
    "QueueWorker",
    "ScheduledFunction",
    "ServerlessFunction",
    "StreamConsumer",
    "ThumbnailPipeline",
    "VpcFunction",
]
