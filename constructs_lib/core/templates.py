"""Reading synthesized CloudFormation templates: what refers to what, and which construct made what."""

from __future__ import annotations

import re
from typing import Any, Optional, cast

# A template, a resource or its properties: JSON, where any value may also be an intrinsic function.
Props = dict[str, Any]


def mapping(value: Any) -> Optional[Props]:
    """The value if the template has a mapping there, else None."""
    return cast(Props, value) if isinstance(value, dict) else None


def dig(value: Any, *keys: str, default: Any = None) -> Any:
    """value[keys[0]][keys[1]]..., or `default` where a key is missing or a value is not a mapping (an
    intrinsic function such as Fn::If stands where the template could have had one)."""
    for key in keys:
        found = mapping(value)
        value = found.get(key) if found is not None else None
    return default if value is None else value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return cast(list[Any], value) if isinstance(value, list) else [value]


def ref_of(value: Any) -> Optional[str]:
    """The logical id a Ref or Fn::GetAtt names, else None."""
    found = mapping(value)
    if found is not None and len(found) == 1:
        (function, argument), = found.items()
        if function == "Ref" and isinstance(argument, str):
            return argument
        if function == "Fn::GetAtt":
            return str(as_list(argument)[0]) if isinstance(argument, list) else str(argument).split(".")[0]
    return None


def refs(value: Any) -> set[str]:
    """Logical IDs a template value refers to through Ref or Fn::GetAtt, at any depth."""
    found = mapping(value)
    if found is not None:
        own = ref_of(found)
        return {own} if own else set[str]().union(*(refs(v) for v in found.values()))
    if isinstance(value, list):
        return set[str]().union(*(refs(v) for v in as_list(value)))
    return set()


def joined_parts(value: Any) -> list[Any]:
    """The parts of an Fn::Join, else []."""
    join = as_list(dig(value, "Fn::Join"))
    return as_list(join[1]) if len(join) == 2 and isinstance(join[1], list) else []


def text_of(value: Any) -> str:
    """The literal text of a string or an Fn::Join (what it refers to left out)."""
    return value if isinstance(value, str) else "".join(text_of(part) for part in joined_parts(value))


def construct_path(resource: Props, stack: str, default: str) -> str:
    """The construct path of a resource within its stack, e.g. "Thumbnails/Function" for
    "Stack/Thumbnails/Function/Function/Resource": repeated names and "/Resource" say nothing."""
    path = dig(resource, "Metadata", "aws:cdk:path")
    if not isinstance(path, str) or not path:
        return default
    parts = path.removeprefix(f"{stack}/").removesuffix("/Resource").split("/")
    return "/".join(part for i, part in enumerate(parts) if i == 0 or part != parts[i - 1])


def varies_between_deployments(value: Any) -> bool:
    """Whether CloudFormation resolves `value` at each deployment from something that may change between two
    deployments of the same template: a parameter (an SSM parameter is read again at every update), a resource's
    attribute, an export or a dynamic reference. Pseudo parameters, mappings and conditions are fixed for a stack."""
    if isinstance(value, str):
        return "{{resolve:" in value
    found = mapping(value)
    if found is None:
        return any(varies_between_deployments(item) for item in as_list(value)) if isinstance(value, list) else False
    if "Fn::ImportValue" in found:
        return True
    own = ref_of(found)
    if own is not None:
        return not own.startswith("AWS::")
    if "Fn::Sub" in found:
        return _sub_varies(found["Fn::Sub"])
    return any(varies_between_deployments(item) for item in found.values())


def _sub_varies(argument: Any) -> bool:
    """Fn::Sub's string names what it refers to as ${Name} or ${Name.Attribute}; ${!Text} is literal text."""
    parts = as_list(argument)
    text = str(parts[0]) if parts else ""
    variables = (mapping(parts[1]) or {}) if len(parts) > 1 else {}
    names = {name.split(".")[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text)}
    return (any(not name.startswith("AWS::") for name in names - set(variables))
            or any(varies_between_deployments(value) for value in variables.values()))


def mentions(value: Any, part: Any) -> bool:
    """Whether `part` is `value` or appears anywhere inside it."""
    if value == part:
        return True
    found = mapping(value)
    items = list(found.values()) if found is not None else as_list(value) if isinstance(value, list) else []
    return any(mentions(item, part) for item in items)
