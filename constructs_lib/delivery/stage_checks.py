"""What a ServiceStage adds for its pipeline: a stack of its own, deployed after the stage's other stacks, with the
stage's health alarm, the role the pipeline assumes to check the stage, and the smoke targets as outputs.

Names are fixed at synth (``<stage>-health``, ``<stage>-pipeline-checks``): the pipeline is in another stage of the
app, often another account, and can only name what it cannot refer to. It reads the outputs through CodePipeline
variables. References to the stage's other stacks are weak (``Fn::GetStackOutput``, no export): a function removed
later never locks this stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from aws_cdk import Aws, CfnOutput, CrossStackReferences, DefaultStackSynthesizer, ReferenceStrength, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..core.jsii_types import as_interface, cfn_resource
from ..core.profile import is_regulated
from ..observability.alarm_topics import AlarmTopic
from ..observability.alarms import route_alarms
from ..resources.regulated import regulate_stack
from . import health

CHECKS_STACK_ID = "DeliveryChecks"
QUALIFIER_CONTEXT = "@aws-cdk/core:bootstrapQualifier"


@dataclass(frozen=True)
class SmokeTarget:
    """A function the pipeline invokes once its stage is deployed, and the event it sends."""

    function: lambda_.IFunction
    event: Mapping[str, Any] = field(default_factory=dict[str, Any])


def checks_role_name(stage_name: str) -> str:
    return f"{stage_name}-pipeline-checks"


def lookup_role_arn(scope: Construct, account: str, region: str) -> str:
    """The bootstrap lookup role of an account and region (`cdk bootstrap`: read-only, ReadOnlyAccess), which the
    accounts given to ``--trust`` may assume. The bake rules read the stage's health alarm through it: it exists
    before the pipeline does, as CodePipeline asks of every role a pipeline names when it is created."""
    qualifier = scope.node.try_get_context(QUALIFIER_CONTEXT) or DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return f"arn:{Aws.PARTITION}:iam::{account}:role/cdk-{qualifier}-lookup-role-{account}-{region}"


def topic_arn(name: str, account: str, region: str) -> str:
    return f"arn:{Aws.PARTITION}:sns:{region}:{account}:{name}"


class StageChecks(Stack):
    """The stage's delivery stack (see the module). Exposes ``health_alarm_name`` (None when the stage has no
    stack), ``role`` and ``role_arn`` (what the smoke test assumes), ``lookup_role_arn`` (what the bake rules assume),
    ``smoke_outputs`` (one CfnOutput per smoke target, its ARN) and ``alarm_topic`` (when the stage routes alarms to
    addresses of its own)."""

    def __init__(
        self, stage: Construct, *, stage_name: str, account: str, region: str, pipeline_account: str,
        smoke_targets: Sequence[SmokeTarget], alarm_emails: Sequence[str], alarm_topic_arn: Optional[str],
    ) -> None:
        super().__init__(stage, CHECKS_STACK_ID, description=f"What the delivery pipeline checks of stage {stage_name}")
        if is_regulated(self):
            regulate_stack(self)
        CrossStackReferences.of(self).consume(ReferenceStrength.WEAK)
        siblings = [s for s in stage.node.children if isinstance(s, Stack) and s is not self
                    and (s.account, s.region) == (account, region)]
        names = [name for sibling in siblings for name in health.stack_health(sibling)]
        for sibling in siblings:
            self.add_stack_dependency(sibling, "the stage's composite alarm names its stacks' alarms")
        self.health_alarm_name: Optional[str] = f"{stage_name}-health" if names else None
        health.stage_health(self, f"{stage_name}-health", names)

        self.alarm_topic: Optional[AlarmTopic] = None
        if alarm_emails:
            self.alarm_topic = AlarmTopic(self, "Alarms", emails=alarm_emails)
            topic_name = f"{stage_name}-alarms"
            cfn_resource(self.alarm_topic.topic, sns.CfnTopic).topic_name = topic_name
            alarm_topic_arn = topic_arn(topic_name, account, region)
        if alarm_topic_arn is not None:  # named, not referred to: the stage's stacks deploy before this one
            route_alarms(stage, sns.Topic.from_topic_arn(self, "StageAlarmTopic", alarm_topic_arn))

        self.role_arn = f"arn:{Aws.PARTITION}:iam::{account}:role/{checks_role_name(stage_name)}"
        """The role's ARN, as the pipeline names it (it cannot refer to a stack of another stage)."""
        self.lookup_role_arn = lookup_role_arn(self, account, region)
        """The role the bake rules read the health alarm through (see lookup_role_arn)."""
        self.role = iam.Role(
            self, "PipelineChecks", role_name=checks_role_name(stage_name),
            assumed_by=as_interface(iam.IPrincipal, iam.AccountPrincipal(pipeline_account)),
            description=f"Assumed by the delivery pipeline in {pipeline_account} to check stage {stage_name}",
        )
        self.smoke_outputs: list[CfnOutput] = []
        for index, target in enumerate(smoke_targets):
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=[target.function.function_arn]))
            self.smoke_outputs.append(CfnOutput(self, f"SmokeTarget{index}", value=target.function.function_arn,
                                                description="A function the pipeline smoke-tests"))
