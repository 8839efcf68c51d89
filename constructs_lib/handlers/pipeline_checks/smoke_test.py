"""The delivery pipeline's smoke test: a CodePipeline Lambda action, run once a stage is deployed.

It assumes the stage's checks role (in the stage's account), invokes each target function of the stage with its
event, and reports to CodePipeline: PutJobFailureResult when an invocation raises a function error, answers with
a status code of 500 or more, or cannot be made at all; PutJobSuccessResult otherwise. It always reports: an
action whose function never does waits until CodePipeline times it out.

UserParameters (JSON): {"roleArn": the checks role, "region": the stage's region,
                        "targets": [{"function": a function or alias ARN, "event": {...}}, ...]}
"""

import json
import logging
from typing import Any, cast

import boto3
from botocore.config import Config

logger = logging.getLogger()
logger.setLevel(logging.INFO)
# Services without stubs in the project's dev extras: their clients are typed Any.
codepipeline: Any = boto3.client("codepipeline")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
sts: Any = boto3.client("sts")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
# A target may take minutes; the action's own function (5 minutes) must keep time to report. Never retried.
INVOKE_CONFIG = Config(read_timeout=240, retries={"total_max_attempts": 1})
MAX_MESSAGE = 5000  # FailureDetails.message


def lambda_client(role_arn: str, region: str) -> Any:
    credentials: dict[str, str] = sts.assume_role(RoleArn=role_arn, RoleSessionName="delivery-smoke-test")["Credentials"]
    return boto3.client(  # pyright: ignore[reportUnknownMemberType]
        "lambda", region_name=region, config=INVOKE_CONFIG, aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
    )


def problem_of(client: Any, function: str, event: object) -> str | None:
    """What is wrong with `function`'s answer to `event`, or None."""
    response = client.invoke(FunctionName=function, InvocationType="RequestResponse",
                             Payload=json.dumps(event).encode())
    payload: bytes = response["Payload"].read()
    if response.get("FunctionError"):
        return f"{function} failed ({response['FunctionError']}): {payload[:500].decode(errors='replace')}"
    try:
        answer = json.loads(payload)
    except ValueError:
        return None
    status = cast(dict[str, Any], answer).get("statusCode") if isinstance(answer, dict) else None
    if isinstance(status, int) and status >= 500:
        return f"{function} answered with status code {status}"
    return None


def problems(parameters: dict[str, Any]) -> list[str]:
    client = lambda_client(parameters["roleArn"], parameters["region"])
    found: list[str] = []
    for target in parameters["targets"]:
        problem = problem_of(client, target["function"], target.get("event", {}))
        if problem:
            found.append(problem)
    return found


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    job = event["CodePipeline.job"]
    try:
        parameters = json.loads(job["data"]["actionConfiguration"]["configuration"]["UserParameters"])
        found = problems(parameters)
    except Exception as error:  # a stage that cannot be tested must not be promoted
        found = [f"the smoke test could not run: {type(error).__name__}: {error}"]
    if found:
        message = "; ".join(found)[:MAX_MESSAGE]
        codepipeline.put_job_failure_result(jobId=job["id"], failureDetails={
            "type": "JobFailed", "message": message, "externalExecutionId": context.aws_request_id})
        logger.error("smoke test failed", extra={"job_id": job["id"], "problems": found})
    else:
        codepipeline.put_job_success_result(jobId=job["id"])
        logger.info("smoke test passed", extra={"job_id": job["id"]})
    return {"job": job["id"], "problems": found}
