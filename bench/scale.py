"""What one more function costs in a stack: the library's constructs next to plain aws-cdk-lib, measured in one run.

For N = 10, 50 and 100 functions in one stack (asset bundling off, an app without context), each kind is built and
synthesized (`app.synth()`) `--rounds` times, the kinds interleaved so that all see the same machine load. Printed
per function: the time (the slope of the median build + synth time between two N, so the stack's fixed part does
not count) and its ratio to plain aws-cdk-lib's `lambda_.Function` (and, as the floor of a ServerlessFunction's time,
a `lambda_.Function` with the same resources and settings written with aws-cdk-lib alone), the CloudFormation
resources and template bytes,
and how many fit in one stack (CloudFormation's 500 resources). Then the demo app's `cdk synth` next to an empty
app's (bench/synth.py).

aws-cdk-lib refuses a stack of more than 500 resources at synth: its limit is lifted here
(``@aws-cdk/core:stackResourceLimit`` 0) so that every kind is measured at every N; "most per stack" says where a
real stack stops. Usage: python bench/scale.py [--rounds N] [--synth-rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
# jsii starts Node from PATH when aws_cdk is first imported: the venv's Node 24, as the tests use.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

import synth  # noqa: E402  (bench/synth.py: the demo app next to an empty app)
from aws_cdk import Acknowledgment, App, Duration, Stack, Validations  # noqa: E402
from aws_cdk import aws_lambda as lambda_  # noqa: E402
from aws_cdk import aws_logs as logs  # noqa: E402
from aws_cdk import aws_sqs as sqs  # noqa: E402

from constructs_lib import QueueWorker, ServerlessFunction, ServiceApi  # noqa: E402

HANDLER = ROOT / "tests" / "fixtures" / "plain"  # a handler folder without requirements
SIZES = (10, 50, 100)
STACK_LIMIT = 500  # CloudFormation's resources per stack


def plain_functions(stack: Stack, count: int) -> None:
    code = lambda_.Code.from_asset(str(HANDLER))
    for n in range(count):
        lambda_.Function(stack, f"F{n}", runtime=lambda_.Runtime.PYTHON_3_14, handler="handler.handler", code=code)


def same_resources(stack: Stack, count: int) -> None:
    """What a ServerlessFunction's template holds, written with aws-cdk-lib alone: the floor of its time (a log group
    of its own, X-Ray, the stack's dead-letter queue, arm64, JSON logs; code from the folder per function)."""
    failed_events = sqs.Queue(stack, "FailedEvents")
    for n in range(count):
        lambda_.Function(
            stack, f"F{n}", runtime=lambda_.Runtime.PYTHON_3_14, handler="handler.handler",
            code=lambda_.Code.from_asset(str(HANDLER)), architecture=lambda_.Architecture.ARM_64, memory_size=256,
            timeout=Duration.seconds(10), tracing=lambda_.Tracing.ACTIVE, dead_letter_queue=failed_events,
            log_group=logs.LogGroup(stack, f"L{n}", retention=logs.RetentionDays.ONE_YEAR),
            logging_format=lambda_.LoggingFormat.JSON, recursive_loop=lambda_.RecursiveLoop.TERMINATE)


def serverless_functions(stack: Stack, count: int) -> None:
    for n in range(count):
        ServerlessFunction(stack, f"F{n}", entry=HANDLER)


def queue_workers(stack: Stack, count: int) -> None:
    for n in range(count):
        QueueWorker(stack, f"W{n}", entry=HANDLER)


def service_api_functions(stack: Stack, count: int) -> None:
    api = ServiceApi(stack, "Api")  # HTTP API with a Cognito user pool: the defaults
    for n in range(count):
        api.add_function(f"F{n}", routes=[f"GET /f{n}"], entry=HANDLER)


KINDS: dict[str, Callable[[Stack, int], None]] = {
    "lambda_.Function (plain)": plain_functions,
    "same resources (aws-cdk-lib)": same_resources,
    "ServerlessFunction": serverless_functions,
    "QueueWorker": queue_workers,
    "ServiceApi function": service_api_functions,
}
PLAIN = next(iter(KINDS))


