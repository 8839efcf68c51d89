"""``python -m constructs_lib.local invoke cdk.out PATH [--event FILE|KIND] [--moto]``: run a function of any
cloud assembly in this Python process (see `cli.local`)."""

from __future__ import annotations

import sys

from .cli.local.events import KINDS, sample_event
from .cli.local.function import find_function
from .cli.local.invoke import invoke
from .cli.local.main import main

__all__ = ["KINDS", "find_function", "invoke", "main", "sample_event"]

if __name__ == "__main__":
    sys.exit(main())
