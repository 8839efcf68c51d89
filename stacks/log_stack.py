"""LogSubscriber: a function's log group -> subscription filter -> another function that summarizes its errors.

`Greeter` (the hello handler) logs as JSON; the `ErrorSummary` subscriber gets the lines whose level is CRITICAL,
ERROR or WARNING and the reports of invocations that did not succeed (a timeout, a crashed runtime), in batches, logs a summary of each and publishes the count as the metric Demo/ErrorLines. Try it with
`aws lambda invoke --function-name <Greeter> --cli-binary-format raw-in-base64-out --payload '{"name": 42}' out.json`:
the greeter refuses a name that is not a string, with a warning.
"""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import LogSubscriber, ServerlessFunction

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS

# Lambda's JSON log format: the lines of Powertools' Logger and the runtime by level, and the invocation reports of
# invocations that timed out or whose runtime failed (those write no error line of their own).
ERROR_LINES = ('{ ($.level = "CRITICAL") || ($.level = "ERROR") || ($.level = "WARNING") || '
               '($.type = "platform.report" && $.record.status != "success") }')


class LogStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: LogSubscriber", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.greeter = ServerlessFunction(
            self, "Greeter", entry=HANDLERS / "hello", powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "greeter", "GREETING": "Hello"},
        )
        self.summary = LogSubscriber(
            self, "ErrorSummary", log_group=self.greeter.log_group, filter_pattern=ERROR_LINES,
            entry=HANDLERS / "error_summary", powertools=True,
            environment={"POWERTOOLS_SERVICE_NAME": "error-summary", "POWERTOOLS_METRICS_NAMESPACE": "Demo"},
        )
