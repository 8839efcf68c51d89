"""The pipeline app (pipeline_app.py): the demo stacks in a beta stage and two production stages, delivered by a
DeliveryPipeline in the pipeline's account. Checked by the same validation plugins as the demo app.

Context (cdk.json or -c), with AWS's documentation placeholders as defaults:
  constructs_lib:pipeline-account     the pipeline's account (default 111111111111), in constructs_lib:pipeline-region
  constructs_lib:beta-account         beta's account (default: the pipeline's), in the pipeline's region
  constructs_lib:production-account   production's account (default 222222222222)
  constructs_lib:production-regions   production's regions, comma-separated (default us-east-1,eu-west-1)
  constructs_lib:repository, constructs_lib:branch, constructs_lib:connection-arn   the CodeConnections source
  constructs_lib:pipeline-stacks      the demo stacks each stage holds, comma-separated (default: every one;
                                      ServerlessFunctionDemo always, its function is the stage's smoke test)
"""

from dataclasses import dataclass

from aws_cdk import App, Duration, Environment, Stack, Validations, pipelines
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator

from constructs_lib import DeliveryPipeline, Deployment, ServiceStage
from constructs_lib.rules import DeployRules

from . import demo_stacks
from .function_stack import FunctionStack

PLACEHOLDER_CONNECTION = "arn:aws:codeconnections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000"
DEFAULTS = {
    "pipeline-account": "111111111111", "pipeline-region": "us-east-1", "production-account": "222222222222",
    "production-regions": "us-east-1,eu-west-1", "repository": "example-org/constructs-lib-demo", "branch": "main",
    "connection-arn": PLACEHOLDER_CONNECTION,
}
SMOKE_TESTED = "ServerlessFunctionDemo"  # its hello function answers each stage's smoke test
# The synth step runs the demo's own gates, then synthesizes this app (make pipeline).
COMMANDS = ("make test", "make synth", "make pipeline")


@dataclass(frozen=True)
class PipelineApp:
    pipeline_stack: Stack
    delivery: DeliveryPipeline
    beta: ServiceStage
    production: list[ServiceStage]


def setting(app: App, name: str) -> str:
    return str(app.node.try_get_context(f"constructs_lib:{name}") or DEFAULTS.get(name) or "")


def service_stage(app: App, name: str, env: Environment, deployment: Deployment, bake: Duration) -> ServiceStage:
    stage = ServiceStage(app, name, env=env, deployment=deployment, bake_time=bake)
    chosen = setting(app, "pipeline-stacks")
    stacks = demo_stacks(stage, regional=env, only={SMOKE_TESTED, *chosen.split(",")} if chosen else None)
    hello = next(stack for stack in stacks if isinstance(stack, FunctionStack)).hello
    stage.add_smoke_test(hello, {"name": "smoke-test"})
    return stage


def build_pipeline_app(app: App) -> PipelineApp:
    """The stages, the pipeline stack and the validation plugins."""
    pipeline_env = Environment(account=setting(app, "pipeline-account"), region=setting(app, "pipeline-region"))
    beta = service_stage(app, "Beta", Environment(account=setting(app, "beta-account") or pipeline_env.account,
                                                  region=pipeline_env.region),
                         Deployment.all_at_once(), Duration.minutes(30))
    production = [
        service_stage(app, f"Production-{region}", Environment(account=setting(app, "production-account"),
                                                               region=region),
                      Deployment.canary(10, 5), Duration.minutes(60))
        for region in setting(app, "production-regions").split(",")
    ]
    stack = Stack(app, "DeliveryPipeline", env=pipeline_env, description="constructs_lib demo: delivery pipeline")
    source = pipelines.CodePipelineSource.connection(setting(app, "repository"), setting(app, "branch"),
                                                     connection_arn=setting(app, "connection-arn"))
    delivery = DeliveryPipeline(stack, "Delivery", source=source, commands=COMMANDS, output_directory="cdk.pipeline.out")
    delivery.add_wave("Beta", [beta])
    delivery.add_wave("Production", production)
    delivery.build()
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), CfnGuardValidator(),
                                    DeployRules(app))
    return PipelineApp(stack, delivery, beta, production)
