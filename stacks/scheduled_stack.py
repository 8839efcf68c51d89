"""ScheduledFunction: the serverless cron job, an hourly clean-up of expired sessions."""

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_events as events
from constructs import Construct

from constructs_lib import ScheduledFunction

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table


class ScheduledStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: ScheduledFunction", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.sessions = demo_table(self, "Sessions", partition_key="session_id")
        self.cleanup = ScheduledFunction(
            self,
            "HourlyCleanup",
            schedule=events.Schedule.cron(minute="5"),  # every hour at minute 5 (UTC)
            entry=HANDLERS / "scheduled_cleanup",
            powertools=True,
            environment={
                "TABLE_NAME": self.sessions.table_name,
                "KEY_ATTRIBUTES": "session_id",
                "POWERTOOLS_SERVICE_NAME": "session-cleanup",
                "POWERTOOLS_METRICS_NAMESPACE": "constructs_lib/demo",
            },
        )
        self.sessions.grant(self.cleanup.function.role, "dynamodb:Scan", "dynamodb:BatchWriteItem")
