"""Hourly clean-up: deletes the items of a table whose `expires_at` (epoch seconds) has passed.

DynamoDB's own TTL deletes within days; this job makes expiry exact to the hour and reports
what it removed as a CloudWatch metric. Running it twice deletes nothing twice (idempotent).
Environment: TABLE_NAME, KEY_ATTRIBUTES (the table's key attribute names, comma-separated).
"""

import os
import time

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from boto3.dynamodb.conditions import Attr

logger = Logger()
metrics = Metrics()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
KEYS = os.environ["KEY_ATTRIBUTES"].split(",")


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    now = int(time.time())
    scan = {
        "FilterExpression": Attr("expires_at").lt(now),
        "ProjectionExpression": ", ".join(f"#k{i}" for i in range(len(KEYS))),
        "ExpressionAttributeNames": {f"#k{i}": name for i, name in enumerate(KEYS)},
    }
    deleted = 0
    with table.batch_writer() as batch:
        while True:
            page = table.scan(**scan)
            for item in page["Items"]:
                batch.delete_item(Key={name: item[name] for name in KEYS})
                deleted += 1
            if "LastEvaluatedKey" not in page:
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    metrics.add_metric(name="ExpiredItemsDeleted", unit=MetricUnit.Count, value=deleted)
    logger.info("clean-up done", extra={"deleted": deleted, "scheduled_at": event.get("time")})
    return {"deleted": deleted}
