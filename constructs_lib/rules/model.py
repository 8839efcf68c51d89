"""What the rules read: the synthesized templates of an app, and how their values refer to one another.

Only what a template states is judged. A value the template cannot resolve (an import from another
stack, a parameter, a custom resource's attribute) is never guessed at: a rule that needs it says nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from ..core.templates import Props, dig, mapping, ref_of

FAILS_DEPLOY = "fails the deploy"
DENIES_AT_RUN_TIME = "denies at run time"
DROPS_SILENTLY = "drops silently"
LOOPS = "loops at run time"
FAILS_AT_RUN_TIME = "fails at run time"
BYPASSES = "bypasses the safe deployment"
STAYS_SILENT = "stays silent"  # an alarm on a metric the service never publishes
HIDES_ERRORS = "hides errors from browsers"
DEPLOYS_ELSEWHERE = "deploys to another account or region"



@dataclass(frozen=True)
class Stack:
    """One synthesized template, with the stack's region when the app gave it one."""

    path: str
    template: Props
    region: Optional[str] = None
    account: Optional[str] = None
    construct_path: Optional[str] = None

    @property
    def resources(self) -> dict[str, Props]:
        return self.template.get("Resources", {})

    @classmethod
    def load(cls, path: str, region: Optional[str] = None, account: Optional[str] = None,
             construct_path: Optional[str] = None) -> "Stack":
        return cls(path, json.loads(Path(path).read_text()), _known(region), _known(account), construct_path)

    def of_type(self, *types: str) -> Iterator[tuple[str, Props]]:
        for logical_id, resource in self.resources.items():
            if resource.get("Type") in types:
                yield logical_id, resource

    def props(self, logical_id: Optional[str]) -> Props:
        return mapping(self.resources.get(logical_id or "", {}).get("Properties")) or {}

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
    :param outcome: what AWS does: ``FAILS_DEPLOY``, ``DENIES_AT_RUN_TIME``, ``DROPS_SILENTLY``, ``LOOPS``,
        ``FAILS_AT_RUN_TIME``, ``BYPASSES`` (traffic goes around a safe deployment), ``STAYS_SILENT`` (an alarm
        on a metric the service never publishes), ``HIDES_ERRORS`` (browsers see errors as CORS failures) or
        ``DEPLOYS_ELSEWHERE`` (a pipeline deploys a stack where it was not meant to go).
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

    def of_type(self, *types: str) -> Iterator[tuple[Stack, str, Props]]:
        for stack in self.stacks:
            for logical_id, resource in stack.of_type(*types):
                yield stack, logical_id, resource

    def resource(self, stack: Stack, value: Any) -> Optional[tuple[Stack, str]]:
        """The resource a value of `stack` refers to: a Ref or Fn::GetAtt in the template, or an Fn::ImportValue
        of what another stack of the app exports (as aws-cdk-lib writes cross-stack references)."""
        logical_id = ref_of(value)
        if logical_id is not None:
            return (stack, logical_id) if logical_id in stack.resources else None
        export = dig(value, "Fn::ImportValue")
        if not isinstance(export, str):
            return None
        for other in self.stacks:
            for output in other.template.get("Outputs", {}).values():
                if dig(output, "Export", "Name") == export:
                    exported = ref_of(dig(output, "Value"))
                    return (other, exported) if exported in other.resources else None
        return None


def number(value: Any, default: Optional[float] = None) -> Optional[float]:
    """A literal number (CloudFormation accepts "30" as well as 30), else `default`."""
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
