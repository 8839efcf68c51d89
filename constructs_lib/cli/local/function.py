"""A Lambda function of a cloud assembly, as its template defines it: handler, runtime, code folder, layers
and environment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ...core.templates import Props, as_list, dig
from .names import Names

FUNCTION = "AWS::Lambda::Function"


class LocalError(Exception):
    """The function cannot be run here: the message says why, and what to do."""


@dataclass
class LocalFunction:
    assembly: Path
    template_path: Path
    logical_id: str
    names: Names

    @property
    def resource(self) -> Props:
        return self.names.resources[self.logical_id]

    @property
    def properties(self) -> Props:
        return cast(Props, self.resource.get("Properties", {}))

    @property
    def path(self) -> str:
        """The construct path, e.g. "FanOutDemo/Uploads/Worker/Function/Resource"."""
        return str(dig(self.resource, "Metadata", "aws:cdk:path", default=f"{self.names.stack}/{self.logical_id}"))

    @property
    def handler(self) -> str:
        return str(self.properties.get("Handler", ""))

    @property
    def runtime(self) -> str:
        return str(self.properties.get("Runtime", ""))

    @property
    def memory_mb(self) -> int:
        return int(self.properties.get("MemorySize", 128))

    @property
    def timeout_s(self) -> int:
        return int(self.properties.get("Timeout", 3))

    def code_dir(self, scratch: Path) -> Path:
        """The folder with the function's code: its staged asset, or its inline code written to `scratch`."""
        inline = dig(self.properties, "Code", "ZipFile")
        if isinstance(inline, str):
            scratch.mkdir(parents=True, exist_ok=True)
            (scratch / f"{self.handler.rsplit('.', 1)[0]}.py").write_text(inline)
            return scratch
        if dig(self.properties, "Code", "ImageUri") is not None:
            raise LocalError(f"{self.path} is a container image: run it with its image's runtime interface emulator")
        return self.asset_dir(self.resource)

    def asset_dir(self, resource: Props) -> Path:
        asset = dig(resource, "Metadata", "aws:asset:path")
        if not isinstance(asset, str):
            raise LocalError(f"{dig(resource, 'Metadata', 'aws:cdk:path')}: the template names no asset folder "
                             "(was it synthesized with bundling skipped?)")
        folder = Path(asset) if Path(asset).is_absolute() else self.template_path.parent / asset
        if not folder.is_dir():
            raise LocalError(f"{folder} is not in the assembly: synthesize it again (`cdk synth`)")
        return folder

    def layers(self) -> tuple[list[Path], list[str]]:
        """The folders Lambda would put on the path from the function's layers (`python/` of each layer of
        the template), and the layers that cannot be had here (by ARN), each with what to install instead."""
        folders: list[Path] = []
        elsewhere: list[str] = []
        for layer in as_list(self.properties.get("Layers")):
            logical_id = self.names.target(layer)
            if logical_id and self.names.type_of(logical_id) == "AWS::Lambda::LayerVersion":
                root = self.asset_dir(self.names.resources[logical_id])
                folders.append(root / "python" if (root / "python").is_dir() else root)
                continue
            arn = self.names.resolve(layer)
            hint = " (install aws-lambda-powertools here)" if "Powertools" in json.dumps(layer) else ""
            elsewhere.append(f"{arn}{hint}")
        return folders, elsewhere

    def environment(self) -> dict[str, str]:
        variables = cast(dict[str, Any], dig(self.properties, "Environment", "Variables", default={}))
        return {name: self.names.resolve(value) for name, value in variables.items()}


def functions_of(assembly: Path, region: str = "us-east-1") -> list[LocalFunction]:
    found: list[LocalFunction] = []
    for template_path in sorted(assembly.rglob("*.template.json")):
        template = cast(Props, json.loads(template_path.read_text()))
        names = Names(stack=template_path.name.removesuffix(".template.json"), template=template, region=region)
        found += [LocalFunction(assembly, template_path, logical_id, names)
                  for logical_id, resource in names.resources.items() if resource.get("Type") == FUNCTION]
    return found


def find_function(assembly: Path, path: str, region: str = "us-east-1") -> LocalFunction:
    """The one function whose construct path is `path` or lies under it (the stack's name may be left out)."""
    if not assembly.is_dir():
        raise LocalError(f"{assembly} is not a folder: run `cdk synth` first")
    wanted = path.strip("/")
    functions = functions_of(assembly, region)
    matches = [f for f in functions if any(
        f.path == candidate or f.path.startswith(f"{candidate}/")
        for candidate in (wanted, f"{f.names.stack}/{wanted}"))]
    if len(matches) == 1:
        return matches[0]
    listed = "\n  ".join(sorted(f.path.removesuffix("/Resource") for f in matches or functions))
    if matches:
        raise LocalError(f"{len(matches)} functions lie under {path}; name one of:\n  {listed}")
    raise LocalError(f"no function at {path} in {assembly}; the functions are:\n  {listed}")
