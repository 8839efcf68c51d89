"""The hourly clean-up against moto's DynamoDB, with EventBridge's documented scheduled event."""

from __future__ import annotations

import time

import boto3
import pytest

from tests.handlers import Context, load_handler, moto_aws, on_demand_table
from tests.helpers import ROOT

TABLE = "sessions"
SCHEDULED_EVENT = {
    "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
    "source": "aws.events", "account": "123456789012", "time": "2026-11-24T10:05:00Z", "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/hourly-cleanup"], "detail": {},
}


@pytest.fixture(scope="module")
def aws():
    with moto_aws(TABLE_NAME=TABLE, KEY_ATTRIBUTES="session_id", POWERTOOLS_METRICS_NAMESPACE="test"):
        on_demand_table(TABLE, "session_id")
        table = boto3.resource("dynamodb").Table(TABLE)
        yield load_handler(ROOT / "lambda_src" / "scheduled_cleanup" / "handler.py", "cleanup_handler"), table


def session_ids(table) -> set[str]:
    return {item["session_id"] for item in table.scan()["Items"]}


def test_deletes_expired_items_only_and_reports_the_count(aws, capsys) -> None:
    handler, table = aws
    now = int(time.time())
    with table.batch_writer() as batch:
        for i in range(60):  # more than one BatchWriteItem call of 25
            batch.put_item(Item={"session_id": f"old-{i}", "expires_at": now - 60})
        batch.put_item(Item={"session_id": "fresh", "expires_at": now + 3600})
        batch.put_item(Item={"session_id": "forever"})

    assert handler.handler(SCHEDULED_EVENT, Context()) == {"deleted": 60}
    assert session_ids(table) == {"fresh", "forever"}
    assert '"ExpiredItemsDeleted"' in capsys.readouterr().out  # the EMF metric line

    assert handler.handler(SCHEDULED_EVENT, Context()) == {"deleted": 0}  # a rerun deletes nothing
    assert session_ids(table) == {"fresh", "forever"}
