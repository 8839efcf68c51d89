"""The checks of a ServerlessFunction's options, each a rule of AWS Lambda's (developer guide: "Lambda quotas",
"Working with Lambda environment variables", "Improving startup performance with Lambda SnapStart"), run
at synth time before any resource is made."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from aws_cdk import Duration, Size
from aws_cdk import aws_lambda as lambda_

from ..core.validation import Checks, ConfigurationError, is_unresolved, mebibytes_of, seconds_of
from .bundling import MAX_UNZIPPED_BYTES
from .layers import DependencyLayer
from .powertools import DEFAULT_POWERTOOLS_LAYER_VERSION, publisher_account, version_problem

MAX_ENVIRONMENT_BYTES = 4 * 1024
ENVIRONMENT_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
# Set by the Lambda runtime; a function may not define them (AWS Lambda developer guide).
RESERVED_ENVIRONMENT = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
MAX_LAYERS = 5


def check_limits(
    checks: Checks, memory_size: int, timeout: Duration, max_event_age: Duration, ephemeral_storage_size: Optional[Size],
    environment: Mapping[str, str],
) -> None:
    """Memory, timeout, /tmp and environment within Lambda's quotas."""
    checks.within("memory_size", memory_size, 128, 10240, "MB")
    checks.within("timeout", timeout, 1, 900, "seconds", seconds_of(timeout))
    for prop, duration in (("timeout", timeout), ("max_event_age", max_event_age)):
        seconds = seconds_of(duration)
        checks.require(seconds is None or seconds.is_integer(), prop, duration, "must be whole seconds")
    checks.within(
        "ephemeral_storage_size", ephemeral_storage_size, 512, 10240, "MB", mebibytes_of(ephemeral_storage_size),
    )
    _check_environment(checks, environment)


def check_async(checks: Checks, retry_attempts: int, max_event_age: Duration) -> None:
    """Asynchronous invocation settings within what Lambda accepts."""
    checks.within("retry_attempts", retry_attempts, 0, 2)
    checks.within("max_event_age", max_event_age, 60, 6 * 3600, "seconds", seconds_of(max_event_age))


def check_layers(
    checks: Checks, layers: Sequence[lambda_.ILayerVersion], powertools: bool, architecture: lambda_.Architecture,
    runtime: lambda_.Runtime,
) -> None:
    """At most 5 layers, the Powertools layer counted; DependencyLayers built for this function's platform."""
    layer_count = len(layers) + (1 if powertools else 0)
    checks.require(
        layer_count <= MAX_LAYERS, "layers", f"{layer_count} layers",
        f"exceed Lambda's limit of {MAX_LAYERS} layers per function (the Powertools layer counts)",
    )
    _check_dependency_layers(checks, layers, architecture, runtime)


def check_powertools(checks: Checks, powertools: bool, version: object, region: str) -> None:
    """The Powertools layer exists in the stack's region, and a version is asked for only with it."""
    if powertools and not is_unresolved(region):
        checks.require(
            publisher_account(region) is not None, "powertools", True,
            f"is not available in {region}: Powertools publishes its layer in the commercial regions, "
            "cn-north-1 and the GovCloud (US) regions; list aws-lambda-powertools in requirements.txt instead",
        )
    if not powertools:
        checks.require(
            version == DEFAULT_POWERTOOLS_LAYER_VERSION, "powertools_layer_version", version, "needs powertools=True"
        )
        return
    problem = version_problem(version, region)
    checks.require(problem is None, "powertools_layer_version", version, problem or "")


def check_code(
    checks: Checks,
    entry: Optional[Path],
    handler: str,
    image: Optional[lambda_.EcrImageCode],
    layers: Sequence[lambda_.ILayerVersion],
    powertools: bool,
) -> None:
    if (entry is None) == (image is None):
        checks.fail("entry", str(entry) if entry else None, "and image: give exactly one of them")
        return
    if image is not None:
        checks.require(
            not layers and not powertools, "layers", f"{len(layers) + powertools} layers",
            "cannot be used with a container image: put the layer's content in the image",
        )
        return
    assert entry is not None
    if not entry.is_dir():
        checks.fail("entry", str(entry), "must be an existing folder with the handler's code")
        return
    module, _, function = handler.rpartition(".")
    if not module or not function:
        checks.fail("handler", handler, "must be 'module.function', e.g. 'handler.handler'")
        return
    module_path = entry.joinpath(*module.split("."))
    if not (module_path.with_suffix(".py").is_file() or (module_path / "__init__.py").is_file()):
        checks.fail(
            "handler", handler,
            f"names module '{module}', but {module_path.with_suffix('.py')} does not exist in entry",
        )


