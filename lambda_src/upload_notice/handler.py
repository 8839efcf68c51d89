"""Announces each upload that reaches FanOut's topic: an SNS trigger (TopicSubscriber) on the same topic as
the queues.

SNS invokes asynchronously: a message that is not an S3 event raises, Lambda retries it twice, then sends it
to the on-failure queue with the error, so nothing is lost. S3's test event is skipped.
"""

import json
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger

logger = Logger()


def uploads_in(message: str) -> list[str]:
    """The object keys of an S3 event delivered as an SNS message."""
    try:
        event = json.loads(message)
    except json.JSONDecodeError as error:
        raise ValueError(f"the message is not JSON ({error.msg})") from None
    if not isinstance(event, dict):
        raise ValueError("the message is not an S3 event")
    if event.get("Event") == "s3:TestEvent":
        return []
    records = event.get("Records")
    if not isinstance(records, list) or not all(isinstance(r, dict) and "s3" in r for r in records):
        raise ValueError("the message is not an S3 event")
    return [unquote_plus(r["s3"]["object"]["key"]) for r in records]


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    announced = 0
    for record in event.get("Records", []):
        for key in uploads_in(record["Sns"]["Message"]):
            logger.info("new upload", extra={"key": key, "topic": record["Sns"].get("TopicArn", "")})
            announced += 1
    return {"announced": announced}
