"""Post-traffic hook: after the shift, checks the alias's errors of the last minutes.

Failed when the alias logged more than MAX_ERRORS errors in the last WINDOW_MINUTES minutes (or
when the metric cannot be read); CodeDeploy then rolls the alias back to the previous version.
Environment: FUNCTION_NAME, ALIAS_NAME, WINDOW_MINUTES (default 10), MAX_ERRORS (default 0).
"""

import os
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3

from report import report

cloudwatch = boto3.client("cloudwatch")  # pyright: ignore[reportUnknownMemberType]: overloads of services without stubs


def alias_errors(function_name: str, alias_name: str, minutes: int) -> float:
    """Sum of Lambda's Errors metric for the alias over the last `minutes`."""
    now = datetime.now(timezone.utc)
    statistics = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[
            {"Name": "FunctionName", "Value": function_name},
            {"Name": "Resource", "Value": f"{function_name}:{alias_name}"},
        ],
        StartTime=now - timedelta(minutes=minutes),
        EndTime=now + timedelta(minutes=1),  # the current, unfinished minute counts too
        Period=60,
        Statistics=["Sum"],
    )
    return sum(point.get("Sum", 0.0) for point in statistics["Datapoints"])


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    try:
        minutes = int(os.environ.get("WINDOW_MINUTES", "10"))
        allowed = float(os.environ.get("MAX_ERRORS", "0"))
        errors = alias_errors(os.environ["FUNCTION_NAME"], os.environ["ALIAS_NAME"], minutes)
        problem = None if errors <= allowed else (
            f"the alias had {errors:g} errors in the last {minutes} minutes (at most {allowed:g} allowed)"
        )
    except Exception as error:  # unknown health is not good health
        problem = f"the alias's errors could not be checked: {type(error).__name__}: {error}"
    return report(event, problem)
