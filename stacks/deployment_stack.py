"""Safe deployment: a canary-deployed function with both packaged hooks, alarms to a topic, a dashboard."""

from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib import (
    Dashboard,
    Deployment,
    ProvisionedConcurrencyScaling,
    ServerlessFunction,
)
from constructs_lib.queues import failure_queue

from .paths import HANDLERS


class DeploymentStack(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: CodeDeploy canary with hooks")
        self.alarm_topic = sns.Topic(
            self, "Alarms", enforce_ssl=True,
            master_key=kms.Key(self, "AlarmsKey", enable_key_rotation=True, description="Encrypts Alarms"),
        )
        self.greeter = ServerlessFunction(
            self,
            "Greeter",
            entry=HANDLERS / "hello",
            powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "greeter", "GREETING": "Hello"},
            provisioned_concurrency=1,
            provisioned_concurrency_scaling=ProvisionedConcurrencyScaling(min_capacity=1, max_capacity=5),
            deployment=Deployment.canary(
                percent=10, interval_minutes=5, pre_traffic_hook=True, post_traffic_hook=True,
                smoke_event={"name": "smoke-test"},
            ),
            on_failure=failure_queue(self, "Failures"),
            alarm_topic=self.alarm_topic,
            function_url_auth="AWS_IAM",
        )
        self.dashboard = Dashboard(self, "Dashboard", constructs=[self.greeter])
