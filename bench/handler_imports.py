"""What SnapStart can save: the time each packaged handler takes to import (its module and everything it imports,
what Lambda's Init phase runs and a SnapStart snapshot holds ready), next to the floors of an empty import and a
bare `import boto3`, measured in one run. Each import runs in a fresh interpreter, as in a new execution
environment, several times; the median is printed. Measured on this machine with the project's virtual
environment (the same packages as the tests), not on Lambda's hardware: compare the rows, not the absolutes.

Usage: python bench/handler_imports.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY_HANDLERS = ROOT / "constructs_lib" / "handlers"
# The shared records layer, on the path as Lambda puts /opt/python on it.
LAYER_PATHS = [LIBRARY_HANDLERS / "s3_records" / "python"]
# What handlers read from their environment when imported; values are placeholders, nothing is called.
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "TABLE_NAME": "table", "AUDIT_TABLE": "audit", "KEY_ATTRIBUTES": "pk,sk",
    "THUMBNAIL_BUCKET": "thumbnails", "METADATA_TABLE": "metadata",
    "POWERTOOLS_SERVICE_NAME": "bench", "POWERTOOLS_METRICS_NAMESPACE": "bench",
}
TIMER = """
import sys, time
sys.path[:0] = {paths!r}
start = time.perf_counter()
{statement}
print(time.perf_counter() - start)
"""


def handlers() -> list[tuple[str, Path, str]]:
    """(label, folder, module) of every handler the library and the demo package."""
    found = [(f"lambda_src/{path.parent.name}", path.parent, "handler")
             for path in sorted((ROOT / "lambda_src").glob("*/handler.py"))]
    found.append(("constructs_lib thumbnail", LIBRARY_HANDLERS / "thumbnail", "handler"))
    for hook in ("pre_traffic", "post_traffic"):
        found.append((f"constructs_lib deploy hook {hook}", LIBRARY_HANDLERS / "deploy_hooks", hook))
    return found


def seconds(statement: str, folder: Path | None, runs: int) -> list[float]:
    paths = [str(folder)] if folder else []
    code = TIMER.format(paths=paths + [str(path) for path in LAYER_PATHS], statement=statement)
    env = {**os.environ, **ENVIRONMENT, "PYTHONDONTWRITEBYTECODE": "1"}
    timings = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=folder)
        if result.returncode != 0:
            raise RuntimeError(f"{statement} in {folder} failed:\n{result.stderr}")
        timings.append(float(result.stdout.strip().splitlines()[-1]))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per import (default 7)")
    runs = parser.parse_args().runs
    # Warm the file system cache once, so that the first handler measured is not the one paying for it.
    seconds("import boto3, aws_lambda_powertools", None, 1)
    floor = statistics.median(seconds("import boto3", None, runs))
    print(f"Module import time, median of {runs} fresh interpreters (Python {sys.version.split()[0]}, this machine)")
    print(f"{'import':<42} {'ms':>8}")
    print(f"{'(empty: nothing imported)':<42} {statistics.median(seconds('pass', None, runs)) * 1000:8.1f}")
    print(f"{'import boto3 (the floor of a boto3 handler)':<42} {floor * 1000:8.1f}")
    for label, folder, module in handlers():
        print(f"{label:<42} {statistics.median(seconds(f'import {module}', folder, runs)) * 1000:8.1f}")

if __name__ == "__main__":
    main()
