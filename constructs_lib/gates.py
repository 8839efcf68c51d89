"""``python -m constructs_lib.gates cdk.out``: every gate over any app's cloud assembly (see `cli.gates`)."""

from __future__ import annotations

import sys

from .cli.gates import GATES, AssemblyReport, check, main

__all__ = ["GATES", "AssemblyReport", "check", "main"]

if __name__ == "__main__":
    sys.exit(main())
