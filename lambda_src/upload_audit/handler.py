"""Writes an audit line for every upload (who, what, how big), from FanOut's second queue.

The lines are structured JSON in the function's log group, for CloudWatch Logs Insights; a message whose
body is not an S3 event is reported in `batchItemFailures` and ends in the dead-letter queue.
"""

from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from s3_records import records_of

logger = Logger()


def audit_line(record: dict) -> dict:
    return {
        "event": record.get("eventName", ""), "key": unquote_plus(record["s3"]["object"]["key"]),
        "size": record["s3"]["object"].get("size", 0),
        "principal": record.get("userIdentity", {}).get("principalId", ""),
        "source_ip": record.get("requestParameters", {}).get("sourceIPAddress", ""),
        "time": record.get("eventTime", ""),
    }


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    failed = []
    for message in event.get("Records", []):
        try:
            lines = [audit_line(record) for _, record in records_of(message)]
        except (ValueError, KeyError) as error:
            logger.error("not an S3 event", extra={"message_id": message["messageId"], "error": str(error)})
            failed.append({"itemIdentifier": message["messageId"]})
            continue
        for line in lines:
            logger.info("upload", extra=line)
    return {"batchItemFailures": failed}
