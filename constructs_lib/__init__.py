"""AWS CDK v2 constructs for the classic AWS Lambda serverless patterns, secure by default."""

from .dashboard import Dashboard
from .deployment import Deployment
from .function import ServerlessFunction
from .queue_worker import QueueWorker
from .scaling import ProvisionedConcurrencyScaling
from .scheduled import ScheduledFunction
from .stream_consumer import StreamConsumer
from .thumbnail import ThumbnailPipeline
from .validation import ConfigurationError

__all__ = [
    "ConfigurationError",
    "Dashboard",
    "Deployment",
    "ProvisionedConcurrencyScaling",
    "QueueWorker",
    "ScheduledFunction",
    "ServerlessFunction",
    "StreamConsumer",
    "ThumbnailPipeline",
]
