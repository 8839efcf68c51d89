"""What a Lambda workload costs a month at AWS's list prices, and the ``cost`` command.

Usage: python -m constructs_lib.cost cdk.out --requests 1000000 --duration-ms 200 [--restores N]
       [--json] [--no-free-tier]

The command reads every function of every template in a cloud assembly (memory, architecture,
ephemeral storage, provisioned concurrency of its aliases, SnapStart) and prices the same workload for each;
the free tier comes off the total once, as AWS applies it once per account.
Functions that only serve CloudFormation custom resources or CodeDeploy hooks run when a stack is
deployed, not per request: they are listed apart and left out of the total.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from .templates import construct_path, refs

# AWS Lambda list prices, US East (N. Virginia), first duration tier (up to 6 billion GB-seconds a
# month). Source: https://aws.amazon.com/lambda/pricing/ (recorded 2026-11-24). Update here only.
PRICES = {
    "source": "https://aws.amazon.com/lambda/pricing/",
    "region": "us-east-1",
    "recorded": "2026-11-24",
    "per_request": 0.20 / 1_000_000,
    "per_gb_second": {"arm64": 0.0000133334, "x86_64": 0.0000166667},
    # With provisioned concurrency: the configured concurrency, and the duration it serves.
    "provisioned_per_gb_second": {"arm64": 0.0000033334, "x86_64": 0.0000041667},
    "provisioned_duration_per_gb_second": {"arm64": 0.0000077778, "x86_64": 0.0000097222},
    "ephemeral_per_gb_second": 0.0000000309,  # storage configured above the free 512 MB
    # SnapStart for Python: the snapshot of each active version is cached (billed per GB-second of the
    # function's memory, at least 3 hours), and each execution environment restored from it is billed
    # per GB of memory. The free tier does not cover either.
    "snap_start_cache_per_gb_second": 0.0000015046,
    "snap_start_restore_per_gb": 0.0001397998,
    "free_requests": 1_000_000,
    "free_gb_seconds": 400_000,
}
SECONDS_PER_MONTH = 730 * 3600  # AWS prices a month as 730 hours
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
    errors = []
    for name, value, low, high in rules:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            errors.append(f"{name} {value!r} must be a number")
        elif not low <= value <= high:
            errors.append(f"{name} {value!r} must be between {low:g} and {high:g}")
    if architecture not in PRICES["per_gb_second"]:
        errors.append(f"architecture {architecture!r} must be 'arm64' or 'x86_64'")
    if errors:
        raise CostInputError("; ".join(errors))


@dataclass(frozen=True)
class FunctionConfig:
    """What the price of one synthesized function depends on."""

    stack: str
    logical_id: str
    path: str
    memory_mb: int
    architecture: str
    ephemeral_storage_mb: int
    provisioned_concurrency: int
    runs_at_deploy: bool
    snap_start: bool = False


def functions_of(assembly: Path) -> Iterator[FunctionConfig]:
    """Every AWS::Lambda::Function of every template in the assembly (nested ones included)."""
    for template_path in sorted(assembly.rglob("*.template.json")):
        resources = json.loads(template_path.read_text()).get("Resources", {})
        stack = template_path.name.removesuffix(".template.json")
        deploy_time = _deploy_time_functions(resources)
        provisioned = _provisioned_by_function(resources)
        for logical_id, resource in resources.items():
            if resource.get("Type") != "AWS::Lambda::Function":
                continue
            props = resource.get("Properties", {})
            yield FunctionConfig(
                stack=stack,
                logical_id=logical_id,
                path=construct_path(resource, stack, logical_id),
                memory_mb=_number(props.get("MemorySize"), 128),
                architecture=(props.get("Architectures") or ["x86_64"])[0],
                ephemeral_storage_mb=_number((props.get("EphemeralStorage") or {}).get("Size"), FREE_EPHEMERAL_MB),
                provisioned_concurrency=provisioned.get(logical_id, 0),
                runs_at_deploy=logical_id in deploy_time,
                snap_start=(props.get("SnapStart") or {}).get("ApplyOn") == "PublishedVersions",
            )


def _number(value: Any, default: int) -> int:
    return value if isinstance(value, int) else default


def _deploy_time_functions(resources: dict) -> set[str]:
    """Functions behind custom resources (ServiceToken) or CodeDeploy hooks: they run on deploy."""
    found: set[str] = set()
    for resource in resources.values():
        kind = resource.get("Type", "")
        if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
            found |= refs(resource.get("Properties", {}).get("ServiceToken"))
        hooks = resource.get("UpdatePolicy", {}).get("CodeDeployLambdaAliasUpdate", {})
        for hook in ("BeforeAllowTrafficHook", "AfterAllowTrafficHook"):
            found |= refs(hooks.get(hook))
    return {logical_id for logical_id in found if resources.get(logical_id, {}).get("Type") == "AWS::Lambda::Function"}


def _provisioned_by_function(resources: dict) -> dict[str, int]:
    provisioned: dict[str, int] = {}
    for resource in resources.values():
        if resource.get("Type") != "AWS::Lambda::Alias":
            continue
        props = resource.get("Properties", {})
        count = (props.get("ProvisionedConcurrencyConfig") or {}).get("ProvisionedConcurrentExecutions")
        for logical_id in refs(props.get("FunctionName")):
            if isinstance(count, int):
                provisioned[logical_id] = provisioned.get(logical_id, 0) + count
    return provisioned


Priced = Sequence[tuple[FunctionConfig, CostBreakdown]]


def price_assembly(
    assembly: Path, requests: int, duration_ms: float, restores: int = 0
) -> list[tuple[FunctionConfig, CostBreakdown]]:
    """Each function of the assembly with the cost of the workload, before the free tier; `restores` is
    the SnapStart restores of each function that has SnapStart."""
    return [
        (function, estimate_monthly_cost(
            requests, duration_ms, function.memory_mb, function.architecture, function.ephemeral_storage_mb,
            function.provisioned_concurrency, free_tier=False, snap_start=function.snap_start,
            restores=restores if function.snap_start else 0,
        ))
        for function in functions_of(assembly)
    ]


def account_free_tier(priced: Priced) -> float:
    """What the free tier takes off the total: once per account, for functions without provisioned
    concurrency; its GB-seconds go to the dearest architecture first."""
    eligible = [cost for function, cost in priced
                if not function.runs_at_deploy and function.provisioned_concurrency == 0]
    saving = min(sum(cost.requests for cost in eligible), PRICES["free_requests"]) * PRICES["per_request"]
    free_gb_seconds = PRICES["free_gb_seconds"]
    for architecture, rate in sorted(PRICES["per_gb_second"].items(), key=lambda item: -item[1]):
        used = min(free_gb_seconds, sum(c.gb_seconds for c in eligible if c.architecture == architecture))
        saving += used * rate
        free_gb_seconds -= used
    return saving


def totals(priced: Priced, free_tier: bool) -> dict[str, float]:
    before = sum(cost.total for function, cost in priced if not function.runs_at_deploy)
    free = account_free_tier(priced) if free_tier else 0.0
    return {"before_free_tier": before, "free_tier": free, "total": before - free}


def render_table(priced: Priced, requests: int, duration_ms: float, free_tier: bool = True) -> str:
    lines = [
        f"Monthly Lambda cost of {requests:,} requests of {duration_ms:g} ms per function, "
        f"{PRICES['region']} list prices ({PRICES['source']}, recorded {PRICES['recorded']})",
    ]
    header = f"{'function':<58} {'memory':>7} {'arch':>7} {'/tmp':>6} {'prov.':>5} {'snap':>4} {'USD/month':>11}"
    for stack in sorted({function.stack for function, _ in priced}):
        lines += ["", f"Stack {stack}", header]
        for function, cost in priced:
            if function.stack != stack:
                continue
            note = "  (runs at deploy; not in totals)" if function.runs_at_deploy else ""
            lines.append(
                f"{function.path[:58]:<58} {function.memory_mb:>5}MB {function.architecture:>7} "
                f"{function.ephemeral_storage_mb:>4}MB {function.provisioned_concurrency:>5} "
                f"{'yes' if function.snap_start else 'no':>4} {cost.total:>11.2f}{note}"
            )
    summary = totals(priced, free_tier)
    lines += ["", f"Total before the free tier: {summary['before_free_tier']:.2f} USD/month"]
    if free_tier:
        lines.append(f"Free tier (1M requests and 400,000 GB-seconds a month per account): -{summary['free_tier']:.2f}")
    lines.append(f"Total: {summary['total']:.2f} USD/month")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m constructs_lib.cost", description=__doc__.splitlines()[0])
    parser.add_argument("assembly", type=Path, help="a cloud assembly folder written by cdk synth (cdk.out)")
    parser.add_argument("--requests", type=int, required=True, help="invocations per function per month")
    parser.add_argument("--duration-ms", type=float, required=True, help="average duration of an invocation")
    parser.add_argument(
        "--restores", type=int, default=0,
        help="SnapStart restores (cold starts) per SnapStart function per month (default 0: snapshot caching only)",
    )
    parser.add_argument("--no-free-tier", action="store_true", help="do not subtract the free tier")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    args = parser.parse_args(argv)
    if not args.assembly.is_dir():
        parser.error(f"{args.assembly} is not a folder: run cdk synth first")
    try:
        priced = price_assembly(args.assembly, args.requests, args.duration_ms, args.restores)
    except CostInputError as error:
        parser.error(str(error))
    free_tier = not args.no_free_tier
    if args.json:
        rows = [{**asdict(function), **asdict(cost)} for function, cost in priced]
        print(json.dumps({"prices": PRICES, "functions": rows, **totals(priced, free_tier)}, indent=2))
    else:
        print(render_table(priced, args.requests, args.duration_ms, free_tier))
    return 0


if __name__ == "__main__":
    sys.exit(main())
