"""Processes a batch of SQS messages; a message that fails is retried, then kept in the dead-letter queue."""

import json
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            print(json.dumps({"message": "processed", "id": record["messageId"], "keys": sorted(body)}))
        except (ValueError, TypeError, AttributeError) as error:
            print(json.dumps({"message": "rejected", "id": record["messageId"], "error": str(error)}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
