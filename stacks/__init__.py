"""The demo app: one stack per pattern, checked by cdk-nag's AwsSolutions and Serverless packs, the Control
Tower cfn-guard rules and DeployRules (CDK policy-validation plugins: any unacknowledged finding fails the
synth)."""

from aws_cdk import App, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator

from constructs_lib.rules import DeployRules

from .alb_stack import AlbStack
from .api_stack import ApiStack
from .async_stack import AsyncStack
from .deployment_stack import DeploymentStack
from .edge_stack import EdgeStack
from .environment import demo_region
from .fan_out_stack import FanOutStack
from .firehose_stack import FirehoseStack
from .function_stack import FunctionStack
from .layer_stack import LayerStack
from .log_stack import LogStack
from .order_workflow_stack import OrderWorkflowStack
from .queue_stack import QueueStack
from .scheduled_stack import ScheduledStack
from .service_api_stack import ServiceApiStack
from .stream_stack import StreamStack
from .thumbnail_stack import ThumbnailStack
from .vpc_stack import VpcStack


def build_app(app: App) -> list[Stack]:
    """Adds every demo stack to `app` and the validation plugins that must find nothing unacknowledged."""
    stacks: list[Stack] = [
        FunctionStack(app, "ServerlessFunctionDemo"),
        ThumbnailStack(app, "ThumbnailPipelineDemo"),
        ScheduledStack(app, "ScheduledFunctionDemo"),
        QueueStack(app, "QueueWorkerDemo"),
        StreamStack(app, "StreamConsumerDemo"),
        AsyncStack(app, "AsyncInvocationDemo"),
        DeploymentStack(app, "SafeDeploymentDemo"),
        AlbStack(app, "AlbFunctionDemo", env=Environment(region=demo_region(app))),
        VpcStack(app, "VpcFunctionDemo"),
        EdgeStack(app, "EdgeDistributionDemo", env=Environment(region=demo_region(app))),
        ApiStack(app, "ApiDemo"),
        FanOutStack(app, "FanOutDemo"),
        LayerStack(app, "LayerDemo"),
        OrderWorkflowStack(app, "OrderWorkflowDemo"),
        ServiceApiStack(app, "ServiceApiDemo"),
        LogStack(app, "LogSubscriberDemo"),
        FirehoseStack(app, "FirehoseTransformDemo"),
    ]
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), CfnGuardValidator(),
                                    DeployRules(app))
    return stacks
