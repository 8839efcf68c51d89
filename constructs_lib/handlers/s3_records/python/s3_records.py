"""The S3 event records inside an SQS event whose messages came from S3 through SNS with raw message
delivery (FanOut's workers): each SQS message body is the S3 event itself, {"Records": [...]}.

    from s3_records import s3_records

    def handler(event, context):
        for message_id, record in s3_records(event):
            key = record["s3"]["object"]["key"]   # URL-encoded, as S3 sends it
            ...

The test event S3 sends when notifications are configured ({"Event": "s3:TestEvent", ...}) holds no
records and is skipped. A body that is not an S3 event raises ValueError naming the message, so the
message is reported as failed and, after the queue's receives, rests in its dead-letter queue.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, cast


def s3_records(sqs_event: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(SQS message id, S3 event record) for every S3 record of every message of the batch."""
    for message in sqs_event.get("Records", []):
        yield from records_of(message)


def records_of(message: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The S3 event records of one SQS message (none for S3's test event)."""
    message_id = message.get("messageId", "?")
    try:
        body = json.loads(message.get("body") or "")
    except json.JSONDecodeError as error:
        raise ValueError(f"message {message_id}: the body is not JSON ({error.msg})") from None
    if not isinstance(body, dict):
        raise ValueError(f"message {message_id}: the body is not an S3 event")
    event = cast(dict[str, Any], body)
    if event.get("Event") == "s3:TestEvent":
        return
    records: Any = event.get("Records")
    if not isinstance(records, list) or not all(isinstance(r, dict) and "s3" in r for r in cast(list[Any], records)):
        raise ValueError(f"message {message_id}: the body is not an S3 event")
    for record in cast(list[dict[str, Any]], records):
        yield message_id, record
