"""What CDK Pipelines' waves do not offer, set on the built pipeline: CodePipeline V2 stage conditions.

- On success, the bake: CodePipeline's CloudWatchAlarm rule watches each stage's health alarm for the stage's bake
  time, in the stage's region, through the stage's bootstrap lookup role (it exists before the pipeline, and may
  read composite alarms, which DescribeAlarms returns only to a permission on "*"); if one goes into ALARM, the wave
  rolls back
  (CodePipeline user guide, "Configure conditions for a stage" and the rule reference "CloudWatchAlarm").
- On failure (a deploy or a smoke test failed), the wave rolls back to its last successful execution
  ("Configure a stage for automatic rollback").
"""

from __future__ import annotations

from typing import Any, Sequence

from aws_cdk import aws_codepipeline as codepipeline

from ..core.jsii_types import cfn_resource
from ..core.validation import ConfigurationError
from .service_stage import ServiceStage

# AWS::CodePipeline::Pipeline Condition: a condition has 1 to 5 rules.
MAX_RULES = 5
# CodePipeline quotas: at most 50 actions in a stage.
MAX_ACTIONS = 50


def bake_rules(stages: Sequence[ServiceStage]) -> list[dict[str, Any]]:
    """One CloudWatchAlarm rule per stage with a health alarm and a bake time."""
    rules: list[dict[str, Any]] = []
    for stage in stages:
        checks = stage.checks
        if checks is None or checks.health_alarm_name is None or stage.bake_minutes == 0:
            continue
        rules.append({
            "Name": f"{stage.stage_name}-bake"[:100],
            "RuleTypeId": {"Category": "Rule", "Owner": "AWS", "Provider": "CloudWatchAlarm", "Version": "1"},
            # AlarmStates: marked required in one copy of the rule reference, optional in another; stated.
            "Configuration": {"AlarmName": checks.health_alarm_name, "AlarmStates": "ALARM",
                              "WaitTime": str(stage.bake_minutes)},
            "Region": stage.region_name,
            "RoleArn": checks.lookup_role_arn,
        })
    return rules


def set_conditions(pipeline: codepipeline.Pipeline, wave_name: str, stages: Sequence[ServiceStage]) -> None:
    """The bake on success and the rollback on failure of the pipeline stage `wave_name`."""
    names = [stage.stage_name for stage in pipeline.stages]
    if wave_name not in names:  # CDK Pipelines splits a wave of more than 50 actions into stages "<wave>.1", ...
        split = [name for name in names if name.startswith(f"{wave_name}.")]
        raise ConfigurationError([
            f"DeliveryPipeline '{pipeline.node.path}': wave {wave_name} has more actions than the {MAX_ACTIONS} "
            f"CodePipeline allows in a stage, so CDK Pipelines split it into {', '.join(split)}, which would run one "
            "after another and roll back apart: split the wave, or put fewer stacks in its stages"])
    index = names.index(wave_name)
    resource = cfn_resource(pipeline, codepipeline.CfnPipeline)
    rules = bake_rules(stages)
    if rules:
        resource.add_property_override(f"Stages.{index}.OnSuccess", {"Conditions": [{"Result": "ROLLBACK",
                                                                                      "Rules": rules}]})
    resource.add_property_override(f"Stages.{index}.OnFailure", {"Result": "ROLLBACK"})
