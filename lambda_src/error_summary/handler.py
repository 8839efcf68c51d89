"""Summarizes the error lines of another function's logs: a CloudWatch Logs subscriber (LogSubscriber).

CloudWatch Logs invokes it asynchronously with batches of the events its subscription filter matched, gzip-
compressed and base64-encoded (Powertools' CloudWatchLogsEvent decodes them). For each batch it logs one summary
(log group, stream, how many error lines, the first of them) and publishes the count as the ErrorLines metric
(embedded metric format: written to its own logs, no API call). A batch that cannot be decoded raises: Lambda
retries it twice, then keeps it in the stack's failed-events queue. Environment: POWERTOOLS_METRICS_NAMESPACE.
"""

from __future__ import annotations

import json

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import CloudWatchLogsEvent, event_source

logger = Logger()
metrics = Metrics()
MAX_SAMPLE = 500  # characters of the first error line kept in the summary


def message_of(line: str) -> str:
    """What an error line says: the "message" of a JSON log line, Lambda's status of an invocation report (a
    timeout or a crashed runtime logs no line of its own), else the line itself."""
    try:
        parsed = json.loads(line)
    except json.JSONDecodeError:
        return line.strip()
    if not isinstance(parsed, dict):
        return line.strip()
    record = parsed.get("record")
    if parsed.get("type") == "platform.report" and isinstance(record, dict):
        return " ".join(str(part) for part in ("invocation", record.get("status"), record.get("errorType"),
                                               record.get("requestId")) if part)
    return str(parsed.get("message", line)).strip()


def summary(event: CloudWatchLogsEvent) -> dict:
    data = event.parse_logs_data()
    messages = [message_of(e.message) for e in data.log_events]
    return {"log_group": data.log_group, "log_stream": data.log_stream, "error_lines": len(messages),
            "first": messages[0][:MAX_SAMPLE] if messages else None}


@metrics.log_metrics
@logger.inject_lambda_context
@event_source(data_class=CloudWatchLogsEvent)
def handler(event: CloudWatchLogsEvent, context: object) -> dict:
    found = summary(event)
    if found["error_lines"]:
        logger.info("error lines", extra=found)
        metrics.add_dimension(name="LogGroup", value=found["log_group"])
        metrics.add_metric(name="ErrorLines", unit=MetricUnit.Count, value=found["error_lines"])
    return found
