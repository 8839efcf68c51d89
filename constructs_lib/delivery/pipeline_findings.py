"""cdk-nag's wildcard findings (AwsSolutions-IAM5) on the policies CDK Pipelines writes, answered one policy at a
time with what each wildcard is for. A wildcard this module cannot explain stays unanswered, and fails the synth."""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from aws_cdk import Stack
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from ..core import findings
from ..core.jsii_types import cfn_resource
from ..core.profile import is_regulated
from ..core.templates import as_list, dig

ARTIFACTS = ("aws-cdk-lib's grant on the pipeline's artifact buckets and their keys: CodePipeline's actions read "
             "and write artifacts under object keys made for each execution.")
# What a wildcard resource is, by the resource's text in the finding.
RESOURCES = [
    (re.compile(r"[Bb]ucket.*/\*$"), ARTIFACTS),
    (re.compile(r":log-group:/aws/codebuild/"), "aws-cdk-lib's grant for CodeBuild to write its builds' logs, in "
                                                "log streams CodeBuild names per build."),
    (re.compile(r":report-group/"), "aws-cdk-lib's grant for CodeBuild's test reports, in report groups CodeBuild "
                                    "names after the project."),
    (re.compile(r"^<\w+Function\w*\.Arn>:\*$"), "aws-cdk-lib's grant to CodePipeline's Lambda invoke action: the "
                                                "smoke-test function and its versions."),
    (re.compile(r"^arn:\*:iam::\d{12}:role/\*$"), "CDK Pipelines' self-mutation assumes the CDK bootstrap roles of "
                                                  "the pipeline's account, chosen by their aws-cdk:bootstrap-role tag "
                                                  "(the statement's condition)."),
]
# What a statement on every resource ("*") is for, by its actions.
EVERY_RESOURCE = {
    "lambda:ListFunctions": "CodePipeline's Lambda invoke action lists functions; lambda:ListFunctions has no "
                            "resource-level permissions.",
    "cloudformation:DescribeStacks": "CDK Pipelines' self-mutation runs cdk deploy, which reads the status of the "
                                     "stacks it deploys (DescribeStacks takes any stack name).",
    "s3:ListBucket": "CDK Pipelines' self-mutation runs cdk deploy, which looks up the bootstrap bucket it is told "
                     "of at run time.",
    "kms:Decrypt": "aws-cdk-lib's grant on the replication keys of the pipeline's other regions: CDK's support "
                   "stacks make them, and this stack knows them by alias only.",
    "codebuild:StartBuild": "CDK Pipelines' asset role is also the action role that starts its own publishing "
                            "build; aws-cdk-lib grants it before the project exists.",
}

# Of those, the ones that write (checkov's CKV_AWS_111 asks write actions for a resource).
WRITES_EVERYWHERE = {"kms:Decrypt", "codebuild:StartBuild"}


def _actions(statement: dict[str, Any]) -> list[str]:
    return [str(action) for action in as_list(statement.get("Action"))]


def _reason_for(resource: str, statement: dict[str, Any]) -> Optional[str]:
    if resource == "*":
        return next((EVERY_RESOURCE[a] for a in _actions(statement) if a in EVERY_RESOURCE), None)
    return next((reason for pattern, reason in RESOURCES if pattern.search(resource)), None)


def wildcard_answers(stack: Stack, policy: iam.Policy) -> dict[str, str]:
    """The IAM5 finding ids of `policy` that this module explains, each with its reason."""
    document = stack.resolve(policy.document.to_json())
    answers: dict[str, set[str]] = {}
    for statement in as_list(document.get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        for action in _actions(statement):
            if "*" in action and action.split(":")[0] in ("s3", "kms"):
                answers.setdefault(f"AwsSolutions-IAM5[Action::{action}]", set()).add(ARTIFACTS)
        for resource in as_list(statement.get("Resource")):
            if "*" not in json.dumps(resource):
                continue
            text = findings.token_text(stack, resource)
            reason = _reason_for(text, statement)
            if reason is not None:
                answers.setdefault(f"AwsSolutions-IAM5[Resource::{text}]", set()).add(reason)
    return {finding: " ".join(sorted(reasons)) for finding, reasons in answers.items()}


def unconstrained_writes(stack: Stack, policy: iam.Policy) -> Optional[str]:
    """Why `policy` lets a role write on every resource (checkov's CKV_AWS_111), when this module knows it."""
    document = stack.resolve(policy.document.to_json())
    reasons = {EVERY_RESOURCE[action] for statement in as_list(document.get("Statement"))
               if statement.get("Effect") == "Allow" and "*" in as_list(statement.get("Resource"))
               for action in _actions(statement) if action in WRITES_EVERYWHERE}
    return " ".join(sorted(reasons)) or None


def answer_cdk_pipelines_wildcards(scope: IConstruct) -> None:
    """Answers, on each policy under `scope` (CDK Pipelines' constructs), the wildcards explained above."""
    stack = Stack.of(scope)
    for policy in (c for c in scope.node.find_all() if isinstance(c, iam.Policy)):
        for finding, reason in wildcard_answers(stack, policy).items():
            findings.acknowledge(policy, finding, reason)
        writes = unconstrained_writes(stack, policy)
        if writes is not None:
            findings.skip(policy, writes, checkov=["CKV_AWS_111"])


def configuration_role_arns_as_sub(pipeline: codepipeline.Pipeline) -> int:
    """CloudFormation actions' Configuration.RoleArn, which CDK Pipelines writes with Fn::Join, as the Fn::Sub it is
    equal to (cfn-lint's E3703 checks that value against the role-ARN format, and asks for Fn::Sub)."""
    resource = cfn_resource(pipeline, codepipeline.CfnPipeline)
    stages = as_list(Stack.of(pipeline).resolve(resource.stages))
    changed = 0
    for i, stage in enumerate(stages):
        for j, action in enumerate(as_list(dig(stage, "actions"))):
            sub = _as_sub(dig(action, "configuration", "RoleArn"))
            if sub is not None:
                resource.add_property_override(f"Stages.{i}.Actions.{j}.Configuration.RoleArn", sub)
                changed += 1
    return changed


def _as_sub(value: Any) -> Optional[Any]:
    """What a Fn::Join with no separator of strings and Refs equals: {"Fn::Sub": ...}, or the string itself when it
    refers to nothing; None for any other value."""
    join = as_list(dig(value, "Fn::Join"))
    if len(join) != 2 or join[0] != "":
        return None
    parts = as_list(join[1])
    if not all(isinstance(part, str) or isinstance(dig(part, "Ref"), str) for part in parts):
        return None
    if all(isinstance(part, str) for part in parts):
        return "".join(parts)
    return {"Fn::Sub": "".join(part.replace("${", "${!") if isinstance(part, str) else "${" + str(dig(part, "Ref")) + "}"
                               for part in parts)}


def answer_project_sources(scope: IConstruct) -> None:
    """Under the regulated profile, the packs' repository-credentials rule on CDK Pipelines' CodeBuild projects: their
    source is the pipeline's artifact (CODEPIPELINE), and they fetch no repository themselves."""
    stack = Stack.of(scope)
    for project in (c for c in scope.node.find_all() if isinstance(c, codebuild.CfnProject)):
        if dig(stack.resolve(project.source), "type") == "CODEPIPELINE" and is_regulated(project):
            findings.acknowledge_control(
                project, "CodeBuildProjectSourceRepoUrl",
                "The project's source is the pipeline's artifact (Source Type CODEPIPELINE): it fetches no repository "
                "and holds no repository credentials; the pipeline's source action reads the repository through a "
                "CodeConnections connection.")
