"""What a Lambda function name or ARN in a template points at: which function, which qualifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..core.templates import joined_parts, ref_of, refs
from .model import Stack


@dataclass(frozen=True)
class Target:
    """What a Lambda ARN or name in a template points at: a function of the template, and a qualifier
    (None for unqualified, "$LATEST", an alias name or a version's logical id)."""

    function: str
    qualifier: Optional[str]

    @property
    def unqualified(self) -> bool:
        return self.qualifier in (None, "$LATEST")


def lambda_target(stack: Stack, value: Any, qualifier: Any = None) -> Optional[Target]:
    """Resolves a FunctionName, an ARN or a TargetFunctionArn (and a separate Qualifier) to a Target."""
    logical_id = ref_of(value)
    if logical_id is None:
        return None
    kind = stack.type_of(logical_id)
    explicit = _qualifier(stack, qualifier)
    if kind == "AWS::Lambda::Function":
        return Target(logical_id, explicit)
    if kind == "AWS::Lambda::Alias":
        alias = stack.props(logical_id)
        function = ref_of(alias.get("FunctionName"))
        name = alias.get("Name")
        if function and stack.type_of(function) == "AWS::Lambda::Function" and isinstance(name, str):
            return Target(function, name)
    if kind == "AWS::Lambda::Version":
        function = ref_of(stack.props(logical_id).get("FunctionName"))
        if function and stack.type_of(function) == "AWS::Lambda::Function":
            return Target(function, f"version:{logical_id}")
    return None


def invoked_target(stack: Stack, value: Any, qualifier: Any) -> Optional[Target]:
    """lambda_target, and the name aws-cdk-lib gives an event source mapping of an alias: Fn::Join of the
    function's name (picked out of the alias's ARN) and ':' + the alias's name."""
    target = lambda_target(stack, value, qualifier)
    named = refs(value)
    if target is None and joined_parts(value) and len(named) == 1:
        found = lambda_target(stack, {"Ref": named.pop()})
        return found if found is not None and found.qualifier is not None else None
    return target


def _qualifier(stack: Stack, value: Any) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    aliases = [r for r in refs(value) if stack.type_of(r) == "AWS::Lambda::Alias"]
    if len(aliases) == 1:  # aws-cdk-lib reads an alias's name out of its ARN
        name = stack.props(aliases[0]).get("Name")
        return name if isinstance(name, str) else None
    return None


def show_target(target: Target) -> str:
    if target.qualifier is None or target.qualifier == "$LATEST":
        return f"{target.function} ($LATEST)"
    if target.qualifier.startswith("version:"):
        return f"{target.function} (version {target.qualifier.split(':', 1)[1]})"
    return f"{target.function} (alias {target.qualifier})"
