"""What a stack costs a month, standing still and at work, and what one Lambda workload costs.

Usage: python -m constructs_lib.cost cdk.out [--workload FILE] [--json] [--no-free-tier]
                                             [--requests N --duration-ms D] [--restores N]
       python -m constructs_lib.cost --diff OLD_CDK_OUT NEW_CDK_OUT [--workload FILE] [--json]

The command prices every resource of every template in a cloud assembly at us-east-1 list prices
(``constructs_lib.pricing``): fixed charges (hours, keys, alarms, endpoints, shards, provisioned
concurrency) and usage charges at the workload given, itemized by construct path; the free tier comes
off once, as AWS applies it once per account. A resource type without a price is listed as not priced.
``--requests`` and ``--duration-ms`` are a default workload for every function; a function that a
schedule runs is priced as often as its schedule says, and functions behind custom resources or
deployment hooks run only while a stack deploys.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Optional, Sequence

from ..pricing import WorkloadError, diff, load_workload, price_assembly, render, render_diff
from ..pricing.lambda_estimate import FREE_EPHEMERAL_MB, CostInputError, check_inputs
from ..pricing.workload import Workload


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m constructs_lib.cost",
                                     description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("assembly", type=Path, nargs="?", help="a cloud assembly folder written by cdk synth (cdk.out)")
    parser.add_argument("--diff", type=Path, nargs=2, metavar=("OLD", "NEW"), help="two assemblies to compare")
    parser.add_argument("--workload", type=Path, help="a JSON or YAML workload file (see constructs_lib.pricing.workload)")
    parser.add_argument("--requests", type=int, help="default invocations a month of every function")
    parser.add_argument("--duration-ms", type=float, help="default average duration of an invocation")
    parser.add_argument("--restores", type=int, help="default SnapStart restores a month of a SnapStart function")
    parser.add_argument("--no-free-tier", action="store_true", help="do not subtract the free tier")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    args = parser.parse_args(argv)
    assemblies = args.diff or ([args.assembly] if args.assembly else [])
    if len(assemblies) != (2 if args.diff else 1) or (args.diff and args.assembly):
        parser.error("give one assembly, or --diff OLD NEW")
    for assembly in assemblies:
        if not assembly.is_dir():
            parser.error(f"{assembly} is not a folder: run cdk synth first")
    try:
        workload = _workload(args)
    except (CostInputError, WorkloadError) as error:
        parser.error(str(error))
    reports = [price_assembly(assembly, workload, free_tier=not args.no_free_tier) for assembly in assemblies]
    if args.diff:
        change = diff(*reports)
        print(json.dumps(change, indent=2) if args.json else render_diff(change))
    else:
        print(json.dumps(reports[0], indent=2) if args.json else render(reports[0]))
    return 0


def _workload(args: argparse.Namespace) -> Workload:
    """The workload file, with the command line's function defaults over its own."""
    workload = load_workload(args.workload) if args.workload else Workload()
    given = {"requests": args.requests, "duration_ms": args.duration_ms, "restores": args.restores}
    flags = {name: value for name, value in given.items() if value is not None}
    if not flags:
        return workload
    check_inputs(flags.get("requests", 0), flags.get("duration_ms", 0), 128, "arm64", FREE_EPHEMERAL_MB, 0,
           flags.get("restores", 0))
    function = "AWS::Lambda::Function"
    defaults = {**workload.defaults, function: {**workload.defaults.get(function, {}), **flags}}
    return Workload(defaults=defaults, resources=workload.resources)
