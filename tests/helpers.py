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


def role_statements(template: Template | dict, role_id: str) -> list[dict]:
    """Every statement of a role's identity policies, wherever the template writes them: inline in the role
    (``Policies``, as a library function's role has them), or in an AWS::IAM::Policy or ManagedPolicy attached to it."""
    resources = (template.to_json() if isinstance(template, Template) else template)["Resources"]
    documents = [policy["PolicyDocument"] for policy in resources[role_id]["Properties"].get("Policies", [])]
    documents += [resource["Properties"]["PolicyDocument"] for resource in resources.values()
                  if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
                  and {"Ref": role_id} in resource["Properties"].get("Roles", [])]
    return [statement for document in documents for statement in document["Statement"]]


def statements_of(stack: Stack, role: object) -> list[dict]:
    """`role_statements` of a role construct (an ``iam.Role``) in its stack's template."""
    return role_statements(template_of(stack), stack.get_logical_id(getattr(role, "node").default_child))


def watched_by(construct: object) -> set[str]:
    """The kinds of the stack's alarms over many resources (``StackAlarms``: "FunctionErrors", "QueueOldestMessage",
    ...) that watch a resource of `construct` or of a construct in it."""
    from constructs_lib.observability import stack_alarms
    from constructs_lib.observability.alarms import watching

    kinds = [metric.construct_id for metric in vars(stack_alarms).values()
             if isinstance(metric, stack_alarms.FleetMetric)]
    return {kind for alarm in watching(construct) for kind in kinds  # type: ignore[arg-type]
            if alarm.node.id.startswith(kind)}
