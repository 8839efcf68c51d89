"""AWS CDK v2 constructs for the classic AWS Lambda serverless patterns, secure by default."""

from .function import ServerlessFunction
from .thumbnail import ThumbnailPipeline
from .validation import ConfigurationError

__all__ = ["ConfigurationError", "ServerlessFunction", "ThumbnailPipeline"]
