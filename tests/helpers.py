"""Helpers shared by the tests: apps built like a user's new app (no context) or like the demo app's."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import App, Stack, Validations
from aws_cdk.assertions import Template

from constructs_lib.rules import DeployRules
from stacks.environment import DEFAULT_REGION
from tests.paths import CHECKOV, ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAIN = FIXTURES / "plain"  # a handler folder without requirements: nothing to bundle
# The demo's cdk.json context: its feature flags and the demo's own settings.
DEMO_CONTEXT = json.loads((ROOT / "cdk.json").read_text())["context"]
FEATURE_FLAGS = {key: value for key, value in DEMO_CONTEXT.items() if key.startswith("@aws-cdk")}


def make_app(bundle: bool = False, demo: bool = False, **context: object) -> App:
    """An App as a user's new one is: no feature flags, no context. `demo` gives it the demo app's
    cdk.json context and default region instead. Asset bundling is skipped unless `bundle`.

    DeployRules runs in every synth of it (Template.from_stack included): a construct that breaks one of
    its rules fails the test that builds it."""
    settings: dict[str, object] = {**DEMO_CONTEXT, "constructs_lib:region": DEFAULT_REGION} if demo else {}
    settings.update(context)
    if not bundle:
        settings["aws:cdk:bundling-stacks"] = []
    app = App(context=settings)
    Validations.of(app).add_plugins(DeployRules(app))
    return app


def template_of(stack: Stack) -> Template:
    return Template.from_stack(stack)
