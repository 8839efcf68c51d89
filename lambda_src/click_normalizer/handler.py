"""Normalizes click events into newline-delimited JSON: a Firehose transformation (FirehoseTransform).

Firehose invokes it synchronously with a batch of records and waits at most 5 minutes. Each record is answered,
by its recordId (Powertools' KinesisFirehoseDataTransformationResponse):
- Ok, with one line of JSON: {"page", "user_id", "at"}: the page path, the user and the time in UTC (ISO 8601);
- Dropped: a heartbeat ({"type": "heartbeat"}), which is not a click;
- ProcessingFailed: anything else (not JSON, no page, no user, a time it cannot read); Firehose writes it to the
  bucket under processing-failed/ for a look.
The response must stay within 6 MB (Lambda's limit for a synchronous answer): each line is no longer than its
record, and Firehose sends at most 3 MB a batch (FirehoseTransform's buffer), so it does.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Optional

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import (
    KinesisFirehoseDataTransformationRecord,
    KinesisFirehoseDataTransformationResponse,
    KinesisFirehoseEvent,
    event_source,
)
from aws_lambda_powertools.utilities.serialization import base64_encode

logger = Logger()


class NotAClick(ValueError):
    """A record that is neither a click nor a heartbeat."""


def instant(value: Any) -> str:
    """A click's time in UTC, ISO 8601 to the millisecond: from epoch milliseconds or an ISO 8601 string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise NotAClick(f"unreadable time {value[:40]!r}") from None
        if moment.tzinfo is None:
            raise NotAClick("a time without a time zone")
    else:
        raise NotAClick("no time")
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def normalized(payload: dict) -> Optional[dict]:
    """A click as one line will hold it, or None for a heartbeat."""
    if payload.get("type") == "heartbeat":
        return None
    page = payload.get("page") or payload.get("path")
    user = payload.get("userId") or payload.get("user_id")
    if not isinstance(page, str) or not page.startswith("/"):
        raise NotAClick("no page path")
    if not isinstance(user, str) or not user:
        raise NotAClick("no user")
    return {"page": page.split("?")[0], "user_id": user, "at": instant(payload.get("timestamp", payload.get("at")))}


@logger.inject_lambda_context
@event_source(data_class=KinesisFirehoseEvent)
def handler(event: KinesisFirehoseEvent, context: object) -> dict:
    response = KinesisFirehoseDataTransformationResponse()
    for record in event.records:
        try:
            payload = json.loads(record.data_as_text)
            if not isinstance(payload, dict):
                raise NotAClick("not a JSON object")
            click = normalized(payload)
        except (json.JSONDecodeError, UnicodeDecodeError, NotAClick) as error:
            logger.info("record failed", extra={"record_id": record.record_id, "reason": str(error)[:200]})
            response.add_record(record.build_data_transformation_response(result="ProcessingFailed",
                                                                           data=record.data))
            continue
        if click is None:
            response.add_record(KinesisFirehoseDataTransformationRecord(record_id=record.record_id, result="Dropped"))
            continue
        line = json.dumps(click, separators=(",", ":")) + "\n"
        response.add_record(record.build_data_transformation_response(data=base64_encode(line)))
    return response.asdict()
