"""AWS CDK v2 constructs for the classic AWS Lambda serverless patterns, secure by default."""

from .function import ServerlessFunction
from .queue_worker import QueueWorker
from .scheduled import ScheduledFunction
from .stream_consumer import StreamConsumer
from .thumbnail import ThumbnailPipeline
from .validation import ConfigurationError

__all__ = [
    "ConfigurationError",
    "QueueWorker",
    "ScheduledFunction",
    "ServerlessFunction",
    "StreamConsumer",
    "ThumbnailPipeline",
]
