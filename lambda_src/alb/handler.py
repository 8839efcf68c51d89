"""Echoes an Application Load Balancer request as JSON, answering in the request's header mode.

With multi-value headers on, the target group sends `multiValueHeaders` and
`multiValueQueryStringParameters` (name=foo&name=bar -> ["foo", "bar"]) and the load balancer
accepts only a response with `multiValueHeaders`; otherwise both are single-valued. A response in
the wrong mode is a 502, so the mode is read from the request.
"""

import base64
import json
from http import HTTPStatus

from aws_lambda_powertools import Logger

logger = Logger()


def response(status: int, body: dict, multi_value: bool) -> dict:
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    answer = {
        "statusCode": status,
        "statusDescription": f"{status} {HTTPStatus(status).phrase}",
        "isBase64Encoded": False,
        "body": json.dumps(body),
    }
    if multi_value:
        answer["multiValueHeaders"] = {name: [value] for name, value in headers.items()}
    else:
        answer["headers"] = headers
    return answer


def request_body(event: dict) -> str:
    body = event.get("body") or ""
    return base64.b64decode(body).decode(errors="replace") if event.get("isBase64Encoded") else body


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    multi_value = "multiValueHeaders" in event
    if "httpMethod" not in event:
        logger.warning("not a load balancer request", extra={"keys": sorted(event)})
        return response(400, {"error": "expected an Application Load Balancer request"}, multi_value)
    if multi_value:
        headers = event.get("multiValueHeaders") or {}
        query = event.get("multiValueQueryStringParameters") or {}
    else:
        headers = event.get("headers") or {}
        query = event.get("queryStringParameters") or {}
    echo = {
        "method": event["httpMethod"],
        "path": event.get("path", "/"),
        "query": query,
        "headers": headers,
        "body": request_body(event),
    }
    logger.info("request", extra={"method": echo["method"], "path": echo["path"], "multi_value": multi_value})
    return response(200, echo, multi_value)
