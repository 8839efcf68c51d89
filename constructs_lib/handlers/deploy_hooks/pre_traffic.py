"""Pre-traffic hook: invokes the new version with a smoke event before any traffic shifts to it.

Failed when the invocation raises a function error or, for an HTTP-style answer, returns a status
code of 500 or more; also when the version cannot be invoked at all. Any other answer succeeds.
Environment: TARGET_VERSION_ARN (the version being deployed), SMOKE_EVENT (JSON, default {}),
SMOKE_TIMEOUT_SECONDS (how long to wait for the answer, default 60).
"""

import json
import os
from typing import Any, cast

import boto3
from botocore.config import Config

from report import report

# Wait as long as the version may run, and never retry: the hook must have time left to report.
lambda_client = boto3.client("lambda", config=Config(  # pyright: ignore[reportUnknownMemberType]: see report.py
    read_timeout=float(os.environ.get("SMOKE_TIMEOUT_SECONDS", "60")), retries={"total_max_attempts": 1},
))


def smoke_test(version_arn: str, event: object) -> str | None:
    """What is wrong with the version's answer to `event`, or None."""
    response = lambda_client.invoke(
        FunctionName=version_arn, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
    )
    payload = response["Payload"].read()
    if response.get("FunctionError"):
        return f"the smoke invocation failed ({response['FunctionError']}): {payload[:500].decode(errors='replace')}"
    try:
        answer = json.loads(payload)
    except ValueError:
        return None
    status = cast(dict[str, Any], answer).get("statusCode") if isinstance(answer, dict) else None
    if isinstance(status, int) and status >= 500:
        return f"the smoke invocation answered with status code {status}"
    return None


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    try:
        problem = smoke_test(os.environ["TARGET_VERSION_ARN"], json.loads(os.environ.get("SMOKE_EVENT") or "{}"))
    except Exception as error:  # a version that cannot be tested must not get traffic
        problem = f"the smoke test could not run: {type(error).__name__}: {error}"
    return report(event, problem)
