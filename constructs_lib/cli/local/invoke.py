"""Runs a function's handler in this Python process, as Lambda would: the code folder and its layers' ``python/``
folders on the path, the template's environment with Lambda's own variables, a context object, and the event."""

from __future__ import annotations

import contextlib
import importlib
import os
import platform
import re
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Callable, Generator, Optional

from .aws import make_resources
from .function import LocalError, LocalFunction
from .names import ACCOUNT
from .triggers import S3Source

ELF_MACHINES = {62: "x86_64", 183: "aarch64"}  # e_machine of the architectures Lambda runs
MOTO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing", "AWS_SECURITY_TOKEN": "testing"}


@dataclass
class LambdaContext:
    """The attributes and method of Lambda's Python context object."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_s: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))


@dataclass
class Invocation:
    result: Any = None
    error: Optional[BaseException] = None
    duration_ms: float = 0.0
    notes: list[str] = field(default_factory=list[str])
    made: list[str] = field(default_factory=list[str])


def lambda_variables(function: LocalFunction, code: Path) -> dict[str, str]:
    """What Lambda sets besides the function's own variables (the reserved ones a handler may read)."""
    name = function.names.name(function.logical_id)
    return {"AWS_REGION": function.names.region, "AWS_DEFAULT_REGION": function.names.region,
            "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "local", "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "LAMBDA_TASK_ROOT": str(code), "_HANDLER": function.handler,
            # No X-Ray daemon here: Powertools' tracer stays off unless the environment turns it on.
            "POWERTOOLS_TRACE_DISABLED": "true"}


def loads_here(module: Path) -> bool:
    """Whether this Python can load a compiled module: its Python version tag, and its ELF machine."""
    tag = re.search(r"\.cpython-(\d+)", module.name)
    if tag and tag.group(1) != f"{sys.version_info.major}{sys.version_info.minor}":
        return False
    with module.open("rb") as file:
        header = file.read(20)
    if header[:4] != b"\x7fELF":
        return True
    return ELF_MACHINES.get(int.from_bytes(header[18:20], "little")) in (None, platform.machine())


def foreign_binaries(folder: Path) -> list[str]:
    """Top-level packages of `folder` whose compiled modules this Python cannot load (built for Lambda's
    architecture or Python version)."""
    return sorted({path.relative_to(folder).parts[0] for path in folder.rglob("*.so") if not loads_here(path)})


@contextlib.contextmanager
def environment(variables: dict[str, str]) -> Generator[None, None, None]:
    saved = dict(os.environ)
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def search_path(first: list[Path], last: list[Path]) -> Generator[None, None, None]:
    """`first` before and `last` after this Python's own path; the modules loaded from them forgotten after."""
    saved = list(sys.path)
    before = set(sys.modules)
    sys.path[:0] = [str(p) for p in first]
    sys.path.extend(str(p) for p in last)
    roots = tuple(str(p) for p in first + last)
    try:
        yield
    finally:
        sys.path[:] = saved
        for module in set(sys.modules) - before:
            if (getattr(sys.modules[module], "__file__", None) or "").startswith(roots):
                del sys.modules[module]


@contextlib.contextmanager
def moto_or_not(use: bool) -> Generator[None, None, None]:
    if not use:
        yield
        return
    try:
        from moto import mock_aws
    except ImportError:
        raise LocalError("--moto needs moto: pip install 'constructs_lib[local]'") from None
    with environment(MOTO_CREDENTIALS), mock_aws():
        yield


def load_handler(handler: str) -> Callable[[Any, Any], Any]:
    module_name, _, attribute = handler.replace("/", ".").rpartition(".")
    sys.modules.pop(module_name, None)
    return getattr(importlib.import_module(module_name), attribute)


def invoke(function: LocalFunction, event: Any, *, moto: bool = False, overrides: Optional[dict[str, str]] = None,
           s3: Optional[S3Source] = None, s3_key: str = "") -> Invocation:
    """Runs the handler on `event`; its exception, if any, is in the returned Invocation (not raised)."""
    if not function.runtime.startswith("python"):
        raise LocalError(f"{function.path} runs {function.runtime or 'a container image'}: only Python handlers "
                         "run in this process")
    outcome = Invocation()
    with TemporaryDirectory() as scratch:
        code = function.code_dir(Path(scratch))
        layers, elsewhere = function.layers()
        outcome.notes += [f"layer not available here: {layer}" for layer in elsewhere]
        foreign = foreign_binaries(code)
        if foreign:
            outcome.notes.append(f"the bundle's compiled packages ({', '.join(foreign)}) are built for Lambda: "
                                 "this Python's own are used instead")
        here = f"python{sys.version_info.major}.{sys.version_info.minor}"
        if function.runtime != here:
            outcome.notes.append(f"the function's runtime is {function.runtime}; it runs here on {here}")
        variables = {**lambda_variables(function, code), **function.environment(), **(overrides or {})}
        context = LambdaContext(variables["AWS_LAMBDA_FUNCTION_NAME"], function.memory_mb,
                                f"arn:aws:lambda:{function.names.region}:{ACCOUNT}:function:"
                                f"{variables['AWS_LAMBDA_FUNCTION_NAME']}", function.timeout_s,
                                log_group_name=variables["AWS_LAMBDA_LOG_GROUP_NAME"])
        first, last = ([*layers], [code]) if foreign else ([code, *layers], [])
        with environment(variables), search_path(first, last), moto_or_not(moto):
            if moto:
                outcome.made = make_resources(function, s3, s3_key)
            started = time.perf_counter()
            try:
                outcome.result = load_handler(function.handler)(event, context)
            except Exception as error:  # the handler's failure is the invocation's outcome
                outcome.error = error
                traceback.print_exc()
            outcome.duration_ms = (time.perf_counter() - started) * 1000
    return outcome
