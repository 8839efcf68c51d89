"""Rules of Lambda versions: what an alias serves after a deployment."""

from __future__ import annotations

from typing import Any, Iterator

from ..core.templates import as_list, dig, mentions, ref_of, varies_between_deployments
from .model import DROPS_SILENTLY, App, Hit, Rule, Stack

# aws-cdk-lib's feature flag that hashes a layer version of the app into current_version's logical ID.
RECOGNIZE_LAYER_VERSION = "@aws-cdk/aws-lambda:recognizeLayerVersion"


def versions_follow_layers(app: App, layer_versions_hashed: bool) -> Iterator[Hit]:
    """A version an alias serves, of a function with a layer resolved at each deployment, none of whose
    properties changes with that layer. With `layer_versions_hashed` (the app sets RECOGNIZE_LAYER_VERSION),
    aws-cdk-lib renames the version when a layer version of the template changes: those layers are followed."""
    for stack, alias_id, alias in app.of_type("AWS::Lambda::Alias"):
        version_id = ref_of(dig(alias, "Properties", "FunctionVersion"))
        if stack.type_of(version_id) != "AWS::Lambda::Version":
            continue
        version = stack.props(version_id)
        function_id = ref_of(version.get("FunctionName"))
        if stack.type_of(function_id) != "AWS::Lambda::Function":
            continue
        own = {name: value for name, value in version.items() if name != "FunctionName"}
        for layer in as_list(stack.props(function_id).get("Layers")):
            if not varies_between_deployments(layer) or mentions(own, layer):
                continue
            if layer_versions_hashed and stack.type_of(ref_of(layer)) == "AWS::Lambda::LayerVersion":
                continue
            yield Hit(stack, version_id,
                      f"alias {alias_id} serves version {version_id} of {function_id}, whose layer "
                      f"{_show(stack, layer)} is resolved at each deployment; no property of the version changes "
                      "with it, so a new layer reaches $LATEST only")


def _show(stack: Stack, layer: Any) -> str:
    logical_id = ref_of(layer)
    if logical_id is None:
        return "(an import or a dynamic reference)"
    parameter = dig(stack.template, "Parameters", logical_id)
    if parameter is not None:
        return f"{logical_id} (a parameter of type {dig(parameter, 'Type', default='String')})"
    return f"{logical_id} ({stack.type_of(logical_id)})"


def rules(layer_versions_hashed: bool = False) -> list[Rule]:
    return [
        Rule("DR-LAMBDA-VERSION-LAYERS", DROPS_SILENTLY,
             "CloudFormation publishes a version only when it creates or replaces the AWS::Lambda::Version: when a "
             "layer's ARN is resolved at each deployment (an SSM parameter, a layer version of the template), a new "
             "layer updates $LATEST, and an alias on a version keeps the old layer unless a property of the version "
             "changes with that ARN.",
             "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-version.html",
             "Name the layer's ARN in a property of the version, e.g. current_version_options=VersionOptions("
             "description=Fn.join(' ', ['Layers:', layer.layer_version_arn])) (its description cannot be updated: "
             "a new ARN replaces the version); for a layer version of the app, setting "
             f"{RECOGNIZE_LAYER_VERSION} also does (give the app to DeployRules(app) so that it reads the flag).",
             lambda app: versions_follow_layers(app, layer_versions_hashed)),
    ]
