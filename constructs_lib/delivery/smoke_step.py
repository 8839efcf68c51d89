"""The smoke test of one stage, as a CDK Pipelines step: a CodePipeline Lambda invoke action of the pipeline's
smoke-test function, told which functions to invoke through the stage's outputs (CodePipeline variables)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

import jsii
from aws_cdk import Duration, pipelines
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..core import findings
from ..core.profile import keep_out_of_network
from ..core.jsii_types import as_interface
from ..resources.queues import failure_queue
from ..function.serverless_function import ServerlessFunction
from .stage_checks import StageChecks

SMOKE_TEST_ENTRY = Path(__file__).resolve().parents[1] / "handlers" / "pipeline_checks"
SMOKE_TEST_TIMEOUT = Duration.minutes(5)
MAX_CONFIGURATION_VALUE = 1000
TOKEN = re.compile(r"\$\{Token\[[^\]]*\]\}")
OUT_OF_NETWORK = (
    "Invokes each stage's functions through the Lambda API of the stage's region, with the stage's checks role "
    "(STS): from a VPC with no route out that would take Lambda and STS endpoints for each stage's region, cross-Region "
    "endpoints where the region differs, paid by the hour for calls made only during a release. Its calls are AWS API "
    "calls over TLS, signed with its role's credentials.")
LONGEST_PARTITION = "aws-us-gov"  # the longest of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b


def smoke_test_function(scope: Construct, alarm_topic: sns.ITopic) -> ServerlessFunction:
    """The pipeline's function that runs every stage's smoke test (in the pipeline's account and region, where
    it reports to CodePipeline); its alarms notify `alarm_topic`."""
    keep_out_of_network(scope, OUT_OF_NETWORK)
    function = ServerlessFunction(
        scope, "SmokeTests", entry=SMOKE_TEST_ENTRY, handler="smoke_test.handler", timeout=SMOKE_TEST_TIMEOUT,
        description="Smoke-tests each stage of the delivery pipeline and reports to CodePipeline",
        on_failure=failure_queue(scope, "SmokeTestFailures"), alarm_topic=alarm_topic,
        # CodePipeline invokes it asynchronously; a retry of a job it already reported fails (InvalidJobState).
        retry_attempts=0,
    )
    # aws-cdk-lib's LambdaInvokeAction lets it report (codepipeline:PutJob*Result on '*'; DR-PIPELINE-LAMBDA-REPORTS).
    findings.acknowledge(function.role, "AwsSolutions-IAM5[Resource::*]",
                         "codepipeline:PutJobSuccessResult and PutJobFailureResult have no resource types (Service "
                         "Authorization Reference, AWS CodePipeline): a job is named by its ID.")
    findings.acknowledge(function.role, "Serverless-LambdaStarPermissions",
                         "Only X-Ray's PutTraceSegments and PutTelemetryRecords and CodePipeline's PutJobSuccessResult "
                         "and PutJobFailureResult are allowed on '*': none supports resource-level permissions.")
    return function


def user_parameters_error(checks: StageChecks, rendered: str) -> Optional[str]:
    """CodePipeline refuses an action configuration value over 1,000 characters (API reference, ActionConfiguration)
    when the pipeline is created or updated; a token (the partition) is counted as its longest value."""
    length = len(TOKEN.sub(LONGEST_PARTITION, rendered))
    if length <= MAX_CONFIGURATION_VALUE:
        return None
    stage = checks.node.scope.node.path if checks.node.scope else checks.node.path
    return (f"ServiceStage '{stage}': smoke_targets give the smoke test {length} characters of UserParameters, over "
            f"the {MAX_CONFIGURATION_VALUE} CodePipeline takes in an action's configuration: fewer targets or smaller "
            "events")


@jsii.implements(pipelines.ICodePipelineActionFactory)
class SmokeTestStep(pipelines.Step):
    """Invokes `function` (the smoke-test function) for the stage of `checks`; what CodePipeline would refuse goes to
    `errors` (raised by the pipeline once built: an exception inside aws-cdk-lib's callback loses its type)."""

    def __init__(self, function: ServerlessFunction, checks: StageChecks, events: list[dict[str, Any]],
                 errors: list[str]) -> None:
        super().__init__("SmokeTest")
        self._function = function
        self._checks = checks
        self._events = events
        self._errors = errors
        self._outputs = [pipelines.StackOutputReference.from_cfn_output(output) for output in checks.smoke_outputs]

    @property
    def consumed_stack_outputs(self) -> list[pipelines.StackOutputReference]:
        return list(self._outputs)

    def produce_action(
        self, stage: codepipeline.IStage, *, action_name: str, artifacts: pipelines.ArtifactMap,
        pipeline: pipelines.CodePipeline, run_order: jsii.Number, scope: Construct,
        stack_outputs_map: pipelines.StackOutputsMap, before_self_mutation: Optional[bool] = None,
        code_build_defaults: Optional[pipelines.CodeBuildOptions] = None,
        fallback_artifact: Optional[codepipeline.Artifact] = None, variables_namespace: Optional[str] = None,
    ) -> pipelines.CodePipelineActionFactoryResult:
        targets = [{"function": stack_outputs_map.to_code_pipeline(output), "event": event}
                   for output, event in zip(self._outputs, self._events)]
        parameters = {"roleArn": self._checks.role_arn, "region": self._checks.region, "targets": targets}
        error = user_parameters_error(self._checks, json.dumps(parameters))
        self._errors.extend([error] if error else [])
        stage.add_action(as_interface(codepipeline.IAction, actions.LambdaInvokeAction(
            action_name=action_name, run_order=int(run_order), lambda_=as_interface(lambda_.IFunction, self._function.function),
            user_parameters_string=json.dumps(parameters),
        )))
        return pipelines.CodePipelineActionFactoryResult(run_orders_consumed=1)
