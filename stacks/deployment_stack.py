"""Safe deployment: a canary-deployed function with both packaged hooks, alarms to a topic, a dashboard.

Provisioned concurrency is opt-in: `-c constructs_lib:provisioned-concurrency=N` keeps N environments
initialised on the alias, scaled by Application Auto Scaling between N and 5 x N. It fails the deploy
in an account whose unreserved concurrency would fall below 100 (new accounts may have a quota of 10):
see docs/deploying.md for how to check first.
"""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import (
    Dashboard,
    Deployment,
    ProvisionedConcurrencyScaling,
    ServerlessFunction,
)
from constructs_lib.resources.queues import failure_queue

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS


class DeploymentStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: CodeDeploy canary with hooks",
                         **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        provisioned = int(self.node.try_get_context("constructs_lib:provisioned-concurrency") or 0)
        self.greeter = ServerlessFunction(
            self,
            "Greeter",
            entry=HANDLERS / "hello",
            powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "greeter", "GREETING": "Hello"},
            provisioned_concurrency=provisioned or None,
            provisioned_concurrency_scaling=ProvisionedConcurrencyScaling(
                min_capacity=provisioned, max_capacity=5 * provisioned) if provisioned else None,
            deployment=Deployment.canary(
                percent=10, interval_minutes=5, pre_traffic_hook=True, post_traffic_hook=True,
                smoke_event={"name": "smoke-test"},
            ),
            on_failure=failure_queue(self, "Failures"),
            function_url_auth="AWS_IAM",
        )
        self.dashboard = Dashboard(self, "Dashboard", constructs=[self.greeter])
