"""Checks of the options a pattern passes through to its ServerlessFunction, before their values are read:
names that are no option (with the closest valid ones) and values of the wrong type, reported with the
construct path, so that `batchsize=5` gives a ConfigurationError, not a TypeError from inside the library."""

from __future__ import annotations

import difflib
import inspect
from functools import cache
from typing import Any, Callable, Iterable, Mapping, Optional

from constructs import Construct

from ..core.validation import Checks
from .option_types import FUNCTION_OPTION_TYPES, check_types
from .serverless_function import ServerlessFunction
from .tenancy import refuse_without_tenant_id


@cache
def keyword_options(init: Callable[..., Any]) -> frozenset[str]:
    """The keyword options of a construct's __init__ (not scope, construct_id or **options)."""
    return frozenset(
        name for name, parameter in inspect.signature(init).parameters.items()
        if name not in ("self", "scope", "construct_id")
        and parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL)
    )


def check_function_options(
    scope: Construct, given: Mapping[str, Any], pattern_init: Callable[..., Any], set_by_pattern: Iterable[str] = (),
    invoked_without_tenant_id_by: Optional[str] = None,
) -> None:
    """Each pass-through option must be a ServerlessFunction option the pattern does not set itself (the rule
    names the closest options of the pattern and of its function), of the option's type; a pattern whose trigger
    passes no tenant id (`invoked_without_tenant_id_by`, e.g. "An SQS event source mapping") refuses ``tenancy``.
    Raises before the pattern reads any option's value."""
    pattern = pattern_init.__qualname__.split(".")[0]
    checks = Checks(scope, pattern)
    fixed = set(set_by_pattern)
    function_options = keyword_options(ServerlessFunction.__init__) - fixed
    valid = sorted(keyword_options(pattern_init) | function_options)
    for name in given:
        if name in fixed:
            checks.fail(name, "given", f"is set by {pattern}")
        elif name not in function_options:
            closest = difflib.get_close_matches(name, valid, n=3, cutoff=0.6)
            hint = f": did you mean {' or '.join(closest)}?" if closest else ""
            checks.fail(name, "given", f"is not an option of this construct or of its function{hint}")
    check_types(checks, given, FUNCTION_OPTION_TYPES)
    if invoked_without_tenant_id_by is not None:
        refuse_without_tenant_id(checks, given.get("tenancy"), invoked_without_tenant_id_by)
    checks.raise_if_any()
