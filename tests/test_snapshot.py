"""Whole-template snapshots of the demo stacks (review changes with --snapshot-update)."""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.async_stack import AsyncStack
from stacks.deployment_stack import DeploymentStack
from stacks.function_stack import FunctionStack
from stacks.queue_stack import QueueStack
from stacks.scheduled_stack import ScheduledStack
from stacks.stream_stack import StreamStack
from stacks.thumbnail_stack import ThumbnailStack
from tests.helpers import make_app, template_of


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
])
def test_demo_stack(snapshot_json, stack_class, stack_id) -> None:
    template = template_of(stack_class(make_app(), stack_id)).to_json()
    assert template == snapshot_json
