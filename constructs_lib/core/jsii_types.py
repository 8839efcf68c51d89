"""aws-cdk-lib's Python classes implement their interfaces with parameters named differently (``Key.add_alias
(alias_name)`` against ``IKey.add_alias(alias)``), so a strict type checker refuses a ``Key`` where an ``IKey``
is asked for. jsii guarantees the class implements the interface; ``as_interface`` says so to the checker.
``node.default_child`` is typed as any construct; ``cfn_resource`` checks which one it is."""

from __future__ import annotations

from typing import TypeVar, cast

from constructs import IConstruct

Interface = TypeVar("Interface")


def as_interface(interface: type[Interface], value: object) -> Interface:
    """``value``, typed as the jsii ``interface`` it implements."""
    return cast(Interface, value)


Resource = TypeVar("Resource")


def cfn_resource(construct: IConstruct, kind: type[Resource]) -> Resource:
    """The L1 resource of an L2 construct (``construct.node.default_child``), checked to be of ``kind``."""
    child = construct.node.default_child
    if not isinstance(child, kind):
        raise TypeError(f"{construct.node.path}: its resource is a {type(child).__name__}, not a {kind.__name__}")
    return child
