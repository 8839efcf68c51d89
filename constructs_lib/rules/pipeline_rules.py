"""What a CodePipeline pipeline (CDK Pipelines' included) reveals only when it is created or runs: stage conditions
on a V1 pipeline, a Lambda action whose function may not report its result, and a stack deployed without an
environment of its own."""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional

from ..core.templates import Props, as_list, dig, refs
from .model import DENIES_AT_RUN_TIME, DEPLOYS_ELSEWHERE, FAILS_AT_RUN_TIME, FAILS_DEPLOY, App, Hit, Rule, Stack
from .policies import allows, function_role, role_fully_known, role_statements

CONDITIONS = ("BeforeEntry", "OnSuccess", "OnFailure")
JOB_RESULTS = ("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult")


def _actions(resource: Props) -> Iterator[tuple[str, Props]]:
    for stage in as_list(dig(resource, "Properties", "Stages")):
        for action in as_list(dig(stage, "Actions")):
            yield str(dig(stage, "Name", default="?")), action


def conditions_on_v1(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::CodePipeline::Pipeline"):
        if dig(resource, "Properties", "PipelineType", default="V1") == "V2":
            continue
        for stage in as_list(dig(resource, "Properties", "Stages")):
            found = [c for c in CONDITIONS if dig(stage, c) is not None]
            if found:
                yield Hit(stack, logical_id, f"is a V1 pipeline whose stage {dig(stage, 'Name')} has "
                                             f"{', '.join(found)}")


def _function_of(stack: Stack, value: Any) -> Optional[str]:
    """The function of the template a Lambda action names: by Ref (its name), or inside an expression of its ARN."""
    functions = [ref for ref in refs(value) if stack.type_of(ref) == "AWS::Lambda::Function"]
    return functions[0] if len(functions) == 1 else None


def lambda_reports(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::CodePipeline::Pipeline"):
        for stage, action in _actions(resource):
            if dig(action, "ActionTypeId", "Provider") != "Lambda":
                continue
            function = _function_of(stack, dig(action, "Configuration", "FunctionName"))
            role = function_role(stack, function) if function else None
            if role is None or not role_fully_known(stack, role):
                continue
            granted = role_statements(stack, role)
            missing = [a for a in JOB_RESULTS if not any(allows(s, a) for s in granted)]
            if missing:
                yield Hit(stack, function, f"is invoked by action {dig(action, 'Name')} of stage {stage} of "
                                           f"{logical_id}, but its role is not allowed {', '.join(missing)}")


def _bootstrap_role_of_pipeline_account(value: Any) -> bool:
    """A CDK bootstrap deploy role named with the account the pipeline deploys from (AWS::AccountId)."""
    text = json.dumps(value)
    return "-deploy-role-" in text and '"AWS::AccountId"' in text or "${AWS::AccountId}" in text and \
        "-deploy-role-" in text


def stage_stacks_without_environment(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::CodePipeline::Pipeline"):
        for stage, action in _actions(resource):
            if dig(action, "ActionTypeId", "Provider") != "CloudFormation":
                continue
            role = dig(action, "RoleArn")
            if role is not None and _bootstrap_role_of_pipeline_account(role):
                yield Hit(stack, logical_id, f"deploys stack {dig(action, 'Configuration', 'StackName')} (stage "
                                             f"{stage}) with a role of whatever account the pipeline is in: the stack "
                                             "names no account")


CONNECTION_ACTIONS = {"codestar-connections": ":codestar-connections:", "codeconnections": ":codeconnections:"}


def _use_connection_arns(document: Any) -> tuple[set[str], set[str]]:
    """The connection ARNs `document` allows UseConnection on: (those under their own prefix, all of them)."""
    granted: set[str] = set()
    named: set[str] = set()
    for statement in as_list(dig(document, "Statement")):
        if dig(statement, "Effect") != "Allow":
            continue
        actions = [str(a) for a in as_list(dig(statement, "Action"))]
        if not any(a.endswith(":UseConnection") for a in actions):
            continue
        for resource in as_list(dig(statement, "Resource")):
            text = json.dumps(resource)
            for prefix, marker in CONNECTION_ACTIONS.items():
                if marker not in text:
                    continue
                named.add(text)
                if any(a in (f"{prefix}:UseConnection", f"{prefix}:*", "*") for a in actions):
                    granted.add(text)
    return granted, named


def connections_under_the_other_prefix(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::IAM::Policy", "AWS::IAM::Role"):
        documents = [dig(resource, "Properties", "PolicyDocument")] + [
            dig(p, "PolicyDocument") for p in as_list(dig(resource, "Properties", "Policies"))]
        granted: set[str] = set()
        named: set[str] = set()
        for document in documents:
            g, n = _use_connection_arns(document)
            granted |= g
            named |= n
        for arn in sorted(named - granted):
            yield Hit(stack, logical_id, f"allows UseConnection on {arn} only under the other service prefix")


def rules() -> list[Rule]:
    guide = "https://docs.aws.amazon.com/codepipeline/latest/userguide/"
    return [
        Rule("DR-PIPELINE-CONDITIONS-V2", FAILS_DEPLOY,
             "Stage conditions (entry, on success, on failure: rollbacks and alarm rules) exist only in V2 pipelines.",
             guide + "pipeline-types-planning.html",
             "Set pipeline_type=PipelineType.V2: aws-cdk-lib 2.275 makes V1 pipelines unless the app sets "
             "@aws-cdk/aws-codepipeline:defaultPipelineTypeToV2.", conditions_on_v1),
        Rule("DR-PIPELINE-LAMBDA-REPORTS", FAILS_AT_RUN_TIME,
             "A function that a pipeline's Lambda action invokes must call PutJobSuccessResult or "
             "PutJobFailureResult; if it may not, the action hangs until it times out.",
             guide + "action-reference-Lambda.html",
             "Allow the function's role codepipeline:PutJobSuccessResult and codepipeline:PutJobFailureResult "
             "(on '*': they have no resource types).", lambda_reports),
        Rule("DR-PIPELINE-STAGE-ENV", DEPLOYS_ELSEWHERE,
             "A stack that names no account and region is environment-agnostic: CDK Pipelines deploys it with the "
             "bootstrap roles of the pipeline's own account and region, not those of the stage it was meant for.",
             "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.StageProps.html",
             "Give the stage (or the stack) env=Environment(account=..., region=...); ServiceStage requires it.",
             stage_stacks_without_environment),
        Rule("DR-CONNECTION-PREFIX", DENIES_AT_RUN_TIME,
             "A connection's permissions use the service prefix of its ARN: codeconnections:UseConnection for "
             "arn:...:codeconnections:... connections (made since mid-2024), codestar-connections:UseConnection for "
             "the older ones; the other prefix does not match and the source action is denied.",
             "https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html",
             "Allow codeconnections:UseConnection on a codeconnections ARN (aws-cdk-lib 2.275's connection source grants "
             "only codestar-connections:UseConnection; DeliveryPipeline adds it).", connections_under_the_other_prefix),
    ]
