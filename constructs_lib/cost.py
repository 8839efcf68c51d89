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
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from .pricing import PRICES as METERS
from .pricing import WorkloadError, diff, load_workload, price_assembly, render, render_diff
from .pricing.prices import LAMBDA, RECORDED, REGION, SECONDS_PER_MONTH
from .pricing.workload import Workload

# AWS Lambda's prices, as estimate_monthly_cost reads them (from the one table in pricing.prices).
PRICES: dict[str, Any] = {
    "source": LAMBDA,
    "region": REGION,
    "recorded": RECORDED,
    "per_request": METERS["lambda.requests"].usd / METERS["lambda.requests"].per,
    "per_gb_second": {arch: METERS[f"lambda.duration.{arch}"].usd for arch in ("arm64", "x86_64")},
    "provisioned_per_gb_second": {arch: METERS[f"lambda.provisioned.{arch}"].usd for arch in ("arm64", "x86_64")},
    "provisioned_duration_per_gb_second": {
        arch: METERS[f"lambda.provisioned_duration.{arch}"].usd for arch in ("arm64", "x86_64")},
    "ephemeral_per_gb_second": METERS["lambda.ephemeral_storage"].usd,
    "snap_start_cache_per_gb_second": METERS["lambda.snap_start_cache"].usd,
    "snap_start_restore_per_gb": METERS["lambda.snap_start_restore"].usd,
    "free_requests": 1_000_000,
    "free_gb_seconds": 400_000,
}
FREE_EPHEMERAL_MB = 512
MAX_MONTHLY_REQUESTS = 10**13  # about 3.8 million requests a second, all month: beyond is a typo


class CostInputError(ValueError):
    """An input to the estimate is out of range; the message names it, its value and the range."""


@dataclass(frozen=True)
class CostBreakdown:
    """A month of one function's workload, in USD at list prices (see ``PRICES``)."""

    requests: int
    billed_duration_ms: int
    memory_mb: int
    architecture: str
    gb_seconds: float
    free_requests: int
    free_gb_seconds: float
    request_charge: float
    compute_charge: float
    ephemeral_storage_charge: float
    provisioned_concurrency_charge: float
    snap_start_charge: float
    total: float


def estimate_monthly_cost(
    requests: int,
    duration_ms: float,
    memory_mb: int,
    architecture: str = "arm64",
    ephemeral_storage_mb: int = FREE_EPHEMERAL_MB,
    provisioned_concurrency: int = 0,
    free_tier: bool = True,
    snap_start: bool = False,
    restores: int = 0,
) -> CostBreakdown:
    """Lambda's monthly charge for ``requests`` invocations of ``duration_ms`` each.

    :param requests: invocations a month, 0 to 10^13.
    :param duration_ms: average duration; billed per started millisecond, up to 900000 (15 minutes).
    :param memory_mb: 128-10240.
    :param architecture: "arm64" (default) or "x86_64".
    :param ephemeral_storage_mb: /tmp size, 512-10240; above 512 MB it is charged per GB-second.
    :param provisioned_concurrency: environments kept ready all month (0-10000); their duration is
        then billed at the provisioned rate, and the free tier does not apply (AWS's rule).
    :param free_tier: subtract the monthly free tier: 1 million requests and 400,000 GB-seconds
        (shared by all functions of an account; applied here as if this were the only one).
    :param snap_start: the function has SnapStart: one published version's snapshot cached all month.
    :param restores: with SnapStart, execution environments restored from the snapshot in the month
        (one per cold start: the first invocation of a version and every scale-up), 0 to 10^9.
    :raises CostInputError: on a value out of range.
    """
    _check(requests, duration_ms, memory_mb, architecture, ephemeral_storage_mb, provisioned_concurrency, restores)
    if restores and not snap_start:
        raise CostInputError(f"restores {restores!r} need snap_start=True: only SnapStart restores environments")
    billed_ms = math.ceil(duration_ms)
    memory_gb = memory_mb / 1024
    seconds = requests * billed_ms / 1000
    gb_seconds = seconds * memory_gb
    free = free_tier and provisioned_concurrency == 0
    free_requests = min(requests, PRICES["free_requests"]) if free else 0
    free_gb_seconds = min(gb_seconds, PRICES["free_gb_seconds"]) if free else 0.0

    request_charge = (requests - free_requests) * PRICES["per_request"]
    rate = PRICES["provisioned_duration_per_gb_second" if provisioned_concurrency else "per_gb_second"][architecture]
    compute_charge = (gb_seconds - free_gb_seconds) * rate
    ephemeral_charge = seconds * (ephemeral_storage_mb - FREE_EPHEMERAL_MB) / 1024 * PRICES["ephemeral_per_gb_second"]
    provisioned_charge = (
        provisioned_concurrency * memory_gb * SECONDS_PER_MONTH * PRICES["provisioned_per_gb_second"][architecture]
    )
    cache = SECONDS_PER_MONTH * PRICES["snap_start_cache_per_gb_second"]
    snap_start_charge = memory_gb * (cache + restores * PRICES["snap_start_restore_per_gb"]) if snap_start else 0.0
    total = request_charge + compute_charge + ephemeral_charge + provisioned_charge + snap_start_charge
    return CostBreakdown(
        requests=requests, billed_duration_ms=billed_ms, memory_mb=memory_mb, architecture=architecture,
        gb_seconds=gb_seconds, free_requests=free_requests, free_gb_seconds=free_gb_seconds,
        request_charge=request_charge, compute_charge=compute_charge, ephemeral_storage_charge=ephemeral_charge,
        provisioned_concurrency_charge=provisioned_charge, snap_start_charge=snap_start_charge, total=total,
    )


def _check(
    requests: Any, duration_ms: Any, memory_mb: Any, architecture: Any, ephemeral_mb: Any, provisioned: Any,
    restores: Any,
) -> None:
    rules = [
        ("requests", requests, 0, MAX_MONTHLY_REQUESTS),
        ("duration_ms", duration_ms, 0, 900_000),
        ("memory_mb", memory_mb, 128, 10240),
        ("ephemeral_storage_mb", ephemeral_mb, 512, 10240),
        ("provisioned_concurrency", provisioned, 0, 10_000),
        ("restores", restores, 0, 10**9),
    ]
    errors: list[str] = []
    for name, value, low, high in rules:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            errors.append(f"{name} {value!r} must be a number")
        elif not low <= value <= high:
            errors.append(f"{name} {value!r} must be between {low:g} and {high:g}")
    if architecture not in PRICES["per_gb_second"]:
        errors.append(f"architecture {architecture!r} must be 'arm64' or 'x86_64'")
    if errors:
        raise CostInputError("; ".join(errors))


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
    _check(flags.get("requests", 0), flags.get("duration_ms", 0), 128, "arm64", FREE_EPHEMERAL_MB, 0,
           flags.get("restores", 0))
    function = "AWS::Lambda::Function"
    defaults = {**workload.defaults, function: {**workload.defaults.get(function, {}), **flags}}
    return Workload(defaults=defaults, resources=workload.resources)


if __name__ == "__main__":
    sys.exit(main())
