"""Reports a lifecycle hook's verdict to CodeDeploy. A hook must always report: CodeDeploy waits an
hour for a hook that never does, and only then fails the deployment."""

import logging
from typing import Any

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)
codedeploy = boto3.client("codedeploy")  # pyright: ignore[reportUnknownMemberType]: overloads of services without stubs


def report(event: dict[str, Any], problem: str | None) -> dict[str, Any]:
    """Succeeded when there is no `problem`, else Failed (CodeDeploy then stops and rolls back)."""
    status = "Failed" if problem else "Succeeded"
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
    log = logger.error if problem else logger.info
    log("hook %s", status, extra={"deployment_id": event["DeploymentId"], "problem": problem})
    return {"status": status, "problem": problem}
