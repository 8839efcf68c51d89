"""Asynchronous invocation end to end: retries, event age, destinations of every kind and a DLQ.

`ToQueueAndBus`: success -> EventBridge bus, failure -> SQS queue, and a DLQ as well.
`ToTopic`: success -> SQS queue, failure -> SNS topic. Both run lambda_src/async_orders, which fails
for an event marked {"fail": true}.
"""

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib import ServerlessFunction
from constructs_lib.resources.keys import new_key
from constructs_lib.resources.queues import failure_queue

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS


class AsyncStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: asynchronous invocation",
                         **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.bus = events.EventBus(self, "OrderEvents")
        self.failures = failure_queue(self, "Failures")
        self.dead_letters = failure_queue(self, "DeadLetters")
        self.confirmations = failure_queue(self, "Confirmations")
        self.alerts = sns.Topic(
            self, "FailureAlerts", enforce_ssl=True,
            master_key=new_key(self, "AlertsKey", description="Encrypts FailureAlerts"),
        )
        common = dict(
            entry=HANDLERS / "async_orders",
            powertools=True,
            retry_attempts=2,
            max_event_age=Duration.hours(1),
            environment={"POWERTOOLS_SERVICE_NAME": "async-orders"},
        )
        self.to_queue_and_bus = ServerlessFunction(
            self, "ToQueueAndBus", on_success=self.bus, on_failure=self.failures,
            dead_letter_queue=self.dead_letters, **common,
        )
        self.to_topic = ServerlessFunction(
            self, "ToTopic", on_success=self.confirmations, on_failure=self.alerts, **common,
        )
