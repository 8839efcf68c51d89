"""Paths of the project the tests use, without importing aws-cdk-lib (the session's jobs import this)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# checkov has a virtual environment of its own (the Makefile makes it); CHECKOV overrides the path.
CHECKOV = Path(os.environ.get("CHECKOV", ROOT / ".venv-checkov" / "bin" / "checkov"))
