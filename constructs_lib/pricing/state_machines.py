"""What a Step Functions state machine costs: Standard workflows per state transition, Express ones per request and
GB-second; and how many transitions one execution makes, counted from the definition where it is linear."""

from __future__ import annotations

import json
import math
from typing import Any, Optional

from ..core.templates import Props, dig, joined_parts, mapping
from .facts import USAGE, Line, Resource, usage

BRANCHING = {"Choice", "Parallel", "Map"}
EXPRESS_MEMORY_GB = 64 / 1024  # billed in 64 MB chunks; the smallest, for a small definition and payload
EXPRESS_ROUNDING_MS = 100
DEFAULT_EXPRESS_DURATION_MS = 1000


def definition_of(props: dict[str, Any]) -> Optional[Props]:
    """The definition of a template's state machine, each reference written as a placeholder string."""
    body: Any = props.get("DefinitionString")
    parts = joined_parts(body)
    if parts:
        body = "".join(part if isinstance(part, str) else "REF" for part in parts)
    if isinstance(body, str):
        try:
            return mapping(json.loads(body))
        except ValueError:
            return None
    return mapping(props.get("Definition"))


def linear_transitions(definition: Props) -> Optional[int]:
    """The states one execution enters on the path from StartAt along Next to its end (no error caught, no retry),
    or None when that path branches (Choice, Parallel, Map): then how many depends on the data."""
    states = mapping(definition.get("States"))
    name = definition.get("StartAt")
    if states is None:
        return None
    entered: set[str] = set()
    while isinstance(name, str) and name in states and name not in entered:
        entered.add(name)
        kind = dig(states, name, "Type")
        if kind in BRANCHING:
            return None
        if dig(states, name, "End") or kind in ("Succeed", "Fail"):
            return len(entered)
        name = dig(states, name, "Next")
    return None  # a loop, or a Next to nowhere


def price_state_machine(r: Resource) -> Optional[list[Line]]:
    executions = r.quantity("requests")
    if r.props.get("StateMachineType", "STANDARD") == "EXPRESS":
        duration_ms = r.usage.get("duration_ms", r.defaults.get("duration_ms", DEFAULT_EXPRESS_DURATION_MS))
        billed_seconds = math.ceil(duration_ms / EXPRESS_ROUNDING_MS) * EXPRESS_ROUNDING_MS / 1000
        return [usage("stepfunctions.express_requests", executions, f"Express executions ({executions:,g} a month)"),
                usage("stepfunctions.express_duration", executions * billed_seconds * EXPRESS_MEMORY_GB,
                      f"Express duration: {executions:,g} executions of {duration_ms:g} ms at 64 MB")]
    given = r.usage.get("transitions", r.defaults.get("transitions"))
    definition = definition_of(r.props)
    counted = linear_transitions(definition) if definition is not None else None
    per_execution = given if given is not None else counted
    if per_execution is None:
        return [Line(USAGE, None, 0, "state transitions: the definition branches; give 'transitions' per execution "
                                       "in the workload")]
    how = "from the workload" if given is not None else "counted from the definition, without retries"
    return [usage("stepfunctions.transitions", executions * per_execution,
                  f"state transitions: {executions:,g} executions x {per_execution:g} ({how})")]


def price_pipe(r: Resource) -> list[Line]:
    return [usage("pipes.requests", r.quantity("requests"), "events the pipe delivers")]
