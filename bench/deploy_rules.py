"""What DeployRules adds to a synth: its rules over the demo app's templates, next to reading those templates
(the floor) and to cfn-lint on the same templates, measured in one run.

The demo app is synthesized once with the real `cdk` CLI; then each figure is the median of `--rounds`.
Usage: python bench/deploy_rules.py [--rounds N]
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
sys.path.insert(0, str(ROOT))
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # Node 24 for jsii

from constructs_lib.rules import all_rules, findings  # noqa: E402
from constructs_lib.rules.model import App, Stack  # noqa: E402


def seconds(action, rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    env = dict(os.environ, CDK_DISABLE_VERSION_CHECK="1", CDK_DISABLE_CLI_TELEMETRY="true")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(ROOT / "node_modules" / ".bin" / "cdk"), "synth", "--quiet", "--no-notices",
                        "--output", tmp], cwd=ROOT, env=env, check=True, capture_output=True)
        templates = sorted(str(p) for p in Path(tmp).glob("*.template.json"))
        rules = all_rules()
        read = seconds(lambda: App([Stack.load(t) for t in templates]), rounds)
        checked = seconds(lambda: findings(App([Stack.load(t) for t in templates]), rules), rounds)
        lint = seconds(lambda: subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), *templates],
                                              capture_output=True), rounds)
    print(f"DeployRules ({len(rules)} rules) over the demo app's {len(templates)} templates, median of {rounds}")
    print(f"  {'reading the templates (floor)':<32} {read * 1000:8.1f} ms")
    print(f"  {'DeployRules, reading included':<32} {checked * 1000:8.1f} ms  ({checked / read:.1f}x the floor)")
    print(f"  {'cfn-lint on the same templates':<32} {lint * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
