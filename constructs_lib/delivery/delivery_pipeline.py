"""DeliveryPipeline: waves of ServiceStages on CDK Pipelines (AWS CodePipeline V2 and CloudFormation)."""

from __future__ import annotations

from typing import Optional, Sequence

import jsii
from aws_cdk import RemovalPolicy, Stack, Stage, Token, pipelines
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct, IValidation

from ..core.validation import Checks, ConfigurationError
from ..function.serverless_function import ServerlessFunction
from ..observability.alarm_topics import AlarmTopic
from ..observability.alarms import route_alarms
from . import account_guard, artifact_stores, conditions, connections, pipeline_findings
from .service_stage import ServiceStage
from .smoke_step import SmokeTestStep, smoke_test_function
from ..resources.log_groups import new_log_group

DEFAULT_COMMANDS = ("make test", "make synth")


class DeliveryPipeline(Construct):
    """A pipeline that delivers an app's ServiceStages in waves: the stages of a wave deploy in parallel, waves one
    after another. Build it in a stack with an explicit account and region (the pipeline's), add the waves, then
    call ``build()``.

    Each run: the source; the synth step (the app's own tests and gates, then its cloud assembly); the pipeline
    updates itself (self-mutation); the assets are published to every stage's account and region; then each wave:
    its stages deploy (CloudFormation, with each target's bootstrap roles), each stage's smoke tests
    run (a Lambda invoke action), and its alarms must stay OK for the stage's bake time (a CodePipeline V2
    condition) before the next wave starts. A wave that fails, or whose alarms go off, rolls back.

    :param source: where the app comes from: ``pipelines.CodePipelineSource.connection("owner/repo", "main",
        connection_arn=...)`` (a CodeConnections repository) or ``.s3(bucket, "app.zip")`` (a versioned bucket).
    :param commands: the synth step's commands (default ``make test``, ``make synth``): the app's tests and gates
        run before anything deploys; they must write the cloud assembly to ``output_directory``.
    :param install_commands: commands run before ``commands`` (e.g. installing tools).
    :param output_directory: the cloud assembly the commands write (default ``cdk.out``).
    :param pipeline_name: the CodePipeline pipeline's name (default: generated).
    :param alarm_emails: addresses told of the pipeline's own alarms (its smoke-test function's), through an
        `AlarmTopic` of the pipeline.

    Artifacts are encrypted with a KMS key of the pipeline that the target accounts may use (``cross_account_keys``,
    rotated yearly). Exposes ``pipeline`` (the ``pipelines.CodePipeline``), ``waves`` and, once built,
    ``code_pipeline`` (the ``aws_codepipeline.Pipeline``) and ``smoke_tests`` (the smoke-test function, if any stage
    has smoke tests).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, source: pipelines.CodePipelineSource,
        commands: Sequence[str] = DEFAULT_COMMANDS, install_commands: Sequence[str] = (),
        output_directory: str = "cdk.out", pipeline_name: Optional[str] = None, alarm_emails: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        checks = Checks(self, "DeliveryPipeline")
        for prop, value in (("account", stack.account), ("region", stack.region)):
            checks.require(not Token.is_unresolved(value), f"stack {prop}", value,
                           "must be explicit: the stages' bootstrap roles trust the pipeline's account by its ID")
        checks.require(bool(commands), "commands", list(commands), "must build the app's cloud assembly")
        checks.raise_if_any()
        self.account, self.region = stack.account, stack.region
        self.build_logs = new_log_group(
            self, "BuildLogs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN,
            without_key_because="CloudWatch Logs encrypts every log group at rest; the builds' logs hold no secret "
            "(CodeBuild masks the parameters it is given).")
        self.alarm_topic = AlarmTopic(self, "Alarms", emails=alarm_emails)
        route_alarms(self, self.alarm_topic.topic)
        self.pipeline = pipelines.CodePipeline(
            self, "Pipeline", pipeline_name=pipeline_name,
            pipeline_type=codepipeline.PipelineType.V2,  # stage conditions and rollback need V2
            cross_account_keys=True, enable_key_rotation=True, self_mutation=True,
            use_change_sets=False,  # one action per stack: half the action minutes, twice the stacks per wave
            publish_assets_in_parallel=False,  # one CodeBuild project publishes every file asset
            code_build_defaults=pipelines.CodeBuildOptions(logging=codebuild.LoggingOptions(
                cloud_watch=codebuild.CloudWatchLoggingOptions(log_group=self.build_logs))),
            synth=pipelines.ShellStep("Synth", input=source, install_commands=list(install_commands),
                                      commands=list(commands), primary_output_directory=output_directory),
        )
        self.waves: list[tuple[str, list[ServiceStage]]] = []
        self.smoke_tests: Optional[ServerlessFunction] = None
        self.code_pipeline: Optional[codepipeline.Pipeline] = None
        self._action_errors: list[str] = []
        self.node.add_validation(_Built(self))

    def add_wave(self, wave_id: str, stages: Sequence[ServiceStage]) -> pipelines.Wave:
        """Deploys `stages` in parallel, after the waves added before (each stage once in the pipeline)."""
        checks = Checks(self, "DeliveryPipeline")
        checks.require(self.code_pipeline is None, "add_wave", wave_id, "comes after build()")
        checks.require(bool(stages), "add_wave", wave_id, "needs at least one stage")
        taken = {stage.stage_name for _, wave in self.waves for stage in wave}
        stack_names = {(s.account, s.region, s.stack_name): s.node.path for _, wave in self.waves for stage in wave
                       for s in _stacks_of(stage)}
        for stage in stages:
            if not isinstance(stage, ServiceStage):  # pyright: ignore[reportUnnecessaryIsInstance]: users' code
                checks.fail(f"add_wave({wave_id!r})", type(stage).__name__, "takes ServiceStages")
                continue
            checks.require(stage.stage_name not in taken, f"add_wave({wave_id!r})", stage.stage_name,
                           "is already in the pipeline")
            _check_stacks(checks, stage, stack_names)
        baked = [s for s in stages if isinstance(s, ServiceStage) and s.bake_minutes]  # pyright: ignore
        checks.require(len(baked) <= conditions.MAX_RULES, f"add_wave({wave_id!r})", f"{len(baked)} stages with a "
                       "bake time", f"exceed the {conditions.MAX_RULES} rules of a CodePipeline condition: split the "
                       "wave")
        checks.raise_if_any()
        wave = self.pipeline.add_wave(wave_id)
        for stage in stages:
            stage_checks = stage.prepare(self.account)
            post: list[pipelines.Step] = []
            if stage.smoke_targets:
                smoke_tests = self._smoke_tests()
                # The function assumes the stage's checks role: its trust names the pipeline's account, which leaves
                # the permission to the caller's own policy (IAM: cross-account access needs both).
                smoke_tests.role.add_to_principal_policy(
                    iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[stage_checks.role_arn]))
                post.append(SmokeTestStep(smoke_tests, stage_checks, [dict(t.event) for t in stage.smoke_targets],
                                          self._action_errors))
            wave.add_stage(stage, post=post)
        self.waves.append((wave_id, list(stages)))
        return wave

    def build(self) -> codepipeline.Pipeline:
        """Builds the pipeline and sets what CDK Pipelines cannot: the bakes, the rollbacks, and its roles kept to the
        accounts of its stages. Call it once, after the last add_wave."""
        checks = Checks(self, "DeliveryPipeline")
        checks.require(self.code_pipeline is None, "build", "called again", "builds once")
        checks.raise_if_any()
        self.pipeline.build_pipeline()
        if self._action_errors:
            raise ConfigurationError(self._action_errors)
        self.code_pipeline = self.pipeline.pipeline
        role_arns = sorted({stage.checks.lookup_role_arn for _, stages in self.waves for stage in stages if stage.checks})
        if role_arns:  # the bake rules assume the stages' lookup roles through the pipeline's role
            self.code_pipeline.role.add_to_principal_policy(
                iam.PolicyStatement(actions=["sts:AssumeRole"], resources=role_arns))
        for wave_id, stages in self.waves:
            conditions.set_conditions(self.code_pipeline, wave_id, stages)
        account_guard.keep_roles_to(Stack.of(self), self.accounts)
        artifact_stores.harden_artifact_stores(self.code_pipeline)
        pipeline_findings.answer_cdk_pipelines_wildcards(self.pipeline)
        pipeline_findings.answer_project_sources(self.pipeline)
        pipeline_findings.configuration_role_arns_as_sub(self.code_pipeline)
        connections.allow_renamed_prefix(self.pipeline)
        return self.code_pipeline

    @property
    def accounts(self) -> list[str]:
        """The pipeline's account and every account it deploys to."""
        return sorted({self.account, *(stage.account_id for _, stages in self.waves for stage in stages)})

    def _smoke_tests(self) -> ServerlessFunction:
        if self.smoke_tests is None:
            # Its alarms are contributors of the stack's (LibraryAlarms), outside this construct: named, not routed.
            self.smoke_tests = smoke_test_function(self, self.alarm_topic.topic)
        return self.smoke_tests


