"""FirehoseTransform: click events put into a Firehose stream, normalized by a function into newline-delimited
JSON, delivered to S3.

Put a click with `aws firehose put-record --delivery-stream-name <Stream> --cli-binary-format raw-in-base64-out
--record '{"Data": "{\"page\": \"/home\", \"userId\": \"u-1\", \"timestamp\": 1767322800000}"}'`; a minute or so
later (the transformation gathers 60 s of records, the delivery 300 s) it is a line under clicks/ in the bucket,
and a record the function could not read is under processing-failed/.
"""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import FirehoseTransform

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS


class FirehoseStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: FirehoseTransform", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.clicks = FirehoseTransform(
            self, "Clicks", prefix="clicks/!{timestamp:yyyy/MM/dd/HH}/",
            entry=HANDLERS / "click_normalizer", powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "click-normalizer"},
        )
