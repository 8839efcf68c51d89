"""A griffe extension for the documentation site (mkdocs.yml, mkdocstrings' `extensions`): signatures show what
a reader needs, not names of the package's internals they cannot look up. A default that names a constant
shows its value (``throttle_rate_limit: float = 100``, not ``= DEFAULT_RATE_LIMIT``); an annotation that names
a Literal alias shows its values (``api: Literal['http', 'rest']``, not ``api: ApiKind``)."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator, Optional, Union

import griffe

MAX_DEPTH = 5  # a constant that names a constant that names ...


class DefaultsAsValues(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for member in _members(pkg):
            if isinstance(member, griffe.Function):
                for parameter in member.parameters:
                    parameter.default = _value_of(pkg, parameter.default)
                    parameter.annotation = _literals_spelled_out(pkg, parameter.annotation)
            elif isinstance(member.parent, griffe.Class):  # a class's field, e.g. a dataclass's
                member.annotation = _literals_spelled_out(pkg, member.annotation)


def _members(scope: Union[griffe.Module, griffe.Class]) -> Iterator[Union[griffe.Function, griffe.Attribute]]:
    """Every function and attribute of the package, in its modules and classes."""
    for member in scope.members.values():
        if member.is_alias:
            continue
        if isinstance(member, (griffe.Function, griffe.Attribute)):
            yield member
        elif isinstance(member, (griffe.Module, griffe.Class)):
            yield from _members(member)


def _constant(pkg: griffe.Module, expression: Any) -> Optional[griffe.Attribute]:
    """The package's module-level constant an expression names, if it does."""
    if not isinstance(expression, griffe.ExprName) or not expression.canonical_path.startswith(f"{pkg.path}."):
        return None
    try:
        target = pkg.modules_collection.get_member(expression.canonical_path)
        if target.is_alias:
            target = target.final_target
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return target if isinstance(target, griffe.Attribute) and target.value is not None else None


def _value_of(pkg: griffe.Module, default: Any, depth: int = 0) -> Any:
    """The value of the constant `default` names, else `default` itself."""
    constant = _constant(pkg, default)
    if constant is None or depth > MAX_DEPTH:
        return default
    return _value_of(pkg, constant.value, depth + 1)


def _literals_spelled_out(pkg: griffe.Module, annotation: Any) -> Any:
    """The annotation with each name of a ``Literal[...]`` alias replaced by the Literal (at any depth)."""
    constant = _constant(pkg, annotation)
    if constant is not None:
        value = constant.value
        is_literal = isinstance(value, griffe.ExprSubscript) and str(value.left) in ("Literal", "typing.Literal")
        return value if is_literal else annotation
    if isinstance(annotation, griffe.Expr) and dataclasses.is_dataclass(annotation):
        for field in dataclasses.fields(annotation):
            value = getattr(annotation, field.name)
            if isinstance(value, list):
                setattr(annotation, field.name, [_literals_spelled_out(pkg, item) for item in value])
            elif isinstance(value, griffe.Expr):
                setattr(annotation, field.name, _literals_spelled_out(pkg, value))
    return annotation
