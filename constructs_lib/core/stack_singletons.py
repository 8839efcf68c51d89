"""A construct that a stack has once, at its root, made on first need and found again quickly: a stack's shared
queue or alarms are asked for by every function of the stack."""

from __future__ import annotations

import weakref
from typing import Callable, Generic, Optional, TypeVar

from aws_cdk import Stack
from constructs import IConstruct

Single = TypeVar("Single")


class StackSingletons(Generic[Single]):
    """The one construct of type `kind` with id `construct_id` at each stack's root."""

    def __init__(self, kind: type[Single], construct_id: str, make: Callable[[Stack], Single]) -> None:
        self._kind, self._id, self._make = kind, construct_id, make
        self._by_stack: "weakref.WeakKeyDictionary[Stack, Single]" = weakref.WeakKeyDictionary()

    def of(self, scope: IConstruct, stack: Optional[Stack] = None) -> Single:
        """The construct of `scope`'s stack (`stack`, when known), made on first need."""
        stack = stack or Stack.of(scope)
        found = self._by_stack.get(stack)
        if found is None:
            child = stack.node.try_find_child(self._id)
            found = child if isinstance(child, self._kind) else self._make(stack)
            self._by_stack[stack] = found
        return found
