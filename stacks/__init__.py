"""The demo app: one stack per pattern, checked by cdk-nag's AwsSolutions and Serverless packs."""

from aws_cdk import App, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from .function_stack import FunctionStack
from .thumbnail_stack import ThumbnailStack


def build_app(app: App) -> list[Stack]:
    """Adds every demo stack to `app` and the cdk-nag checks that must find nothing unacknowledged."""
    stacks: list[Stack] = [
        FunctionStack(app, "ServerlessFunctionDemo"),
        ThumbnailStack(app, "ThumbnailPipelineDemo"),
    ]
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return stacks
