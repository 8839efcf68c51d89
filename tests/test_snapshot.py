"""Whole-template snapshots of the demo stacks (review changes with --snapshot-update)."""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.function_stack import FunctionStack
from stacks.thumbnail_stack import ThumbnailStack
from tests.helpers import make_app, template_of


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def test_function_stack(snapshot_json) -> None:
    template = template_of(FunctionStack(make_app(), "ServerlessFunctionDemo")).to_json()
    assert template == snapshot_json


def test_thumbnail_stack(snapshot_json) -> None:
    template = template_of(ThumbnailStack(make_app(), "ThumbnailPipelineDemo")).to_json()
    assert template == snapshot_json