@dataclass
class Synth:
    seconds: float
    resources: int
    template_bytes: int


def build_and_synth(make: Callable[[Stack, int], None], count: int, outdir: Path) -> Synth:
    started = time.perf_counter()
    app = App(outdir=str(outdir), context={"aws:cdk:bundling-stacks": [], "@aws-cdk/core:stackResourceLimit": 0})
    stack = Stack(app, "Bench")
    # Measured past the 500 resources a stack may have: "most per stack" says where a real one stops.
    Validations.of(stack).acknowledge(Acknowledgment(id="CloudFormation-Validate::F0007", reason="a benchmark"))
    make(stack, count)
    template_path = Path(app.synth().get_stack_by_name("Bench").template_full_path)
    seconds = time.perf_counter() - started
    return Synth(seconds, len(json.loads(template_path.read_text())["Resources"]), template_path.stat().st_size)


def measure(rounds: int) -> dict[str, dict[int, list[Synth]]]:
    found: dict[str, dict[int, list[Synth]]] = {kind: {size: [] for size in SIZES} for kind in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, make in KINDS.items():  # warm-up, not counted: jsii loads each module once
            build_and_synth(make, 1, Path(tmp) / "warm-up")
        for round_ in range(rounds):
            for size in SIZES:
                for kind, make in KINDS.items():
                    found[kind][size].append(build_and_synth(make, size, Path(tmp) / f"{round_}-{size}"))
    return found


def slope(values: dict[int, float], low: int, high: int) -> float:
    return (values[high] - values[low]) / (high - low)


def report(found: dict[str, dict[int, list[Synth]]], rounds: int) -> None:
    medians = {kind: {size: statistics.median(s.seconds for s in runs) * 1000 for size, runs in by_size.items()}
               for kind, by_size in found.items()}
    spans = list(zip(SIZES, SIZES[1:])) + [(SIZES[0], SIZES[-1])]
    print(f"Functions in one stack, build + app.synth(), bundling off; medians of {rounds} rounds, one process")
    print("  time per function = slope of the median time between two N (the stack's fixed part excluded)")
    header = f"  {'':<30}" + "".join(f"{f'N={size} ms':>10}" for size in SIZES)
    header += "".join(f"{f'{low}->{high}':>18}" for low, high in spans)
    print(header)
    for kind in KINDS:
        row = f"  {kind:<30}" + "".join(f"{medians[kind][size]:>10.0f}" for size in SIZES)
        for low, high in spans:
            per = slope(medians[kind], low, high)
            ratio = per / slope(medians[PLAIN], low, high)
            row += f"{f'{per:.1f} ms ({ratio:.1f}x)':>18}"
        print(row)
    print()
    print(f"  {'per function':<30}{'resources':>10}{'bytes':>10}{'bytes x':>9}{'fixed':>7}{'most per stack':>16}")
    plain_bytes = _per_function(found[PLAIN], "template_bytes")
    for kind, by_size in found.items():
        resources = _per_function(by_size, "resources")
        template_bytes = _per_function(by_size, "template_bytes")
        fixed = by_size[SIZES[0]][0].resources - resources * SIZES[0]
        most = int((STACK_LIMIT - fixed) // resources)
        print(f"  {kind:<30}{resources:>10.2f}{template_bytes:>10,.0f}{template_bytes / plain_bytes:>8.1f}x"
              f"{fixed:>7.0f}{most:>16}")
    print(f"  (fixed: resources of the stack however many functions; most per stack: ({STACK_LIMIT} - fixed) / per "
          "function)")


def _per_function(by_size: dict[int, list[Synth]], field: str) -> float:
    low, high = by_size[SIZES[0]][0], by_size[SIZES[-1]][0]
    return (getattr(high, field) - getattr(low, field)) / (SIZES[-1] - SIZES[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every kind and N (default 5)")
    parser.add_argument("--synth-rounds", type=int, default=3, help="rounds of the demo and empty apps' cdk synth")
    args = parser.parse_args()
    report(measure(args.rounds), args.rounds)
    print()
    synth.report(args.synth_rounds)


if __name__ == "__main__":
    main()
