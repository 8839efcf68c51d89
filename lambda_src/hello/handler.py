"""Greets the caller of a function URL (or of a direct invocation) by name."""

import json
import os

from aws_lambda_powertools import Logger

logger = Logger()
GREETING = os.environ.get("GREETING", "Hello")


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    params = event.get("queryStringParameters") or {}
    name = params.get("name") or event.get("name") or "world"
    if not isinstance(name, str) or len(name) > 100:
        logger.warning("rejected name", extra={"name_type": type(name).__name__})
        return {"statusCode": 400, "body": json.dumps({"error": "name must be a string of at most 100 characters"})}
    logger.info("greeting", extra={"caller": name})
    return {"statusCode": 200, "body": json.dumps({"message": f"{GREETING}, {name}!"})}
