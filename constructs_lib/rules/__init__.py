"""DeployRules: a CDK policy-validation plugin that fails the synth of any app on what only a deployment, or
the first request, would reveal: the checks AWS services make when CloudFormation creates a resource.

    Validations.of(app).add_plugins(DeployRules(app))

A finding is acknowledged like any plugin's, on the construct it names:

    Validations.of(construct).acknowledge(Acknowledgment(id="DeployRules::DR-LAMBDA-S3-LOOP", reason="..."))

Given the app, the pack reads the one feature flag a rule depends on (``@aws-cdk/aws-lambda:recognizeLayerVersion``);
without it, it judges the templates as an app that does not set the flag makes them.
"""

from __future__ import annotations

from importlib import metadata
from typing import Optional

import jsii
from aws_cdk import (
    FeatureFlags,
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)
from constructs import IConstruct

from . import (
    alarm_rules, api_gateway_rules, controls_rules, delivery_rules, durable_rules, edge_rules, invoker_rules,
    lambda_policy_size, lambda_rules, notifications, pipeline_rules, retained_names, stepfunctions_rules,
    subscription_rules, version_rules, vpc_rules,
)
from .lambda_rules import DEFAULT_ACCOUNT_CONCURRENCY
from .model import App, Hit, Rule, Stack

__all__ = ["DeployRules", "all_rules", "findings"]

PLUGIN_NAME = "DeployRules"


def all_rules(account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY,
              layer_versions_hashed: bool = False) -> list[Rule]:
    """Every rule. `layer_versions_hashed`: the app sets @aws-cdk/aws-lambda:recognizeLayerVersion."""
    return [
        *lambda_rules.rules(account_concurrency),
        *durable_rules.rules(),
        *version_rules.rules(layer_versions_hashed),
        *lambda_policy_size.rules(),
        *edge_rules.rules(),
        *notifications.rules(),
        *subscription_rules.rules(),
        *delivery_rules.rules(),
        *stepfunctions_rules.rules(),
        *alarm_rules.rules(),
        *vpc_rules.rules(),
        *api_gateway_rules.rules(),
        *invoker_rules.rules(),
        *controls_rules.rules(),
        *retained_names.rules(),
        *pipeline_rules.rules(),
    ]


def findings(app: App, rules: list[Rule]) -> list[tuple[Rule, Hit]]:
    """Every (rule, hit) of `app`, once each."""
    found: list[tuple[Rule, Hit]] = []
    seen: set[tuple[str, str, str | None, str]] = set()
    for rule in rules:
        for hit in rule.check(app):
            key = (rule.id, hit.stack.path, hit.logical_id, hit.detail)
            if key not in seen:
                seen.add(key)
                found.append((rule, hit))
    return found


def _checked(app: App, rules: list[Rule]) -> list[tuple[Rule, Hit]]:
    """findings(), with a rule that cannot read a template reported against it rather than skipped: aws-cdk-lib
    would turn the plugin's exception into a report nobody reads, and the synth would pass unchecked."""
    found: list[tuple[Rule, Hit]] = []
    for rule in rules:
        try:
            found.extend(findings(app, [rule]))
        except Exception as error:  # noqa: BLE001 - any error: the rule did not run
            for stack in app.stacks:
                found.append((rule, Hit(stack, None, f"the rule could not read this template ({error!r})")))
    return found


@jsii.implements(IPolicyValidationPlugin)
class DeployRules:
    """The rule pack.

    :param app: the app (as cdk-nag's packs take it): DR-LAMBDA-VERSION-LAYERS reads its feature flag
        @aws-cdk/aws-lambda:recognizeLayerVersion. Without it, the rules judge the templates alone, the flag unset.
    :param account_concurrency: the Lambda concurrency quota of the accounts the app deploys to (1,000 unless
        raised); DR-LAMBDA-UNRESERVED-MINIMUM adds up what the app reserves against it.
    """

    def __init__(self, app: Optional[IConstruct] = None, *,
                 account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY) -> None:
        hashed = app is not None and bool(FeatureFlags.of(app).is_enabled(version_rules.RECOGNIZE_LAYER_VERSION))
        self._rules = all_rules(account_concurrency, layer_versions_hashed=hashed)

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> Optional[str]:
        try:
            return metadata.version("constructs_lib")
        except metadata.PackageNotFoundError:
            return None

    @property
    def rule_ids(self) -> list[str]:
        return [rule.id for rule in self._rules]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        app = App([Stack.load(s.template_path, s.region, s.account_id, s.stack_construct_path)
                   for s in context.stack_templates])
        violations = [_violation(rule, hit) for rule, hit in _checked(app, self._rules)]
        return PolicyValidationPluginReport(success=not violations, violations=violations,
                                            plugin_version=self.version)


def _violating_resource(hit: Hit) -> PolicyViolatingResource:
    if hit.logical_id is None:  # the template as a whole
        return PolicyViolatingResource(construct_path=hit.stack.construct_path, template_path=hit.stack.path,
                                       locations=[])
    return PolicyViolatingResource(resource_logical_id=hit.logical_id, template_path=hit.stack.path, locations=[])


def _violation(rule: Rule, hit: Hit) -> PolicyViolation:
    """One violation per hit, so that each says what exactly is wrong where."""
    return PolicyViolation(
        rule_name=rule.id,
        description=f"{rule.outcome.capitalize()}: {rule.rule} Here: {hit.detail}. See {rule.source}",
        fix=rule.fix,
        severity="error",
        rule_metadata={"DocumentationUrl": rule.source, "Outcome": rule.outcome},
        violating_resources=[_violating_resource(hit)],
    )
