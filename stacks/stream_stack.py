"""StreamConsumer: a table's changes, read from its DynamoDB stream, kept as an audit trail."""

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from constructs_lib import StreamConsumer

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table


class StreamStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: StreamConsumer", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.accounts = demo_table(
            self, "Accounts", partition_key="account_id", stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES
        )
        self.audit = demo_table(self, "Audit", partition_key="item_key", sort_key="sequence_number")
        self.consumer = StreamConsumer(
            self,
            "AuditTrail",
            table=self.accounts,
            entry=HANDLERS / "stream_audit",
            powertools=True,
            environment={"AUDIT_TABLE": self.audit.table_name, "POWERTOOLS_SERVICE_NAME": "audit-trail"},
        )
        self.audit.grant(self.consumer.function.role, "dynamodb:PutItem")
