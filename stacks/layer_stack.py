"""DependencyLayer: scipy and numpy in one layer that two functions share; each ships only its own code.

The functions are invoked directly (aws lambda invoke); should a caller invoke one asynchronously, events
that fail every retry are kept in that function's failure queue."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import DependencyLayer, ServerlessFunction
from constructs_lib.resources.queues import failure_queue

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS


class LayerStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: DependencyLayer", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.scientific = DependencyLayer(
            self, "Scientific", requirements=HANDLERS / "scientific_layer" / "requirements.txt")
        self.describe = ServerlessFunction(
            self, "Describe", entry=HANDLERS / "stats_describe", layers=[self.scientific], powertools=True,
            memory_size=1024, on_failure=failure_queue(self, "DescribeFailures"),
            environment={"POWERTOOLS_SERVICE_NAME": "stats-describe"},
        )
        self.percentiles = ServerlessFunction(
            self, "Percentiles", entry=HANDLERS / "stats_percentiles", layers=[self.scientific], powertools=True,
            memory_size=1024, on_failure=failure_queue(self, "PercentilesFailures"),
            environment={"POWERTOOLS_SERVICE_NAME": "stats-percentiles"},
        )
