"""A new layer reaches the alias: the version an alias serves follows every layer whose ARN CloudFormation
resolves at deploy time (Powertools' SSM parameter, a layer version of the app), in an app without feature flags
as in one with them; functions without such layers keep their versions as they were."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from constructs_lib import DependencyLayer, Deployment, ServerlessFunction
from tests.helpers import FIXTURES, PLAIN, make_app, template_of

RECOGNIZE_LAYER_VERSION = "@aws-cdk/aws-lambda:recognizeLayerVersion"


def the_version(template: Template) -> tuple[str, dict[str, Any]]:
    (logical_id, version), = template.find_resources("AWS::Lambda::Version").items()
    return logical_id, version["Properties"]


def follows(arn: Any) -> dict[str, Any]:
    """The description that names the layer's "name:version" as CloudFormation resolves it."""
    return {"Fn::Join": [" ", ["Layers:", {"Fn::Select": [1, {"Fn::Split": [":layer:", arn]}]}]]}


def test_a_version_is_replaced_when_its_description_changes() -> None:
    """What the fix relies on: CloudFormation cannot update a version's description, it replaces the version,
    that is, publishes a new one (the resource schema's createOnlyProperties)."""
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region="us-east-1", resource_type="AWS::Lambda::Version")
    assert "/properties/Description" in schema.schema["createOnlyProperties"]
    layer = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region="us-east-1", resource_type="AWS::Lambda::LayerVersion")
    assert "/properties/Content" in layer.schema["createOnlyProperties"]  # new content: a new layer version ARN


def test_a_powertools_layer_read_from_ssm_publishes_a_new_version(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, powertools=True, powertools_layer_version="latest",
                       deployment=Deployment.canary())
    template = template_of(stack)
    (parameter,) = [name for name, p in template.to_json()["Parameters"].items()
                    if str(p.get("Default", "")).startswith("/aws/service/powertools/")]
    version_id, version = the_version(template)
    assert version["Description"] == follows({"Ref": parameter})
    alias = template.find_resources("AWS::Lambda::Alias")
    assert [a["Properties"]["FunctionVersion"] for a in alias.values()] == [{"Fn::GetAtt": [version_id, "Version"]}]


@pytest.mark.parametrize("flag", [None, False, True])
def test_a_layer_of_the_app_publishes_a_new_version_whatever_the_flags(flag) -> None:
    """aws-cdk-lib 2.275 hashes a layer version into current_version's logical ID only with recognizeLayerVersion;
    the version's description follows the layer with or without it."""
    app = make_app(**({} if flag is None else {RECOGNIZE_LAYER_VERSION: flag}))
    stack = Stack(app, "Layered")
    dependencies = DependencyLayer(stack, "Deps", requirements=FIXTURES / "with_requirements" / "requirements.txt")
    ServerlessFunction(stack, "Snap", entry=PLAIN, layers=[dependencies], snap_start=True)
    _, version = the_version(template_of(stack))
    assert version["Description"] == follows({"Ref": stack.get_logical_id(dependencies.node.default_child)})


def test_every_layer_resolved_at_deploy_time_is_named_and_pinned_ones_are_not(stack: Stack) -> None:
    own = lambda_.LayerVersion(stack, "Own", code=lambda_.Code.from_asset(str(PLAIN)))
    pinned = lambda_.LayerVersion.from_layer_version_arn(
        stack, "Pinned", "arn:aws:lambda:eu-west-1:111122223333:layer:shared:3")
    ServerlessFunction(stack, "Fn", entry=PLAIN, layers=[pinned, own], powertools=True,
                       powertools_layer_version="3.23.0", provisioned_concurrency=1)
    template = template_of(stack)
    (parameter,) = [name for name in template.to_json()["Parameters"] if name.startswith("SsmParameterValue")]
    _, version = the_version(template)
    named = [part["Fn::Select"][1]["Fn::Split"][1] for part in version["Description"]["Fn::Join"][1][1:]]
    assert named == [{"Ref": stack.get_logical_id(own.node.default_child)}, {"Ref": parameter}]


@pytest.mark.parametrize("options", [
    {"deployment": Deployment.canary()},  # no layer
    {"powertools": True, "provisioned_concurrency": 1},  # a pinned layer: its ARN is part of the version's hash
])
def test_versions_without_layers_resolved_at_deploy_time_stay_as_they_were(stack: Stack, options) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, **options)
    version_id, version = the_version(template_of(stack))
    assert "Description" not in version
    assert version_id.startswith("FnFunctionCurrentVersion")
