"""DependencyLayer: packages under python/ for the layer's architecture and runtime (pip for real), shared by
functions, which refuse a layer built for another platform or one that takes them over 250 MB."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_

from constructs_lib import ConfigurationError, DependencyLayer, ServerlessFunction
from constructs_lib.function import bundling
from constructs_lib.function import checks as function_checks
from tests.helpers import FIXTURES, PLAIN, make_app, template_of

REQUIREMENTS = FIXTURES / "with_requirements" / "requirements.txt"  # PyYAML, which has a compiled part


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("layer-cache")


def test_packages_are_installed_under_python_for_the_platform(monkeypatch, cache) -> None:
    monkeypatch.setenv("CONSTRUCTS_LIB_CACHE", str(cache))
    app = make_app(bundle=True)
    stack = Stack(app, "Layered")
    layer = DependencyLayer(stack, "Yaml", requirements=REQUIREMENTS)
    ServerlessFunction(stack, "First", entry=PLAIN, layers=[layer])
    ServerlessFunction(stack, "Second", entry=PLAIN, layers=[layer])
    assembly = app.synth()
    (resource,) = [r for r in assembly.get_stack_by_name("Layered").template["Resources"].values()
                   if r["Type"] == "AWS::Lambda::LayerVersion"]
    assert resource["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert resource["Properties"]["CompatibleRuntimes"] == ["python3.14"]
    asset = Path(assembly.directory) / f"asset.{resource['Properties']['Content']['S3Key'].removesuffix('.zip')}"
    extension = next((asset / "python" / "yaml").glob("_yaml*.so"))
    assert "cpython-314" in extension.name and "aarch64" in extension.name
    assert layer.unzipped_bytes == bundling.folder_size(asset) and layer.unzipped_bytes > 100_000
    template = template_of(stack)
    layer_id = stack.get_logical_id(layer.node.default_child)
    for fn in template.find_resources("AWS::Lambda::Function").values():
        assert {"Ref": layer_id} in fn["Properties"]["Layers"]


def test_a_layer_for_another_platform_is_refused(stack: Stack) -> None:
    x86 = DependencyLayer(stack, "X86", requirements=REQUIREMENTS, architecture=lambda_.Architecture.X86_64)
    older = DependencyLayer(stack, "Older", requirements=REQUIREMENTS, runtime=lambda_.Runtime.PYTHON_3_12)
    with pytest.raises(ConfigurationError) as refused:
        ServerlessFunction(stack, "Fn", entry=PLAIN, layers=[x86, older])
    assert refused.value.errors == [
        "ServerlessFunction 'Test/Fn': layers 'Test/X86' is built for x86_64; the function runs on arm64",
        "ServerlessFunction 'Test/Fn': layers 'Test/Older' is built for python3.12; the function runs on python3.14",
    ]
    ServerlessFunction(stack, "Matching", entry=PLAIN, layers=[x86], architecture=lambda_.Architecture.X86_64)


def test_a_function_and_its_layers_over_250_mb_are_refused_naming_each_part(monkeypatch, cache) -> None:
    monkeypatch.setenv("CONSTRUCTS_LIB_CACHE", str(cache))
    app = make_app(bundle=True)
    stack = Stack(app, "Big")
    layer = DependencyLayer(stack, "Yaml", requirements=REQUIREMENTS)
    limit = layer.unzipped_bytes  # stands for 250 MB: the layer fits, the layer and the function do not
    monkeypatch.setattr(function_checks, "MAX_UNZIPPED_BYTES", limit)
    with pytest.raises(ConfigurationError, match=re.escape("ServerlessFunction 'Big/Fn': layers the function's "
                                                           "package ") + r"[\d.]+ MB \+ layer Big/Yaml [\d.]+ MB = "
                                                 r"[\d.]+ MB unzipped exceed Lambda's 250 MB limit"):
        ServerlessFunction(stack, "Fn", entry=PLAIN, layers=[layer])


@pytest.mark.parametrize(("options", "message"), [
    ({"requirements": "nowhere/requirements.txt"},
     "requirements 'nowhere/requirements.txt' must be an existing requirements.txt file"),
    ({"requirements": REQUIREMENTS, "runtime": lambda_.Runtime.NODEJS_22_X},
     "runtime 'nodejs22.x' must be a Python runtime: the layer holds Python packages"),
])
def test_bad_configuration_is_refused(stack: Stack, options: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(f"DependencyLayer 'Test/Layer': {message}")):
        DependencyLayer(stack, "Layer", **options)
