"""The demo app: one stack per pattern, checked by cdk-nag's AwsSolutions and Serverless packs, the Control
Tower cfn-guard rules and DeployRules (CDK policy-validation plugins: any unacknowledged finding fails the
synth); under the regulated profile (-c constructs_lib:profile=regulated) by cdk-nag's HIPAA Security, NIST 800-53
rev 5 and PCI DSS 3.2.1 packs too."""

from typing import Collection, Optional

from aws_cdk import App, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator
from constructs import Construct

from constructs_lib.core.profile import profile_of
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
    stacks = demo_stacks(app, regional=Environment(region=demo_region(app)))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app), CfnGuardValidator(),
                                    DeployRules(app))
    if profile_of(app) == "regulated":  # the compliance packs whose controls the profile meets
        Validations.of(app).add_plugins(HIPAASecurityChecks(app), NIST80053R5Checks(app), PCIDSS321Checks(app))
    return stacks


# Each demo stack: its class, and whether it needs the environment's region at synth (load balancer logs, Lambda@Edge).
DEMO_STACKS: dict[str, tuple[type[Stack], bool]] = {
    "ServerlessFunctionDemo": (FunctionStack, False),
    "ThumbnailPipelineDemo": (ThumbnailStack, False),
    "ScheduledFunctionDemo": (ScheduledStack, False),
    "QueueWorkerDemo": (QueueStack, False),
    "StreamConsumerDemo": (StreamStack, False),
    "AsyncInvocationDemo": (AsyncStack, False),
    "SafeDeploymentDemo": (DeploymentStack, False),
    "AlbFunctionDemo": (AlbStack, True),
    "VpcFunctionDemo": (VpcStack, False),
    "EdgeDistributionDemo": (EdgeStack, True),
    "ApiDemo": (ApiStack, False),
    "FanOutDemo": (FanOutStack, False),
    "LayerDemo": (LayerStack, False),
    "OrderWorkflowDemo": (OrderWorkflowStack, False),
    "ServiceApiDemo": (ServiceApiStack, False),
    "LogSubscriberDemo": (LogStack, False),
    "FirehoseTransformDemo": (FirehoseStack, False),
}


def demo_stacks(scope: Construct, regional: Optional[Environment] = None,
                only: Optional[Collection[str]] = None) -> list[Stack]:
    """The demo stacks (`only` those named, else every one), in `scope` (the app, or a stage of the pipeline app).
    `regional`: the environment of the stacks that need a region at synth; in a stage, the stage's. Under the
    regulated profile every stack has it: their functions then share one network, where stacks that leave the region
    to the deploy and stacks that state it would each have one, in the same region (and an account's VPCs are few)."""
    every = profile_of(scope) == "regulated"
    return [stack_class(scope, name, **({"env": regional} if needs_region or every else {}))
            for name, (stack_class, needs_region) in DEMO_STACKS.items() if only is None or name in only]
