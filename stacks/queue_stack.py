"""QueueWorker: orders from an SQS queue stored in a table; bad messages end in the dead-letter queue."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import QueueWorker

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table


class QueueStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: QueueWorker", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.orders = demo_table(self, "Orders", partition_key="order_id")
        self.worker = QueueWorker(
            self,
            "OrderWorker",
            entry=HANDLERS / "queue_worker",
            powertools=True,
            max_concurrency=5,
            environment={"TABLE_NAME": self.orders.table_name, "POWERTOOLS_SERVICE_NAME": "order-worker"},
        )
        self.orders.grant(self.worker.function.role, "dynamodb:PutItem")
