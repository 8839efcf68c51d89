"""The type each function option must have, checked before any value is: `timeout=1000` gives a
ConfigurationError with the construct path like every other rule, not a TypeError from inside the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, cast

from aws_cdk import Duration, Size, Token
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs

from ..core.validation import Checks
from .deployment import Deployment
from .durable import Durable

# What a function option must be: the accepted types and how the rule names them.
Expected = tuple[tuple[type, ...], str]
NUMBER: Expected = ((int,), "an int")
FLAG: Expected = ((bool,), "a bool")
TEXT: Expected = ((str,), "a str")
DURATION: Expected = ((Duration,), "a Duration (e.g. Duration.seconds(30))")
SIZE: Expected = ((Size,), "a Size (e.g. Size.mebibytes(1024))")
FUNCTION_OPTION_TYPES: dict[str, Expected] = {
    "entry": ((str, Path), "a folder (str or Path)"),
    "handler": TEXT,
    "runtime": ((lambda_.Runtime,), "a lambda_.Runtime (e.g. Runtime.PYTHON_3_13)"),
    "architecture": ((lambda_.Architecture,), "a lambda_.Architecture"),
    "memory_size": NUMBER,
    "timeout": DURATION,
    "environment": ((Mapping,), "a mapping of names to str values"),
    "ephemeral_storage_size": SIZE,
    "reserved_concurrency": NUMBER,
    "provisioned_concurrency": NUMBER,
    "tracing": ((lambda_.Tracing,), "a lambda_.Tracing"),
    "log_retention": ((logs.RetentionDays,), "a logs.RetentionDays"),
    "layers": ((list, tuple), "a list of layers"),
    "powertools": FLAG,
    "retry_attempts": NUMBER,
    "max_event_age": DURATION,
    "no_failure_target": TEXT,
    "function_url_auth": TEXT,
    "allow_public_function_url": FLAG,
    "function_url_invokers": ((list, tuple), "a list of principals"),
    "snap_start": FLAG,
    "create_alarms": FLAG,
    "own_alarms": FLAG,
    "description": TEXT,
    "deployment": ((Deployment,), "a Deployment: Deployment.canary(...), .linear(...) or .all_at_once()"),
    "durable": ((Durable,), "a Durable: Durable(execution_timeout=Duration.days(1))"),
    "tenancy": TEXT,
    "inline": ((str,), "the handler's source code (a str)"),
}


def check_types(checks: Checks, values: Mapping[str, Any], expected: Mapping[str, Expected]) -> set[str]:
    """Records each value (None and tokens aside) not of its expected type; returns the names of those."""
    wrong: set[str] = set()
    for name, value in values.items():
        if name not in expected or value is None or _is_token(value):
            continue
        types, described = expected[name]
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            checks.fail(name, value, f"must be {described}, given {type(value).__name__}")
            wrong.add(name)
        elif name == "environment":
            wrong |= _check_environment_types(checks, cast(Mapping[Any, Any], value))
    return wrong


def _is_token(value: Any) -> bool:
    if isinstance(value, bool) or isinstance(value, int):
        return False  # a number token is a float
    if isinstance(value, str):  # a string token holds its marker
        return "Token[" in value and Token.is_unresolved(value)
    return isinstance(value, float) and Token.is_unresolved(value)


def _check_environment_types(checks: Checks, environment: Mapping[Any, Any]) -> set[str]:
    bad = [key for key, value in environment.items() if not isinstance(key, str) or not isinstance(value, str)]
    for key in bad:
        checks.fail("environment", key, f"must map to a str, given {type(environment[key]).__name__}")
    return {"environment"} if bad else set()
