"""FanOut and TopicSubscriber: files dropped under incoming/ fan out from S3 through one SNS topic to a
catalog worker and an audit worker (each with its own queue), and trigger an announcing function directly."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import FanOut, TopicSubscriber

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table


class FanOutStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: FanOut and TopicSubscriber",
                         **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.catalog_table = demo_table(self, "Catalog", partition_key="object_key")
        self.uploads = FanOut(self, "Uploads", prefix="incoming/")
        self.catalog = self.uploads.add_worker(
            "Catalog", entry=HANDLERS / "catalog_worker", powertools=True,
            environment={"TABLE_NAME": self.catalog_table.table_name, "POWERTOOLS_SERVICE_NAME": "catalog"},
        )
        self.catalog_table.grant(self.catalog.function.role, "dynamodb:PutItem")
        self.audit = self.uploads.add_worker(
            "Audit", entry=HANDLERS / "upload_audit", powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "upload-audit"},
        )
        self.notice = TopicSubscriber(
            self, "Notice", topic=self.uploads.topic, entry=HANDLERS / "upload_notice", powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "upload-notice"},
        )
