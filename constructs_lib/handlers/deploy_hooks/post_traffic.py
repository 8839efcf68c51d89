"""Post-traffic hook: after the shift, judges the new version by its own errors since the deployment began.

Lambda counts an alias's invocations under FunctionName and Resource=<function>:<alias>, and each version's among
them with ExecutedVersion=<version> as well. The hook sums the Errors of TARGET_VERSION, the version being
deployed, from the minute CodeDeploy created the deployment (GetDeployment's createTime) to now: errors of the
outgoing version (the very ones a fix is deployed for) do not count, nor do errors the new version had in an
earlier deployment (a rollback deploys an older version again). The version reaches the alias only once traffic
shifts, so every error it had through the alias since then happened during this deployment.

Failed when the new version had more than MAX_ERRORS errors (default 0), or when they cannot be read (unknown
health is not good health); CodeDeploy then rolls the alias back. Either way the hook reports: its calls time out
early, so that it keeps the time to report within its own timeout.
Environment: FUNCTION_NAME, ALIAS_NAME, TARGET_VERSION, MAX_ERRORS.
"""

import math
import os
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
from botocore.config import Config

from report import report

# A few seconds per call and one retry: at worst about 20 s each, well within the hook's minute.
QUICK = Config(connect_timeout=3, read_timeout=5, retries={"total_max_attempts": 2})
cloudwatch = boto3.client("cloudwatch", config=QUICK)  # pyright: ignore[reportUnknownMemberType]: see report.py
codedeploy = boto3.client("codedeploy", config=QUICK)  # pyright: ignore[reportUnknownMemberType]: see report.py
MAX_DATAPOINTS = 1440  # what one GetMetricStatistics call returns at most


def deployment_began(deployment_id: str) -> datetime:
    began = codedeploy.get_deployment(deploymentId=deployment_id).get("deploymentInfo", {}).get("createTime")
    if began is None:
        raise LookupError(f"CodeDeploy gave no creation time for deployment {deployment_id}")
    return began


def period_for(start: datetime, end: datetime, now: datetime) -> int:
    """Seconds per datapoint: at most MAX_DATAPOINTS of them, and a period CloudWatch still keeps for data that
    old (1 minute for 15 days, 5 minutes for 63 days, then 1 hour)."""
    age = now - start
    step = 60 if age <= timedelta(days=15) else 300 if age <= timedelta(days=63) else 3600
    return step * max(1, math.ceil((end - start).total_seconds() / (MAX_DATAPOINTS * step)))


def version_errors(function_name: str, alias_name: str, version: str, since: datetime, now: datetime) -> float:
    """Sum of Lambda's Errors of `version` among the alias's invocations, from the minute of `since` to now."""
    start = since.replace(second=0, microsecond=0)
    end = now + timedelta(minutes=1)  # the current, unfinished minute counts too
    statistics = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[
            {"Name": "FunctionName", "Value": function_name},
            {"Name": "Resource", "Value": f"{function_name}:{alias_name}"},
            {"Name": "ExecutedVersion", "Value": version},
        ],
        StartTime=start,
        EndTime=end,
        Period=period_for(start, end, now),
        Statistics=["Sum"],
    )
    return sum(point.get("Sum", 0.0) for point in statistics["Datapoints"])


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    try:
        version = os.environ["TARGET_VERSION"]
        allowed = float(os.environ.get("MAX_ERRORS", "0"))
        since = deployment_began(event["DeploymentId"])
        errors = version_errors(
            os.environ["FUNCTION_NAME"], os.environ["ALIAS_NAME"], version, since, datetime.now(timezone.utc)
        )
        problem = None if errors <= allowed else (
            f"version {version} had {errors:g} errors through the alias since the deployment began at "
            f"{since.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC (at most {allowed:g} allowed)"
        )
    except Exception as error:  # unknown health is not good health
        problem = f"the new version's errors could not be checked: {type(error).__name__}: {error}"
    return report(event, problem)
