"""The stack synthesizes with every plugin passing, its template matches the stored snapshot (`make test`
writes it the first time; `pytest --snapshot-update` after an intended change), and the worker's handler
reports only the bad message."""

import json
import sys
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import build  # noqa: E402


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_the_stack_matches_its_snapshot(snapshot_json: SnapshotAssertion, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    app = App(context={"aws:cdk:bundling-stacks": []})
    stack = build(app)
    app.synth()  # the validation plugins run here: a finding fails the test
    assert Template.from_stack(stack).to_json() == snapshot_json


def test_the_worker_reports_only_the_bad_message() -> None:
    sys.path.insert(0, str(ROOT / "handlers" / "worker"))
    from handler import handler

    event = {"Records": [{"messageId": "1", "body": json.dumps({"order": 1})}, {"messageId": "2", "body": "{"}]}
    assert handler(event, None) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
