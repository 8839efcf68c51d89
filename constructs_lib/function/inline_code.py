"""Inline code: a function's source written into the template (CloudFormation's Code.ZipFile), for a handler small
enough to read there and with no dependencies.

CloudFormation writes the text to a file named ``index`` and zips it, so the handler is ``index.<function>``; the
zip may be 4 MB, but the template that carries the text is at most 1 MB (CloudFormation quotas), which is the
limit that binds. "You cannot include function dependencies" with inline code: packages come from layers
(``powertools=True``, a DependencyLayer) or from ``entry=`` with a requirements.txt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from aws_cdk import aws_lambda as lambda_

from ..core.validation import Checks

TEMPLATE_PAGE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-function-code.html"
MAX_TEMPLATE_BYTES = 1024 * 1024  # a template uploaded to S3, as the cdk CLI does for large ones
INLINE_MODULE = "index"
INLINE_HANDLER = "index.handler"


def check_inline(
    checks: Checks, inline: str, entry: Optional[Path], image: object, handler: str, runtime: lambda_.Runtime,
) -> None:
    """Inline source alone (no folder, no image), as an ``index`` module, on a runtime that takes it, small enough
    for the template."""
    if entry is not None:
        has_requirements = (entry / "requirements.txt").is_file()
        checks.fail(
            "inline", "given",
            "cannot include function dependencies: entry's requirements.txt would be ignored; use entry alone"
            if has_requirements else "and entry: give exactly one of entry, image and inline",
        )
    checks.require(image is None, "inline", "given", "and image: give exactly one of entry, image and inline")
    checks.require(bool(inline.strip()), "inline", inline, "must be the handler's source code")
    module, _, function = handler.rpartition(".")
    checks.require(
        module == INLINE_MODULE and bool(function), "handler", handler,
        f"must be '{INLINE_MODULE}.<function>' with inline code: CloudFormation writes it to a file named "
        f"'{INLINE_MODULE}'",
    )
    checks.require(
        runtime.family == lambda_.RuntimeFamily.PYTHON, "runtime", runtime.name,
        "cannot run inline code here: the library writes Python handlers (CloudFormation takes inline code for "
        "Python and Node.js only)",
    )
    size = len(json.dumps(inline).encode())
    checks.require(
        size <= MAX_TEMPLATE_BYTES, "inline", f"of {size:,} bytes in the template",
        f"exceeds the {MAX_TEMPLATE_BYTES:,} bytes a CloudFormation template may hold: use entry= instead",
    )


def inline_handler(handler: str, inline: Optional[str]) -> str:
    """The default handler ("handler.handler") becomes "index.handler" for inline code."""
    return INLINE_HANDLER if inline is not None and handler == "handler.handler" else handler


def inline_code(source: str) -> lambda_.Code:
    return lambda_.Code.from_inline(source)
