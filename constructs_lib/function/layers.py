"""DependencyLayer: a Lambda layer of Python packages from a requirements.txt, built without Docker."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..core.validation import ConfigurationError
from .bundling import layer_code
from .runtimes import DEFAULT_RUNTIME


class DependencyLayer(lambda_.LayerVersion):
    """The packages of ``requirements``, installed for Lambda's platform (binary wheels for the architecture
    and the runtime's Python version, as function bundling installs them, from the same cache) under python/,
    where Lambda's Python runtimes find them. Share it between functions with ``layers=[layer]``: each
    function then ships only its own code.

    A function refuses, at synth, a layer built for another architecture or runtime, and a package that with
    its layers would exceed Lambda's 250 MB (unzipped), naming each part's size.

    :param requirements: path of a requirements.txt.
    :param architecture: what the packages are built for (default arm64, the library's default).
    :param runtime: whose Python version the packages are built for (default Python 3.14).
    :param description: the layer's description (default: names the requirements file).

    Exposes ``architecture``, ``runtime`` and ``unzipped_bytes`` (None until bundled: unknown while a stack's
    bundling is skipped).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        requirements: Union[str, Path],
        architecture: lambda_.Architecture = lambda_.Architecture.ARM_64,
        runtime: lambda_.Runtime = DEFAULT_RUNTIME,
        description: Optional[str] = None,
    ) -> None:
        requirements = Path(requirements)
        where = f"DependencyLayer '{scope.node.path}/{construct_id}'"
        errors: list[str] = []
        if not requirements.is_file():
            errors.append(f"{where}: requirements {str(requirements)!r} must be an existing requirements.txt file")
        if runtime.family != lambda_.RuntimeFamily.PYTHON:
            errors.append(f"{where}: runtime {runtime.name!r} must be a Python runtime: the layer holds Python "
                          "packages")
        if errors:
            raise ConfigurationError(errors)
        code, self._bundler = layer_code(requirements, architecture, runtime, f"{scope.node.path}/{construct_id}")
        super().__init__(
            scope, construct_id, code=code, compatible_architectures=[architecture], compatible_runtimes=[runtime],
            description=description or (
                f"Python packages of {requirements.parent.name}/{requirements.name} ({architecture.name}, "
                f"{runtime.name})"),
        )
        self.architecture = architecture
        self.runtime = runtime

    @property
    def unzipped_bytes(self) -> Optional[int]:
        return self._bundler.bundled_bytes
