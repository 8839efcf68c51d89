"""estimate_monthly_cost against hand-computed bills, its input checks, and the `cost` command."""

from __future__ import annotations

import math

import pytest

from constructs_lib import estimate_monthly_cost
from constructs_lib.cost import PRICES, CostInputError


def test_one_million_requests_of_200_ms_at_1_gb_on_x86() -> None:
    cost = estimate_monthly_cost(1_000_000, 200, 1024, "x86_64", free_tier=False)
    assert cost.gb_seconds == 200_000
    assert cost.request_charge == pytest.approx(0.20)
    assert cost.compute_charge == pytest.approx(200_000 * 0.0000166667)  # 3.33334
    assert cost.total == pytest.approx(3.53334)


def test_arm64_is_cheaper_per_gb_second() -> None:
    arm = estimate_monthly_cost(1_000_000, 200, 1024, "arm64", free_tier=False)
    assert arm.compute_charge == pytest.approx(200_000 * 0.0000133334)
    assert arm.total < estimate_monthly_cost(1_000_000, 200, 1024, "x86_64", free_tier=False).total


def test_free_tier_covers_a_small_workload() -> None:
    cost = estimate_monthly_cost(3_000_000, 120, 512)
    assert cost.gb_seconds == pytest.approx(180_000) and cost.free_gb_seconds == pytest.approx(180_000)
    assert cost.free_requests == 1_000_000
    assert cost.compute_charge == 0 and cost.total == pytest.approx(0.40)


def test_free_tier_is_capped() -> None:
    cost = estimate_monthly_cost(10_000_000, 100, 1024, "x86_64")
    assert cost.free_gb_seconds == 400_000 and cost.gb_seconds == 1_000_000
    assert cost.compute_charge == pytest.approx(600_000 * 0.0000166667)
    assert cost.request_charge == pytest.approx(9 * 0.20)


def test_duration_is_billed_per_started_millisecond() -> None:
    assert estimate_monthly_cost(1000, 0.2, 128).billed_duration_ms == 1
    assert estimate_monthly_cost(1000, 100.1, 128).billed_duration_ms == 101


def test_ephemeral_storage_above_512_mb_is_charged() -> None:
    cost = estimate_monthly_cost(1_000_000, 1000, 128, ephemeral_storage_mb=10240, free_tier=False)
    assert cost.ephemeral_storage_charge == pytest.approx(1_000_000 * (10240 - 512) / 1024 * 0.0000000309)
    assert estimate_monthly_cost(1_000_000, 1000, 128).ephemeral_storage_charge == 0


def test_provisioned_concurrency_has_its_own_rates_and_no_free_tier() -> None:
    cost = estimate_monthly_cost(1_000_000, 100, 1024, "arm64", provisioned_concurrency=1)
    assert cost.provisioned_concurrency_charge == pytest.approx(730 * 3600 * 0.0000033334)  # about 8.76
    assert cost.compute_charge == pytest.approx(100_000 * 0.0000077778)
    assert cost.free_requests == 0 and cost.free_gb_seconds == 0


def test_snap_start_bills_the_cached_snapshot_and_each_restore_outside_the_free_tier() -> None:
    """A 1 GB function with one active version all month (730 hours) and 10,000 restores."""
    cost = estimate_monthly_cost(1_000_000, 100, 1024, "arm64", snap_start=True, restores=10_000)
    cache = 730 * 3600 * 0.0000015046  # 3.95 USD
    restores = 10_000 * 0.0001397998  # 1.40 USD
    assert cost.snap_start_charge == pytest.approx(cache + restores)
    assert round(cost.snap_start_charge, 2) == 5.35
    assert cost.total == pytest.approx(cost.snap_start_charge)  # the rest is inside the free tier
    half = estimate_monthly_cost(1_000_000, 100, 512, "arm64", snap_start=True, restores=10_000)
    assert half.snap_start_charge == pytest.approx((cache + restores) / 2)  # both scale with memory
    assert estimate_monthly_cost(1_000_000, 100, 1024).snap_start_charge == 0


def test_a_dollar_buys_about_60000_gb_seconds_not_600000() -> None:
    assert math.floor(1 / PRICES["per_gb_second"]["x86_64"]) == 59_999


@pytest.mark.parametrize("args, message", [
    ((-1, 100, 128), "requests -1 must be between 0 and 1e+13"),
    ((10**14, 100, 128), "requests 100000000000000 must be between"),
    ((1, 900_001, 128), "duration_ms 900001 must be between 0 and 900000"),
    ((1, float("nan"), 128), "duration_ms nan must be a number"),
    ((1, 100, 64), "memory_mb 64 must be between 128 and 10240"),
    ((1, 100, "512"), "memory_mb '512' must be a number"),
    ((1, 100, 128, "arm"), "architecture 'arm' must be 'arm64' or 'x86_64'"),
    ((1, 100, 128, "arm64", 256), "ephemeral_storage_mb 256 must be between 512 and 10240"),
    ((1, 100, 128, "arm64", 512, -1), "provisioned_concurrency -1 must be between 0 and 10000"),
    ((True, 100, 128), "requests True must be a number"),
    ((1, 100, 128, "arm64", 512, 0, True, True, -1), "restores -1 must be between 0 and 1e+09"),
    ((1, 100, 128, "arm64", 512, 0, True, False, 10), "restores 10 need snap_start=True"),
])
def test_absurd_inputs_are_refused(args: tuple, message: str) -> None:
    with pytest.raises(CostInputError, match=message.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        estimate_monthly_cost(*args)
