"""Whole-template snapshot of the ServerlessFunction demo stack (review changes with --snapshot-update)."""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.function_stack import FunctionStack
from tests.helpers import make_app, template_of


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


def test_function_stack(snapshot_json) -> None:
    template = template_of(FunctionStack(make_app(), "ServerlessFunctionDemo")).to_json()
    assert template == snapshot_json
