"""The packaged CodeDeploy hooks against moto's Lambda and CloudWatch.

moto has no PutLifecycleEventHookExecutionStatus, so the CodeDeploy client is a botocore Stubber,
which checks each call against CodeDeploy's API model: every run must report exactly once.
"""

from __future__ import annotations

import io
import json
import sys
import urllib.request
import zipfile
from datetime import datetime, timezone

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
    with moto_aws(FUNCTION_NAME=FUNCTION, ALIAS_NAME="live", SMOKE_EVENT='{"name": "smoke-test"}') as endpoint:
        post(endpoint, "/moto-api/config", {"lambda": {"use_docker": False}})  # invoke without Docker
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
            post(endpoint, "/moto-api/config", {"lambda": {"use_docker": True}})


def run_hook(report, hook, expected_status: str) -> dict:
    with Stubber(report.codedeploy) as codedeploy:
        codedeploy.add_response(
            "put_lifecycle_event_hook_execution_status",
            {"lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"]},
            {"deploymentId": EVENT["DeploymentId"],
             "lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"], "status": expected_status},
        )
        result = hook.handler(dict(EVENT), Context())
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


def put_alias_errors(count: float) -> None:
    boto3.client("cloudwatch").put_metric_data(Namespace="AWS/Lambda", MetricData=[{
        "MetricName": "Errors", "Value": count, "Unit": "Count", "Timestamp": datetime.now(timezone.utc),
        "Dimensions": [{"Name": "FunctionName", "Value": FUNCTION}, {"Name": "Resource", "Value": f"{FUNCTION}:live"}],
    }])


def test_post_traffic_checks_the_alias_errors(aws, monkeypatch) -> None:
    _, _, report, _, post_hook = aws
    assert run_hook(report, post_hook, "Succeeded")["problem"] is None  # no datapoints: no errors
    put_alias_errors(2)
    put_alias_errors(1)
    assert run_hook(report, post_hook, "Failed")["problem"] == (
        "the alias had 3 errors in the last 10 minutes (at most 0 allowed)")
    monkeypatch.setenv("MAX_ERRORS", "3")
    assert run_hook(report, post_hook, "Succeeded")["problem"] is None


def test_post_traffic_reports_failed_when_the_check_cannot_run(aws, monkeypatch) -> None:
    _, _, report, _, post_hook = aws
    monkeypatch.setenv("WINDOW_MINUTES", "ten")
    problem = run_hook(report, post_hook, "Failed")["problem"]
    assert problem.startswith("the alias's errors could not be checked: ValueError")
