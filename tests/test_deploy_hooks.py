"""The packaged CodeDeploy hooks against moto's Lambda, CloudWatch and CodeDeploy (GetDeployment).

moto has no PutLifecycleEventHookExecutionStatus, so the client that reports is a botocore Stubber,
which checks each call against CodeDeploy's API model: every run must report exactly once.
"""

from __future__ import annotations

import io
import json
import sys
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import Stubber

from constructs_lib.function.safe_deployment import HOOKS_ENTRY
from tests.handlers import Context, load_handler, moto_aws

EVENT = {"DeploymentId": "d-ABCDEF123", "LifecycleEventHookExecutionId": "hook-execution-1"}
FUNCTION = "greeter"


def post(endpoint: str, path: str, body: dict) -> None:
    request = urllib.request.Request(f"{endpoint}{path}", data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(request).close()


def zipped_handler() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def aws():
    with moto_aws({"lambda": {"use_docker": False}},  # invoke without Docker: moto's simple Lambda
                  FUNCTION_NAME=FUNCTION, ALIAS_NAME="live", SMOKE_EVENT='{"name": "smoke-test"}') as endpoint:
        role = boto3.client("iam").create_role(
            RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
        )["Role"]["Arn"]
        lambda_client = boto3.client("lambda")
        lambda_client.create_function(
            FunctionName=FUNCTION, Runtime="python3.12", Role=role, Handler="handler.handler",
            Code={"ZipFile": zipped_handler()},
        )
        version_arn = lambda_client.publish_version(FunctionName=FUNCTION)["FunctionArn"]
        sys.path.insert(0, str(HOOKS_ENTRY))  # Lambda puts the code's folder on the path
        try:
            report = load_handler(HOOKS_ENTRY / "report.py", "report")
            pre = load_handler(HOOKS_ENTRY / "pre_traffic.py", "pre_traffic")
            post_hook = load_handler(HOOKS_ENTRY / "post_traffic.py", "post_traffic")
            yield endpoint, version_arn, report, pre, post_hook
        finally:
            sys.path.remove(str(HOOKS_ENTRY))


def run_hook(report, hook, expected_status: str, event: dict = EVENT) -> dict:
    """Runs `hook` on `event`: it must report `expected_status`, exactly once."""
    with Stubber(report.codedeploy) as codedeploy:
        codedeploy.add_response(
            "put_lifecycle_event_hook_execution_status",
            {"lifecycleEventHookExecutionId": event["LifecycleEventHookExecutionId"]},
            {"deploymentId": event["DeploymentId"],
             "lifecycleEventHookExecutionId": event["LifecycleEventHookExecutionId"], "status": expected_status},
        )
        result = hook.handler(dict(event), Context())
        codedeploy.assert_no_pending_responses()
    assert result["status"] == expected_status
    return result


def test_pre_traffic_succeeds_when_the_new_version_answers(aws, monkeypatch) -> None:
    _, version_arn, report, pre, _ = aws
    monkeypatch.setenv("TARGET_VERSION_ARN", version_arn)
    assert run_hook(report, pre, "Succeeded")["problem"] is None


def test_pre_traffic_fails_on_a_5xx_answer(aws, monkeypatch) -> None:
    endpoint, version_arn, report, pre, _ = aws
    monkeypatch.setenv("TARGET_VERSION_ARN", version_arn)
    post(endpoint, "/moto-api/static/lambda-simple/response", {"results": ['{"statusCode": 503}']})
    assert run_hook(report, pre, "Failed")["problem"] == "the smoke invocation answered with status code 503"


def test_pre_traffic_reports_failed_when_the_test_cannot_run(aws, monkeypatch, caplog) -> None:
    _, _, report, pre, _ = aws
    monkeypatch.delenv("TARGET_VERSION_ARN", raising=False)
    problem = run_hook(report, pre, "Failed")["problem"]
    assert problem == "the smoke test could not run: KeyError: 'TARGET_VERSION_ARN'"
    assert [r.levelname for r in caplog.records if r.getMessage() == "hook Failed"] == ["ERROR"]


def new_deployment() -> str:
    """A deployment of the function's alias in moto's CodeDeploy, created now: the hook reads its createTime."""
    client = boto3.client("codedeploy")
    if "greeter" not in client.list_applications()["applications"]:
        client.create_application(applicationName="greeter", computePlatform="Lambda")
        client.create_deployment_group(applicationName="greeter", deploymentGroupName="live",
                                       serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy")
    return client.create_deployment(applicationName="greeter", deploymentGroupName="live")["deploymentId"]


def put_errors(function: str, version: str, count: float, minutes_ago: int = 0) -> None:
    """Errors through the alias as Lambda counts them: for the alias, and for the version that ran them."""
    timestamp = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    alias = [{"Name": "FunctionName", "Value": function}, {"Name": "Resource", "Value": f"{function}:live"}]
    boto3.client("cloudwatch").put_metric_data(Namespace="AWS/Lambda", MetricData=[
        {"MetricName": "Errors", "Value": count, "Unit": "Count", "Timestamp": timestamp, "Dimensions": dimensions}
        for dimensions in (alias, [*alias, {"Name": "ExecutedVersion", "Value": version}])])


@pytest.fixture
def deployed(aws, monkeypatch, request) -> tuple[dict, str]:
    """An event of a new deployment of version 2 of a function of this test's own (metrics stay apart)."""
    function = f"greeter-{request.node.name.replace('[', '-').rstrip(']')}"[:64]
    monkeypatch.setenv("FUNCTION_NAME", function)
    monkeypatch.setenv("TARGET_VERSION", "2")
    return {**EVENT, "DeploymentId": new_deployment()}, function


def test_post_traffic_succeeds_when_only_the_outgoing_version_failed(aws, deployed) -> None:
    """The errors a fix is deployed for belong to the old version: they must not roll the fix back."""
    _, _, report, _, post_hook = aws
    event, function = deployed
    assert run_hook(report, post_hook, "Succeeded", event)["problem"] is None  # no datapoints: no errors
    put_errors(function, "1", 5)
    assert run_hook(report, post_hook, "Succeeded", event)["problem"] is None


def test_post_traffic_fails_on_errors_of_the_new_version(aws, deployed, monkeypatch) -> None:
    _, _, report, _, post_hook = aws
    event, function = deployed
    put_errors(function, "1", 5)
    put_errors(function, "2", 2)
    put_errors(function, "2", 1)
    problem = run_hook(report, post_hook, "Failed", event)["problem"]
    assert problem.startswith("version 2 had 3 errors through the alias since the deployment began at ")
    assert problem.endswith(" UTC (at most 0 allowed)")
    monkeypatch.setenv("MAX_ERRORS", "3")
    assert run_hook(report, post_hook, "Succeeded", event)["problem"] is None


def test_post_traffic_counts_only_the_time_since_the_deployment_began(aws, deployed) -> None:
    """A rollback deploys an older version again: its errors of earlier deployments do not count."""
    _, _, report, _, post_hook = aws
    event, function = deployed
    put_errors(function, "2", 4, minutes_ago=30)
    assert run_hook(report, post_hook, "Succeeded", event)["problem"] is None


@pytest.mark.parametrize("broken, message", [
    ({"TARGET_VERSION": None}, "KeyError: 'TARGET_VERSION'"),
    ({"DeploymentId": "d-UNKNOWN"}, "DeploymentDoesNotExistException"),
    ({"MAX_ERRORS": "none"}, "ValueError"),
])
def test_post_traffic_reports_failed_when_the_check_cannot_run(aws, deployed, monkeypatch, broken, message) -> None:
    _, _, report, _, post_hook = aws
    event, _ = deployed
    for name, value in broken.items():
        if name == "DeploymentId":
            event = {**event, name: value}
        elif value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    problem = run_hook(report, post_hook, "Failed", event)["problem"]
    assert problem.startswith("the new version's errors could not be checked: ") and message in problem


def test_post_traffic_reports_failed_when_cloudwatch_cannot_be_read(aws, deployed) -> None:
    _, _, report, _, post_hook = aws
    event, _ = deployed
    with Stubber(post_hook.cloudwatch) as cloudwatch:
        cloudwatch.add_client_error("get_metric_statistics", "Throttling", "Rate exceeded")
        problem = run_hook(report, post_hook, "Failed", event)["problem"]
    assert problem.startswith("the new version's errors could not be checked: ClientError")


def test_post_traffic_reads_periods_cloudwatch_keeps() -> None:
    """However long the deployment ran: at most 1,440 datapoints, in periods kept for data that old."""
    post_hook = load_handler(HOOKS_ENTRY / "post_traffic.py", "post_traffic_periods")
    now = datetime(2026, 1, 31, tzinfo=timezone.utc)
    assert post_hook.period_for(now - timedelta(minutes=10), now, now) == 60
    assert post_hook.period_for(now - timedelta(days=2), now, now) == 120
    assert post_hook.period_for(now - timedelta(days=20), now, now) == 1200
    assert post_hook.period_for(now - timedelta(days=100), now, now) == 2 * 3600
