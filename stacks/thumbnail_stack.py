"""ThumbnailPipeline with new buckets and table: three thumbnail sizes."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import ThumbnailPipeline

from .notifications import send_alarms_to_a_topic


class ThumbnailStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: ThumbnailPipeline", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.pipeline = ThumbnailPipeline(self, "Thumbnails", sizes=[128, 256, 1024])
