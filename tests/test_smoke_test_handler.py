"""The delivery pipeline's smoke-test handler against moto's server (STS and Lambda, functions answering with the
results queued for them), with CodePipeline's job-result calls checked against the service model by botocore's
Stubber (moto has no PutJob*Result): every run reports exactly once, success or failure, whatever goes wrong."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import boto3
import pytest
import requests
from botocore.stub import ANY, Stubber

from tests.handlers import Context, load_handler, moto_aws

HANDLER = Path(__file__).resolve().parent.parent / "constructs_lib" / "handlers" / "pipeline_checks" / "smoke_test.py"
ACCOUNT = "123456789012"  # moto's account
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Beta-pipeline-checks"


@pytest.fixture
def aws() -> Iterator[str]:
    with moto_aws({"lambda": {"use_docker": False}}) as endpoint:  # moto's simple Lambda: queued answers
        iam = boto3.client("iam")
        iam.create_role(RoleName="Beta-pipeline-checks", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}))
        lambda_role = iam.create_role(RoleName="api", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        boto3.client("lambda").create_function(FunctionName="api", Runtime="python3.13", Role=lambda_role,
                                               Handler="index.handler", Code={"ZipFile": b"not run"})
        yield endpoint


def answers(endpoint: str, *results: object) -> None:
    """What the next invocations of any function answer (moto's simple Lambda), in order."""
    requests.post(f"{endpoint}/moto-api/static/lambda-simple/response", timeout=10, json={
        "results": [json.dumps(result) for result in results], "region": "us-east-1"})


def job(targets: list[dict[str, Any]], role: str = ROLE) -> dict[str, Any]:
    parameters = json.dumps({"roleArn": role, "region": "us-east-1", "targets": targets})
    return {"CodePipeline.job": {"id": "job-1", "data": {"actionConfiguration": {"configuration": {
        "UserParameters": parameters}}}}}


@pytest.fixture
def handler(aws: str) -> ModuleType:
    module = load_handler(HANDLER, "smoke_test_handler")
    module.codepipeline = boto3.client("codepipeline", region_name="us-east-1")
    return module


def expect_success(module: ModuleType) -> Stubber:
    stubber = Stubber(module.codepipeline)
    stubber.add_response("put_job_success_result", {}, {"jobId": "job-1"})
    stubber.activate()
    return stubber


def expect_failure(module: ModuleType) -> Stubber:
    stubber = Stubber(module.codepipeline)
    stubber.add_response("put_job_failure_result", {}, {"jobId": "job-1", "failureDetails": {
        "type": "JobFailed", "message": ANY, "externalExecutionId": "req-1"}})
    stubber.activate()
    return stubber


def test_healthy_functions_pass_the_stage(aws: str, handler: ModuleType) -> None:
    answers(aws, {"statusCode": 200}, {"statusCode": 404})
    stubber = expect_success(handler)
    result = handler.handler(job([{"function": "api", "event": {"ping": True}}, {"function": "api"}]), Context())
    assert result == {"job": "job-1", "problems": []}
    stubber.assert_no_pending_responses()


def test_an_answer_of_500_or_more_fails_the_stage(aws: str, handler: ModuleType) -> None:
    answers(aws, {"statusCode": 200}, {"statusCode": 503})
    stubber = expect_failure(handler)
    result = handler.handler(job([{"function": "api"}, {"function": "api"}]), Context())
    assert result["problems"] == ["api answered with status code 503"]
    stubber.assert_no_pending_responses()


def test_a_function_error_fails_the_stage(aws: str, handler: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lambda answers a function that raised with 200 and X-Amz-Function-Error (moto's simple Lambda never does)."""
    client = handler.lambda_client(ROLE, "us-east-1")
    lambda_stubber = Stubber(client)
    lambda_stubber.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled",
                                           "Payload": io.BytesIO(b'{"errorMessage": "boom"}')}, None)
    lambda_stubber.activate()
    monkeypatch.setattr(handler, "lambda_client", lambda role, region: client)
    stubber = expect_failure(handler)
    result = handler.handler(job([{"function": "api"}]), Context())
    assert result["problems"] == ['api failed (Unhandled): {"errorMessage": "boom"}']
    stubber.assert_no_pending_responses()


def test_a_missing_function_fails_the_stage(aws: str, handler: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    client = handler.lambda_client(ROLE, "us-east-1")
    lambda_stubber = Stubber(client)
    lambda_stubber.add_client_error("invoke", "ResourceNotFoundException", "Function not found", 404)
    lambda_stubber.activate()
    monkeypatch.setattr(handler, "lambda_client", lambda role, region: client)
    stubber = expect_failure(handler)
    result = handler.handler(job([{"function": "api"}]), Context())
    assert result["problems"][0].startswith("the smoke test could not run: ResourceNotFoundException")
    stubber.assert_no_pending_responses()


def test_a_checks_role_it_may_not_assume_fails_the_stage(aws: str, handler: ModuleType,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    sts = boto3.client("sts", region_name="us-east-1")
    sts_stubber = Stubber(sts)
    sts_stubber.add_client_error("assume_role", "AccessDenied", "not authorized to perform sts:AssumeRole", 403)
    sts_stubber.activate()
    monkeypatch.setattr(handler, "sts", sts)
    stubber = expect_failure(handler)
    result = handler.handler(job([{"function": "api"}]), Context())
    assert result["problems"][0].startswith("the smoke test could not run: ClientError")
    assert "AccessDenied" in result["problems"][0]
    stubber.assert_no_pending_responses()


def test_parameters_it_cannot_read_fail_the_stage(aws: str, handler: ModuleType) -> None:
    stubber = expect_failure(handler)
    broken = {"CodePipeline.job": {"id": "job-1", "data": {"actionConfiguration": {"configuration": {
        "UserParameters": "not json"}}}}}
    result = handler.handler(broken, Context())
    assert result["problems"][0].startswith("the smoke test could not run: JSONDecodeError")
    stubber.assert_no_pending_responses()
