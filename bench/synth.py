"""Synth time of the demo app next to an empty CDK app (the jsii start-up floor), measured in one run.

Both run through the real `cdk` CLI with the same Node, one after the other, `--rounds` times each;
the figures are medians. Usage: python bench/synth.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"
# The floor: one stack with nothing in it (the CLI refuses an app with no stack).
EMPTY_APP = "from aws_cdk import App, Stack\napp = App()\nStack(app, 'Empty')\napp.synth()\n"


def synth_seconds(app_command: str, out: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(CDK), "synth", "--quiet", "--no-notices", "--app", app_command, "--output", str(out)],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )
    return time.perf_counter() - started


def measure(rounds: int) -> tuple[float, float]:
    """Median seconds of `cdk synth` of the demo app and of the empty app, `rounds` each, interleaved."""
    env = dict(os.environ, CDK_DISABLE_VERSION_CHECK="1", CDK_DISABLE_CLI_TELEMETRY="true")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    with tempfile.TemporaryDirectory() as tmp:
        empty_app = Path(tmp) / "empty_app.py"
        empty_app.write_text(EMPTY_APP)
        demo, empty = [], []
        for n in range(rounds):  # interleaved, so both see the same machine load
            empty.append(synth_seconds(f"{sys.executable} {empty_app}", Path(tmp) / f"empty{n}", env))
            demo.append(synth_seconds(f"{sys.executable} app.py", Path(tmp) / f"demo{n}", env))
    return statistics.median(demo), statistics.median(empty)


def report(rounds: int) -> None:
    """Prints the demo app's synth next to the empty app's."""
    demo_median, empty_median = measure(rounds)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    node = subprocess.run(["node", "--version"], env=env, capture_output=True, text=True).stdout.strip()
    print(f"cdk synth through the CLI, median of {rounds} rounds (Node {node})")
    print(f"  {'empty stack (floor)':<20} {empty_median:6.2f} s")
    print(f"  {'demo app':<20} {demo_median:6.2f} s  ({demo_median / empty_median:.2f}x the floor)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    report(parser.parse_args().rounds)


if __name__ == "__main__":
    main()
