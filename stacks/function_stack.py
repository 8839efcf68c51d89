"""ServerlessFunction on its own: IAM-authenticated function URL with CORS that another account's role may
call, Powertools, failures kept in a queue.

The other account comes from the context value `constructs_lib:url-invoker-account` (cdk.json holds
AWS's documentation placeholder, 111122223333; pass `-c constructs_lib:url-invoker-account=<id>`).
"""

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib import ServerlessFunction
from constructs_lib.resources.queues import failure_queue

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS


class FunctionStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: ServerlessFunction", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        invoker_account = self.node.get_context("constructs_lib:url-invoker-account")
        self.failures = failure_queue(self, "Failures")
        self.hello = ServerlessFunction(
            self,
            "Hello",
            entry=HANDLERS / "hello",
            powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "hello", "GREETING": "Hello"},
            on_failure=self.failures,
            function_url_auth="AWS_IAM",
            function_url_cors=lambda_.FunctionUrlCorsOptions(allowed_origins=["https://example.com"]),
            function_url_invokers=[iam.ArnPrincipal(f"arn:{self.partition}:iam::{invoker_account}:role/UrlClient")],
        )
