"""Whole-template snapshots of the demo stacks (review changes with --snapshot-update)."""

from __future__ import annotations

import pytest
from aws_cdk import Environment
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.alb_stack import AlbStack
from stacks.api_stack import ApiStack
from stacks.async_stack import AsyncStack
from stacks.deployment_stack import DeploymentStack
from stacks.edge_stack import EdgeStack
from stacks.fan_out_stack import FanOutStack
from stacks.firehose_stack import FirehoseStack
from stacks.function_stack import FunctionStack
from stacks.layer_stack import LayerStack
from stacks.log_stack import LogStack
from stacks.order_workflow_stack import OrderWorkflowStack
from stacks.queue_stack import QueueStack
from stacks.scheduled_stack import ScheduledStack
from stacks.service_api_stack import ServiceApiStack
from stacks.stream_stack import StreamStack
from stacks.thumbnail_stack import ThumbnailStack
from stacks.vpc_stack import VpcStack
from tests.helpers import make_app, template_of

# Stacks that need a region at synth time get a fixed one here (the app takes the CLI's).
REGIONAL = {AlbStack, EdgeStack}
REGION = "us-east-1"


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("stack_class, stack_id", [
    (FunctionStack, "ServerlessFunctionDemo"),
    (ThumbnailStack, "ThumbnailPipelineDemo"),
    (ScheduledStack, "ScheduledFunctionDemo"),
    (QueueStack, "QueueWorkerDemo"),
    (StreamStack, "StreamConsumerDemo"),
    (AsyncStack, "AsyncInvocationDemo"),
    (DeploymentStack, "SafeDeploymentDemo"),
    (AlbStack, "AlbFunctionDemo"),
    (VpcStack, "VpcFunctionDemo"),
    (EdgeStack, "EdgeDistributionDemo"),
    (ApiStack, "ApiDemo"),
    (FanOutStack, "FanOutDemo"),
    (LayerStack, "LayerDemo"),
    (OrderWorkflowStack, "OrderWorkflowDemo"),
    (ServiceApiStack, "ServiceApiDemo"),
    (LogStack, "LogSubscriberDemo"),
    (FirehoseStack, "FirehoseTransformDemo"),
])
def test_demo_stack(snapshot_json, stack_class, stack_id) -> None:
    options = {"env": Environment(region=REGION)} if stack_class in REGIONAL else {}
    template = template_of(stack_class(make_app(demo=True), stack_id, **options)).to_json()
    assert template == snapshot_json