def _check_environment(checks: Checks, environment: Mapping[str, str]) -> None:
    for name in environment:
        checks.require(
            bool(ENVIRONMENT_NAME.fullmatch(name)), "environment", name,
            "is not a valid variable name: a letter, then at least one letter, digit or '_'",
        )
        checks.require(
            name not in RESERVED_ENVIRONMENT, "environment", name,
            "is reserved by the Lambda runtime and cannot be set",
        )
    # Lambda measures the variables as the JSON map it stores; tokens count by their placeholder.
    size = len(json.dumps(environment, separators=(",", ":")).encode())
    checks.require(
        size <= MAX_ENVIRONMENT_BYTES, "environment", f"of {size} bytes",
        f"exceeds Lambda's limit of {MAX_ENVIRONMENT_BYTES} bytes for all variables together",
    )


def _check_dependency_layers(
    checks: Checks, layers: Sequence[lambda_.ILayerVersion], architecture: lambda_.Architecture,
    runtime: lambda_.Runtime,
) -> None:
    """A layer's compiled packages run only on the architecture and Python version they were built for."""
    for layer in layers:
        if not isinstance(layer, DependencyLayer):
            continue
        checks.require(
            layer.architecture.name == architecture.name, "layers", layer.node.path,
            f"is built for {layer.architecture.name}; the function runs on {architecture.name}",
        )
        checks.require(
            layer.runtime.name == runtime.name, "layers", layer.node.path,
            f"is built for {layer.runtime.name}; the function runs on {runtime.name}",
        )


def check_unzipped_size(path: str, package_bytes: Optional[int], layers: Sequence[lambda_.ILayerVersion]) -> None:
    """Lambda refuses a function whose package and layers unzip to more than 250 MB: checked with the sizes
    known at synth (the function's own package, and DependencyLayers once bundled)."""
    parts = [("the function's package", package_bytes)] + [
        (f"layer {layer.node.path}", layer.unzipped_bytes) for layer in layers if isinstance(layer, DependencyLayer)]
    known = [(name, size) for name, size in parts if size is not None]
    total = sum(size for _, size in known)
    if len(known) > 1 and total > MAX_UNZIPPED_BYTES:
        sizes = " + ".join(f"{name} {size / 1024 / 1024:.1f} MB" for name, size in known)
        raise ConfigurationError([
            f"ServerlessFunction '{path}': layers {sizes} = {total / 1024 / 1024:.1f} MB unzipped exceed Lambda's "
            "250 MB limit for a function and its layers: move packages out, or use a container image (image=)"
        ])


# SnapStart is offered in every commercial region but these (AWS Lambda developer guide, "Supported Regions").
SNAP_START_UNAVAILABLE = {"ap-southeast-6": "Asia Pacific (New Zealand)", "ap-east-2": "Asia Pacific (Taipei)"}


def check_snap_start(
    checks: Checks, runtime: lambda_.Runtime, image: Optional[Any], provisioned: Optional[int],
    filesystem: Optional[Any], ephemeral: Optional[Size], region: str,
) -> None:
    """What Lambda refuses with SnapStart (AWS Lambda developer guide, "Supported features and limitations")."""
    rule = "is not supported with SnapStart"
    checks.require(image is None, "image", "given", f"{rule}: container images cannot be snapshotted")
    checks.require(
        image is not None or runtime.supports_snap_start, "runtime", runtime.name,
        f"{rule}: it needs Python 3.12 or newer (or Java 11+, .NET 8+)",
    )
    checks.require(
        not provisioned, "provisioned_concurrency", provisioned,
        f"{rule}: use one or the other (SnapStart restores environments, provisioned concurrency keeps them)",
    )
    checks.require(filesystem is None, "filesystem", "given", f"{rule}: EFS cannot be mounted in a snapshot")
    size = mebibytes_of(ephemeral)
    checks.require(
        size is None or size <= 512, "ephemeral_storage_size", ephemeral, f"{rule}: /tmp is at most 512 MB with it",
    )
    if not is_unresolved(region):
        checks.require(
            region not in SNAP_START_UNAVAILABLE, "snap_start", True,
            f"is not offered in {region} ({SNAP_START_UNAVAILABLE.get(region)})",
        )


def check_concurrency(checks: Checks, reserved: Optional[int], provisioned: Optional[int]) -> None:
    if reserved is not None and not is_unresolved(reserved):
        checks.require(reserved >= 0, "reserved_concurrency", reserved, "must be 0 or more")
    if provisioned is None or is_unresolved(provisioned):
        return
    checks.require(provisioned >= 1, "provisioned_concurrency", provisioned, "must be 1 or more")
    if reserved is not None and not is_unresolved(reserved):
        checks.require(
            provisioned <= reserved, "provisioned_concurrency", provisioned,
            f"must not exceed reserved_concurrency ({reserved}): provisioned environments "
            "count against the function's reserved concurrency",
        )
