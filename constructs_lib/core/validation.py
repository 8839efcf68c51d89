"""Synth-time configuration checks: collect every error, raise once.

Each message names the construct path, the prop, the value given and the rule, e.g.
``ServerlessFunction 'App/Stack/Fn': memory_size 64 must be between 128 and 10240 MB``.
Values that are unresolved tokens (known only at deploy time) are never checked.
"""

from __future__ import annotations

import difflib
import weakref
from typing import Any, Optional, Sequence

from aws_cdk import Duration, Size, Token
from constructs import Construct


class ConfigurationError(ValueError):
    """Raised at synth time when a construct's props break one or more rules.

    :param errors: one message per broken rule, each naming the construct path, the prop, the value
        given and the rule; the exception's text is these lines.
    """

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def is_unresolved(value: Any) -> bool:
    """True when `value` is (or holds) a token that only CloudFormation can resolve."""
    if value is None or isinstance(value, int):
        return False  # bool and int: a number token is a float
    if isinstance(value, str):
        return "Token[" in value and Token.is_unresolved(value)  # a string token holds its marker
    if isinstance(value, Duration):
        return seconds_of(value) is None
    if isinstance(value, Size):
        return value.is_unresolved()
    return Token.is_unresolved(value)


def seconds_of(duration: Optional[Duration]) -> Optional[float]:
    """A duration in seconds, or None when absent or unresolved."""
    if duration is None:
        return None
    if duration not in _SECONDS:  # each asks Node.js twice: a default duration is asked once
        _SECONDS[duration] = None if duration.is_unresolved() else duration.to_milliseconds() / 1000
    return _SECONDS[duration]


_SECONDS: "weakref.WeakKeyDictionary[Duration, Optional[float]]" = weakref.WeakKeyDictionary()


def mebibytes_of(size: Optional[Size]) -> Optional[float]:
    """A size in MiB, or None when absent or unresolved."""
    if size is None or size.is_unresolved():
        return None
    return size.to_mebibytes()


def show(value: Any) -> str:
    """How a value given by the user is quoted in a message."""
    if isinstance(value, Duration):
        human = value.to_human_string()
        if value.is_unresolved():
            return human
        # to_human_string drops the milliseconds of a longer duration (90.5 s reads "1 minute 30 seconds").
        millis = value.to_milliseconds()
        return human if millis % 1000 == 0 or "millis" in human else f"{millis:g} millis"
    if isinstance(value, Size):
        return f"{value.to_mebibytes():g} MB"
    return repr(value)


def closest(value: str, choices: Sequence[str]) -> str:
    """The choice most like `value`, case aside ('IAM' is 'iam'; 'schedular' is 'scheduler')."""
    by_folded = {choice.casefold(): choice for choice in choices}
    return by_folded[max(by_folded, key=lambda c: difflib.SequenceMatcher(None, value.casefold(), c).ratio())]


class Checks:
    """Collects the rule violations of one construct's props.

    Usage::

        checks = Checks(self, "ServerlessFunction")
        checks.within("memory_size", memory_size, 128, 10240, "MB")
        checks.require(cond, "timeout", timeout, "must be ...")
        checks.raise_if_any()
    """

    def __init__(self, scope: Construct, kind: str, path: Optional[str] = None) -> None:
        self._scope, self._kind, self._path = scope, kind, path
        self.errors: list[str] = []

    def fail(self, prop: str, value: Any, rule: str) -> None:
        # The construct's path, asked only when a rule is broken (a construct's path never changes).
        self._path = self._path or self._scope.node.path
        self.errors.append(f"{self._kind} '{self._path}': {prop} {show(value)} {rule}")

    def require(self, condition: bool, prop: str, value: Any, rule: str) -> None:
        """Records `rule` as broken unless `condition` holds."""
        if not condition:
            self.fail(prop, value, rule)

    def one_of(self, prop: str, value: Any, choices: Sequence[str]) -> bool:
        """Checks that `value` is one of `choices`; an unknown one gets one message, naming the closest choice.
        Returns whether it is one, so that the checks that depend on the choice are skipped (no knock-on
        messages about a value the user did not mean)."""
        if value in choices:
            return True
        listed = " or ".join(repr(choice) for choice in choices)
        if not isinstance(value, str):
            self.fail(prop, value, f"must be {listed}, given {type(value).__name__}")
            return False
        self.fail(prop, value, f"must be {listed}: did you mean {closest(value, choices)!r}?")
        return False

    def within(
        self,
        prop: str,
        value: Any,
        low: float,
        high: float,
        unit: str = "",
        measured: Optional[float] = None,
    ) -> None:
        """Checks low <= value <= high; `measured` is the number when `value` is a Duration/Size."""
        if value is None or is_unresolved(value):
            return
        number = value if measured is None else measured
        if not low <= number <= high:
            suffix = f" {unit}" if unit else ""
            self.fail(prop, value, f"must be between {low:g} and {high:g}{suffix} inclusive")

    def raise_if_any(self) -> None:
        if self.errors:
            raise ConfigurationError(self.errors)
