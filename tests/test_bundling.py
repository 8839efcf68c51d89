"""Dependencies bundled for Lambda's platform without Docker, cached, and size-checked. Uses pip for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_

from constructs_lib import ServerlessFunction
from constructs_lib.function import bundling
from tests.helpers import FIXTURES, make_app

ENTRY = FIXTURES / "with_requirements"


def wheel_tags(bundle: Path, distribution: str) -> list[str]:
    """The platform tags pip recorded for an installed distribution (its dist-info/WHEEL file)."""
    (wheel,) = bundle.glob(f"{distribution}-*.dist-info/WHEEL")
    return [line.split(": ", 1)[1] for line in wheel.read_text().splitlines() if line.startswith("Tag: ")]


def bundle_dir(app_outdir: str) -> Path:
    """The asset folder that the function's code was bundled into."""
    (asset,) = [p for p in Path(app_outdir).glob("asset.*") if p.is_dir()]
    return asset


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bundle-cache")


@pytest.mark.parametrize(
    ("architecture", "machine"),
    [(lambda_.Architecture.ARM_64, "aarch64"), (lambda_.Architecture.X86_64, "x86_64")],
)
def test_wheels_match_the_function_architecture(monkeypatch, cache, architecture, machine) -> None:
    monkeypatch.setenv("CONSTRUCTS_LIB_CACHE", str(cache))
    app = make_app(bundle=True)
    stack = Stack(app, "Bundled")
    ServerlessFunction(stack, "Fn", entry=ENTRY, architecture=architecture)
    assembly = app.synth()
    bundle = bundle_dir(assembly.directory)
    assert (bundle / "handler.py").is_file()
    assert (bundle / "yaml" / "__init__.py").is_file()
    extension = next((bundle / "yaml").glob("_yaml*.so"))  # the compiled part: the one that breaks
    assert "cpython-314" in extension.name and machine in extension.name
    tags = wheel_tags(bundle, "pyyaml")
    assert tags and all(t.startswith("cp314-cp314-manylinux") and t.endswith(machine) for t in tags)


def test_cache_is_reused_and_keyed_by_architecture(monkeypatch, cache) -> None:
    monkeypatch.setenv("CONSTRUCTS_LIB_CACHE", str(cache))
    arm = bundling.PipLocalBundling(ENTRY, "aarch64", "3.14", "T/Fn")
    x86 = bundling.PipLocalBundling(ENTRY, "x86_64", "3.14", "T/Fn")
    assert arm.cache_key != x86.cache_key
    for local in (arm, x86):  # fills the cache (a no-op when the tests above already did)
        local.try_bundle(str(cache.parent / f"warm-{local.cache_key}"))

    def no_pip(*args, **kwargs):
        raise AssertionError("pip ran although the cache holds these requirements")

    monkeypatch.setattr(bundling.subprocess, "run", no_pip)
    for local in (arm, x86):
        out = Path(cache.parent / f"out-{local.cache_key}")
        out.mkdir()
        assert local.try_bundle(str(out)) is True
        assert (out / "yaml").is_dir() and (out / "handler.py").is_file()


def test_asset_hash_changes_with_architecture_and_code(tmp_path) -> None:
    app = make_app()
    stack = Stack(app, "Hashes")
    ServerlessFunction(stack, "Arm", entry=ENTRY)
    ServerlessFunction(stack, "X86", entry=ENTRY, architecture=lambda_.Architecture.X86_64)
    copy = tmp_path / "entry"
    copy.mkdir()
    (copy / "requirements.txt").write_bytes((ENTRY / "requirements.txt").read_bytes())
    (copy / "handler.py").write_text("def handler(event, context):\n    return 1\n")
    ServerlessFunction(stack, "Changed", entry=copy)
    functions = app.synth().get_stack_by_name("Hashes").template["Resources"]
    keys = {v["Properties"]["Code"]["S3Key"] for v in functions.values() if v["Type"] == "AWS::Lambda::Function"}
    assert len(keys) == 3


def test_package_over_250_mb_is_refused(monkeypatch, cache, tmp_path) -> None:
    monkeypatch.setenv("CONSTRUCTS_LIB_CACHE", str(cache))
    monkeypatch.setattr(bundling, "MAX_UNZIPPED_BYTES", 1000)  # stands for 250 MB: pyyaml is bigger
    local = bundling.PipLocalBundling(ENTRY, "aarch64", "3.14", "App/Stack/Fn")
    with pytest.raises(bundling.BundlingError, match=r"'App/Stack/Fn': entry .* bundles to .* MB unzipped, over Lambda's 250 MB"):
        local.try_bundle(str(tmp_path))


def test_pip_failure_names_the_function(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CONSTRUCTS_LIB_CACHE", str(tmp_path / "cache"))
    entry = tmp_path / "entry"
    entry.mkdir()
    (entry / "handler.py").write_text("")
    (entry / "requirements.txt").write_text("this-package-does-not-exist-anywhere==0.0.0\n")
    local = bundling.PipLocalBundling(entry, "aarch64", "3.14", "App/Stack/Fn")
    with pytest.raises(bundling.BundlingError, match=r"'App/Stack/Fn': pip could not install .* \(python3.14, aarch64"):
        local.try_bundle(str(tmp_path / "out"))
    assert not list((tmp_path / "cache").iterdir()), "a failed install leaves nothing in the cache"


def test_folder_without_requirements_is_plain_code(tmp_path) -> None:
    code = bundling.code_from_folder(FIXTURES / "plain", lambda_.Architecture.ARM_64, lambda_.Runtime.PYTHON_3_14, "T")
    assert isinstance(code, lambda_.AssetCode)
