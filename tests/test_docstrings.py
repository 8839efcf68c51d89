"""What users read in their editor: every public class and function is documented, with every prop."""

from __future__ import annotations

import inspect

import pytest

import constructs_lib

SKIPPED = {"self", "scope", "construct_id"}


@pytest.mark.parametrize("name", constructs_lib.__all__)
def test_public_name_documents_itself_and_every_prop(name: str) -> None:
    obj = getattr(constructs_lib, name)
    doc = inspect.getdoc(obj) or ""
    assert len(doc) > 40, f"{name} has no docstring"
    target = obj.__init__ if inspect.isclass(obj) else obj
    if inspect.isclass(obj) and "__init__" not in vars(obj) and not hasattr(obj, "__dataclass_fields__"):
        return  # an exception or a value class with an inherited constructor
    documented = set()
    for line in doc.splitlines():  # ":param a, b: ..." documents a and b
        if line.strip().startswith(":param "):
            documented |= {n.strip() for n in line.strip()[len(":param "):].split(":")[0].split(",")}
    parameters = inspect.signature(target).parameters
    undocumented = [p for p in parameters if p not in SKIPPED and p not in documented]
    assert undocumented == [], f"{name} does not document {undocumented}"
