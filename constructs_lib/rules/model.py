"""What the rules read: the synthesized templates of an app, and how their values refer to one another.

Only what a template states is judged. A value the template cannot resolve (an import from another
stack, a parameter, a custom resource's attribute) is never guessed at: a rule that needs it says nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

FAILS_DEPLOY = "fails the deploy"
DENIES_AT_RUN_TIME = "denies at run time"
DROPS_SILENTLY = "drops silently"
LOOPS = "loops at run time"


@dataclass(frozen=True)
class Stack:
    """One synthesized template, with the stack's region when the app gave it one."""

    path: str
    template: dict
    region: Optional[str] = None
    account: Optional[str] = None
    construct_path: Optional[str] = None

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.get("Resources", {})

    @classmethod
    def load(cls, path: str, region: Optional[str] = None, account: Optional[str] = None,
             construct_path: Optional[str] = None) -> "Stack":
        return cls(path, json.loads(Path(path).read_text()), _known(region), _known(account), construct_path)

    def of_type(self, *types: str) -> Iterator[tuple[str, dict]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") in types:
                yield logical_id, resource

    def props(self, logical_id: str) -> dict:
        return self.resources.get(logical_id, {}).get("Properties", {})

    def type_of(self, logical_id: Optional[str]) -> Optional[str]:
        return self.resources.get(logical_id or "", {}).get("Type")


def _known(value: Optional[str]) -> Optional[str]:
    """A stack's region or account, or None for an environment-agnostic stack's token."""
    return value if value and "${" not in value and not value.startswith("unknown-") else None


@dataclass(frozen=True)
class Hit:
    """A broken rule: where, and what exactly is wrong there."""

    stack: Stack
    logical_id: Optional[str]  # None: the template as a whole
    detail: str


@dataclass(frozen=True)
class Rule:
    """One thing AWS checks when CloudFormation creates a resource, or at its first use.

    :param id: ``DR-...``, also the id an acknowledgment names (``DeployRules::DR-...``).
    :param outcome: what AWS does: ``FAILS_DEPLOY``, ``DENIES_AT_RUN_TIME``, ``DROPS_SILENTLY`` or ``LOOPS``.
    :param rule: the rule, in one sentence.
    :param source: AWS's documentation of it.
    :param fix: what to change.
    :param check: finds every resource of the app that breaks the rule.
    """

    id: str
    outcome: str
    rule: str
    source: str
    fix: str
    check: Callable[["App"], Iterable[Hit]] = field(repr=False)


@dataclass(frozen=True)
class App:
    """The templates of one synthesis, read together: some rules add up what several stacks ask for."""

    stacks: list[Stack]

    def of_type(self, *types: str) -> Iterator[tuple[Stack, str, dict]]:
        for stack in self.stacks:
            for logical_id, resource in stack.of_type(*types):
                yield stack, logical_id, resource


def dig(value: Any, *keys: str, default: Any = None) -> Any:
    """value[keys[0]][keys[1]]..., or `default` where a key is missing or a value is not a mapping (an
    intrinsic function such as Fn::If stands where the template could have had one)."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return default if value is None else value


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def ref_of(value: Any) -> Optional[str]:
    """The logical id a Ref or Fn::GetAtt names, else None."""
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Ref" and isinstance(argument, str):
            return argument
        if function == "Fn::GetAtt":
            return argument[0] if isinstance(argument, list) else str(argument).split(".")[0]
    return None


def refs_in(value: Any) -> set[str]:
    """Every logical id a value refers to, at any depth."""
    if isinstance(value, dict):
        own = ref_of(value)
        return {own} if own else set().union(*(refs_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(refs_in(v) for v in value))
    return set()


def number(value: Any, default: Optional[float] = None) -> Optional[float]:
    """A literal number (CloudFormation accepts "30" as well as 30), else `default`."""
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def joined_parts(value: Any) -> list:
    """The parts of an Fn::Join, else []."""
    join = as_list(dig(value, "Fn::Join"))
    return join[1] if len(join) == 2 and isinstance(join[1], list) else []


def text_of(value: Any) -> str:
    """The literal text of a string or an Fn::Join (what it refers to left out)."""
    return value if isinstance(value, str) else "".join(text_of(part) for part in joined_parts(value))
