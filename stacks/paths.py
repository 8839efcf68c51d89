"""Where the demo handlers live."""

from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "lambda_src"
