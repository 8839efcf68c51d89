"""Reading synthesized CloudFormation templates: what refers to what, and which construct made what."""

from __future__ import annotations

from typing import Any


def refs(value: Any) -> set[str]:
    """Logical IDs a template value refers to through Ref or Fn::GetAtt, at any depth."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            return {value["Ref"]}
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            return {target[0] if isinstance(target, list) else str(target).split(".")[0]}
        return set().union(set(), *(refs(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(refs(v) for v in value))
    return set()


def construct_path(resource: dict, stack: str, default: str) -> str:
    """The construct path of a resource within its stack, e.g. "Thumbnails/Function" for
    "Stack/Thumbnails/Function/Function/Resource": repeated names and "/Resource" say nothing."""
    path = resource.get("Metadata", {}).get("aws:cdk:path")
    if not path:
        return default
    parts = path.removeprefix(f"{stack}/").removesuffix("/Resource").split("/")
    return "/".join(part for i, part in enumerate(parts) if i == 0 or part != parts[i - 1])
