"""A workload file: how much each resource is used in a month, by construct path or logical ID.

    {"defaults": {"AWS::Lambda::Function": {"requests": 1000000, "duration_ms": 200}},
     "resources": {"ApiDemo/OrdersApi": {"requests": 2000000},
                   "ApiDemo/OrdersApi/Function": {"duration_ms": 120}}}

An entry applies to the resource whose construct path it names and to every resource under it (so
an API's requests also reach the function behind it); a longer path wins over a shorter one, a
logical ID over any path. "defaults" by resource type come last: what the template says (how often
a schedule runs a function) wins over them. JSON, or YAML when PyYAML is
installed.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, cast

# Every quantity a pricer reads, with what it means.
QUANTITIES = {
    "requests": "requests, invocations or executions a month",
    "duration_ms": "average duration of an invocation or an Express execution, in milliseconds",
    "restores": "SnapStart restores (cold starts) a month",
    "durable_operations": "durable operations (steps, waits, callbacks, ...) of a durable function a month",
    "gb": "GB processed a month",
    "gb_ingested": "GB of logs ingested a month",
    "gb_stored": "GB stored, on average over the month",
    "put_requests": "S3 PUT, COPY, POST and LIST requests a month",
    "get_requests": "S3 GET requests a month",
    "writes": "DynamoDB write request units a month",
    "reads": "DynamoDB read request units a month",
    "publishes": "SNS publishes a month",
    "deliveries": "notifications delivered a month",
    "events": "custom events put on the bus a month",
    "records": "Kinesis PUT payload units (25 KB) a month",
    "gb_in": "GB written to an on-demand stream, or put into a Firehose stream (records in 5 KB steps), a month",
    "gb_out": "GB read from an on-demand stream, or sent by CloudFront, a month",
    "lcus": "average load balancer capacity units over the month",
    "maus": "monthly active users",
    "traces": "X-Ray traces recorded a month",
    "transitions": "state transitions of one execution of a Standard workflow whose definition branches",
    "action_minutes": "CodePipeline V2 action execution minutes a month (each action's run, rounded up to a minute)",
    "build_minutes": "CodeBuild build minutes a month",
}


class WorkloadError(ValueError):
    """A workload file that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Workload:
    defaults: Mapping[str, Mapping[str, float]] = field(default_factory=dict[str, Mapping[str, float]])
    resources: Mapping[str, Mapping[str, float]] = field(default_factory=dict[str, Mapping[str, float]])

    def of(self, stack: str, path: str, logical_id: str) -> dict[str, float]:
        """The quantities given for one resource (not its type's defaults), most specific last."""
        full = f"{stack}/{path}"
        matching = [key for key in self.resources
                    if key != logical_id and any(_under(key, p) for p in (full, path))]
        found: dict[str, float] = {}
        for key in sorted(matching, key=len):
            found.update(self.resources[key])
        found.update(self.resources.get(logical_id, {}))
        return found

    def defaults_of(self, resource_type: str) -> dict[str, float]:
        return dict(self.defaults.get(resource_type, {}))


def _under(key: str, path: str) -> bool:
    return path == key or path.startswith(key.rstrip("/") + "/")


def load_workload(path: Path) -> Workload:
    text = path.read_text()
    try:
        data = json.loads(text) if path.suffix == ".json" else _yaml(text)
    except (ValueError, ImportError) as error:
        raise WorkloadError(f"{path}: {error}") from error
    if not isinstance(data, dict) or set(cast(dict[str, Any], data)) - {"defaults", "resources"}:
        raise WorkloadError(f"{path}: a mapping with 'defaults' and 'resources' expected")
    sections = {name: _section(path, name, cast(dict[str, Any], data).get(name) or {})
                for name in ("defaults", "resources")}
    return Workload(defaults=sections["defaults"], resources=sections["resources"])


def _section(path: Path, name: str, entries: Any) -> dict[str, dict[str, float]]:
    if not isinstance(entries, dict):
        raise WorkloadError(f"{path}: {name} must be a mapping")
    return {str(key): _quantities(path, f"{name}.{key}", quantities)
            for key, quantities in cast(dict[Any, Any], entries).items()}


def _yaml(text: str) -> Any:
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError as error:
        raise ImportError("YAML needs PyYAML (pip install pyyaml); or write the workload as .json") from error
    return yaml.safe_load(text)


def _quantities(path: Path, where: str, quantities: Any) -> dict[str, float]:
    if not isinstance(quantities, dict):
        raise WorkloadError(f"{path}: {where} must map quantity names to numbers")
    checked = cast(dict[Any, Any], quantities)
    for name, value in checked.items():
        if name not in QUANTITIES:
            close = difflib.get_close_matches(str(name), QUANTITIES, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(QUANTITIES)}"
            raise WorkloadError(f"{path}: {where}: unknown quantity {name!r}{hint}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise WorkloadError(f"{path}: {where}.{name} must be a number of at least 0, given {value!r}")
    return cast(dict[str, float], checked)
