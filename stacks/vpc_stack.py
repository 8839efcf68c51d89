"""VpcFunction: a reader in an isolated VPC (DynamoDB through the gateway endpoint) and a function
with an EFS file system in the same VPC."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import VpcFunction
from constructs_lib.resources.queues import failure_queue

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table


class VpcStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: VpcFunction", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.products = demo_table(self, "Products", partition_key="product_id")
        self.failures = failure_queue(self, "Failures")  # asynchronous invocations that failed every retry
        self.reader = VpcFunction(
            self,
            "ProductReader",
            entry=HANDLERS / "vpc_reader",
            on_failure=self.failures,
            powertools=True,
            environment={"TABLE_NAME": self.products.table_name, "POWERTOOLS_SERVICE_NAME": "product-reader"},
        )
        self.products.grant(self.reader.function.role, "dynamodb:GetItem")
        self.notes = VpcFunction(
            self,
            "Notes",
            vpc=self.reader.vpc,
            filesystem=True,
            entry=HANDLERS / "efs_notes",
            on_failure=self.failures,
            powertools=True,
            environment={"MOUNT_PATH": "/mnt/data", "POWERTOOLS_SERVICE_NAME": "notes"},
        )
