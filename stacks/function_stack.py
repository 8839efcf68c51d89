"""ServerlessFunction on its own: IAM-authenticated function URL, Powertools, failures kept in a queue."""

from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib import ServerlessFunction
from constructs_lib.queues import failure_queue

from .paths import HANDLERS


class FunctionStack(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: ServerlessFunction")
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
        )