def _stacks_of(stage: ServiceStage) -> list[Stack]:
    return [c for c in stage.node.find_all() if isinstance(c, Stack) and Stage.of(c) is stage]


def _check_stacks(checks: Checks, stage: ServiceStage, taken: dict[tuple[str, str, str], str]) -> None:
    """Every stack of `stage` names its environment, and no two stacks of the pipeline share a name in one account and
    region (CloudFormation: a stack name is unique in its account and region)."""
    for stack in _stacks_of(stage):
        for prop, value in (("account", stack.account), ("region", stack.region)):
            checks.require(not Token.is_unresolved(value), f"{stack.node.path} {prop}", value,
                           "must be explicit: an environment-agnostic stack cannot be delivered")
        key = (stack.account, stack.region, stack.stack_name)
        checks.require(key not in taken, f"{stack.node.path} stack name", stack.stack_name,
                       f"is already the name of {taken.get(key)} in account {stack.account}, {stack.region}: "
                       "CloudFormation names one stack so in an account and region")
        taken.setdefault(key, stack.node.path)


@jsii.implements(IValidation)
class _Built:
    def __init__(self, pipeline: DeliveryPipeline) -> None:
        self.pipeline = pipeline

    def validate(self) -> list[str]:
        if self.pipeline.code_pipeline is None:
            return [f"DeliveryPipeline '{self.pipeline.node.path}': call build() after the last add_wave: without it "
                    "the pipeline has no bakes, rollbacks, account guard or connection grant"]
        return []
