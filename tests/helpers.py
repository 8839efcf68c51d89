"""Helpers shared by the tests: apps built like the demo app's, templates."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from stacks.environment import DEFAULT_REGION

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAIN = FIXTURES / "plain"  # a handler folder without requirements: nothing to bundle
FEATURE_FLAGS = json.loads((ROOT / "cdk.json").read_text())["context"]


def make_app(bundle: bool = False, **context: object) -> App:
    """An App with the demo app's feature flags and default region; asset bundling skipped unless `bundle`."""
    settings = {**FEATURE_FLAGS, "constructs_lib:region": DEFAULT_REGION, **context}
    if not bundle:
        settings["aws:cdk:bundling-stacks"] = []
    return App(context=settings)


def template_of(stack: Stack) -> Template:
    return Template.from_stack(stack)
