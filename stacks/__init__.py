"""The demo app: one stack per pattern, checked by cdk-nag's AwsSolutions and Serverless packs, the Control
Tower cfn-guard rules and DeployRules (CDK policy-validation plugins: any unacknowledged finding fails the
synth)."""

from typing import Optional

from aws_cdk import App, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator
from constructs import Construct

from constructs_lib.rules import DeployRules

from .alb_stack import AlbStack
from .api_stack import ApiStack
from .async_stack import AsyncStack
from .deployment_stack import DeploymentStack
from .edge_stack import EdgeStack
from .environment import demo_region
from .fan_out_stack import FanOutStack
from .function_stack import FunctionStack
from .layer_stack import LayerStack
from .order_workflow_stack import OrderWorkflowStack
from .queue_stack import QueueStack
from .scheduled_stack import ScheduledStack
from .stream_stack import StreamStack
from .thumbnail_stack import ThumbnailStack
from .vpc_stack import VpcStack


def build_app(app: App) -> list[Stack]:
    """Adds every demo stack to `app` and the validation plugins that must find nothing unacknowledged."""
    stacks = demo_stacks(app, regional=Environment(region=demo_region(app)))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), CfnGuardValidator(),
                                    DeployRules(app))
    return stacks


def demo_stacks(scope: Construct, regional: Optional[Environment] = None) -> list[Stack]:
    """Every demo stack, in `scope` (the app, or a stage of the pipeline app). `regional`: the environment of the
    stacks that need a region at synth (load balancer logs, Lambda@Edge); in a stage, the stage's."""
    return [
        FunctionStack(scope, "ServerlessFunctionDemo"),
        ThumbnailStack(scope, "ThumbnailPipelineDemo"),
        ScheduledStack(scope, "ScheduledFunctionDemo"),
        QueueStack(scope, "QueueWorkerDemo"),
        StreamStack(scope, "StreamConsumerDemo"),
        AsyncStack(scope, "AsyncInvocationDemo"),
        DeploymentStack(scope, "SafeDeploymentDemo"),
        AlbStack(scope, "AlbFunctionDemo", env=regional),
        VpcStack(scope, "VpcFunctionDemo"),
        EdgeStack(scope, "EdgeDistributionDemo", env=regional),
        ApiStack(scope, "ApiDemo"),
        FanOutStack(scope, "FanOutDemo"),
        LayerStack(scope, "LayerDemo"),
        OrderWorkflowStack(scope, "OrderWorkflowDemo"),
    ]
