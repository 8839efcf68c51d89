"""ServiceStage: an app's stacks for one account and region, as a DeliveryPipeline deploys them."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Sequence, Union

from aws_cdk import Duration, Environment, Stage, Token
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..core.jsii_types import as_interface
from ..core.validation import Checks, seconds_of
from ..function.deployment import Deployment
from ..function.serverless_function import ServerlessFunction
from ..function.stage_policy import set_stage_deployment
from .stage_checks import StageChecks, SmokeTarget, checks_role_name

ACCOUNT = re.compile(r"\d{12}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
# IAM role names are at most 64 characters; the stage's is "<stage>-pipeline-checks".
MAX_STAGE_NAME = 64 - len(checks_role_name(""))
DEFAULT_BAKE = Duration.minutes(30)
# CodePipeline API reference, RuleDeclaration: a rule's timeoutInMinutes is 5 to 86400 (60 days); a bake waits inside it.
MAX_BAKE_MINUTES = 86400


class ServiceStage(Stage):
    """The stacks of an app for one environment (an account and a region): create the stage, then your stacks
    in it (``ApiStack(stage, "Api")``), and give it to ``DeliveryPipeline.add_wave``.

    :param env: the account and region, both given as literals: a stage that is not pinned to one cannot be
        delivered (CDK Pipelines deploys each stack with the target environment's bootstrap roles).
    :param deployment: the stage's deployment policy: every library function in the stage that sets no
        ``deployment=`` of its own gets this one (e.g. ``Deployment.all_at_once()`` in beta,
        ``Deployment.canary(10, 5)`` in production). Default: none, each function keeps its own.
    :param alarm_emails: addresses told of every library alarm of the stage, through an `AlarmTopic` of the stage.
    :param alarm_topic_arn: or an existing SNS topic of the stage's account and region to send them to.
    :param bake_time: how long every alarm of the stage must stay out of ALARM once the stage is deployed and its
        smoke tests passed, before the next wave may start (whole minutes, default 30; ``Duration.minutes(0)``:
        no bake). If one goes into ALARM, CodePipeline rolls the stage back.
    :param outdir: where the stage's cloud assembly is written (aws-cdk-lib's ``Stage``; default: inside the app's).

    Exposes ``deployment``, ``bake_time`` and, once a pipeline took the stage, ``checks`` (its `StageChecks`).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, env: Environment, deployment: Optional[Deployment] = None,
        alarm_emails: Sequence[str] = (), alarm_topic_arn: Optional[str] = None, bake_time: Duration = DEFAULT_BAKE,
        outdir: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id, env=env, outdir=outdir)
        checks = Checks(self, "ServiceStage")
        account, region = env.account, env.region
        checks.require(isinstance(account, str) and bool(ACCOUNT.fullmatch(account)), "env.account", account,
                       "must be a 12-digit account ID: a stage without an explicit account cannot be delivered")
        checks.require(isinstance(region, str) and bool(REGION.fullmatch(region)), "env.region", region,
                       "must be a region such as eu-west-1: a stage without an explicit region cannot be delivered")
        checks.require(len(self.stage_name) <= MAX_STAGE_NAME, "construct_id", self.stage_name,
                       f"makes a stage name longer than {MAX_STAGE_NAME} characters (IAM role names)")
        checks.require(not (alarm_emails and alarm_topic_arn), "alarm_topic_arn", alarm_topic_arn,
                       "cannot be given with alarm_emails, which make a topic of the stage")
        minutes = seconds_of(bake_time)
        checks.require(minutes is None or (minutes >= 0 and minutes % 60 == 0), "bake_time", bake_time,
                       "must be whole minutes (CodePipeline's CloudWatchAlarm rule waits in minutes)")
        checks.require(minutes is None or minutes <= MAX_BAKE_MINUTES * 60, "bake_time", bake_time,
                       f"must be at most {MAX_BAKE_MINUTES} minutes (60 days): a CodePipeline rule times out by then")
        if deployment is not None:
            deployment.check(checks)
        checks.raise_if_any()
        assert account is not None and region is not None
        self.account_id, self.region_name = account, region
        self.deployment = deployment
        self.bake_time = bake_time
        self._alarm_emails, self._alarm_topic_arn = list(alarm_emails), alarm_topic_arn
        self._smoke_targets: list[SmokeTarget] = []
        self.checks: Optional[StageChecks] = None
        set_stage_deployment(self, deployment)

    def add_smoke_test(self, function: Union[ServerlessFunction, lambda_.IFunction],
                       event: Optional[Mapping[str, Any]] = None) -> None:
        """Once the stage is deployed, the pipeline invokes `function` with `event` (default ``{}``) and fails the
        stage on a function error or an answer with a status code of 500 or more. A ServerlessFunction is invoked
        through its alias when it has one, as its triggers are."""
        checks = Checks(self, "ServiceStage")
        checks.require(self.checks is None, "add_smoke_test", function.node.path,
                       "comes too late: a pipeline already took the stage")
        checks.raise_if_any()
        target = function.invoke_target if isinstance(function, ServerlessFunction) else function
        self._smoke_targets.append(SmokeTarget(as_interface(lambda_.IFunction, target), dict(event or {})))

    @property
    def smoke_targets(self) -> list[SmokeTarget]:
        return list(self._smoke_targets)

    @property
    def bake_minutes(self) -> int:
        seconds = seconds_of(self.bake_time)
        return 0 if seconds is None or Token.is_unresolved(seconds) else int(seconds // 60)

    def prepare(self, pipeline_account: str) -> StageChecks:
        """Adds the stage's delivery stack for a pipeline in `pipeline_account` (DeliveryPipeline calls it)."""
        if self.checks is None:
            self.checks = StageChecks(
                self, stage_name=self.stage_name, account=self.account_id, region=self.region_name,
                pipeline_account=pipeline_account, smoke_targets=self._smoke_targets,
                alarm_emails=self._alarm_emails, alarm_topic_arn=self._alarm_topic_arn,
            )
        return self.checks
