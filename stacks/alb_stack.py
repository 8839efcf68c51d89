"""AlbFunction: an internet-facing load balancer in front of an echo function, multi-value headers on."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import AlbFunction

from .paths import HANDLERS


class AlbStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: AlbFunction", **stack_options)
        self.echo = AlbFunction(
            self,
            "Echo",
            entry=HANDLERS / "alb",
            powertools=True,
            multi_value_headers=True,
            environment={"POWERTOOLS_SERVICE_NAME": "alb-echo"},
        )
