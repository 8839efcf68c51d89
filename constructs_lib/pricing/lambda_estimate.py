"""What one Lambda workload costs a month at list prices: `estimate_monthly_cost`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .prices import LAMBDA, RECORDED, REGION, SECONDS_PER_MONTH
from .prices import PRICES as METERS

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
    check_inputs(requests, duration_ms, memory_mb, architecture, ephemeral_storage_mb, provisioned_concurrency, restores)
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


def check_inputs(
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
