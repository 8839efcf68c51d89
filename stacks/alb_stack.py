"""AlbFunction: an internet-facing load balancer in front of an echo function, multi-value headers on.

HTTPS needs an ACM certificate for a domain of yours: `-c constructs_lib:alb-certificate-arn=arn:...`
(in the stack's region). Without one the demo serves plain HTTP, and says so with allow_plain_http=True:
an echo of the request is all it answers, and nothing secret crosses the wire. The regulated profile serves HTTPS
only: under it the demo needs the certificate.
"""

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_certificatemanager as acm
from constructs import Construct

from constructs_lib import AlbFunction
from constructs_lib.core.profile import is_regulated
from constructs_lib.core.validation import Checks

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS


class AlbStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: AlbFunction", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        certificate_arn = self.node.try_get_context("constructs_lib:alb-certificate-arn")
        checks = Checks(self, "AlbStack")
        checks.require(certificate_arn is not None or not is_regulated(self), "context constructs_lib:alb-certificate-arn",
                       None, "is needed under the regulated profile, which serves HTTPS only: give "
                       "-c constructs_lib:alb-certificate-arn=<ACM certificate ARN in the stack's region>")
        checks.raise_if_any()
        certificate = acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn) if certificate_arn else None
        self.echo = AlbFunction(
            self,
            "Echo",
            certificate=certificate,
            allow_plain_http=certificate is None,
            entry=HANDLERS / "alb",
            powertools=True,
            multi_value_headers=True,
            environment={"POWERTOOLS_SERVICE_NAME": "alb-echo"},
        )
