"""estimate_monthly_cost against hand-computed bills, its input checks, and the `cost` command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from constructs_lib import estimate_monthly_cost
from constructs_lib.cost import PRICES, CostInputError, functions_of, main


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


def lambda_functions(assembly: Path) -> int:
    return sum(
        1 for template in assembly.rglob("*.template.json")
        for resource in json.loads(template.read_text())["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
    )


def test_the_command_prices_every_function_of_the_demo_app(assembly: Path, capsys) -> None:
    assert main([str(assembly), "--requests", "1000000", "--duration-ms", "200", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {(row["stack"], row["path"]): row for row in report["functions"]}
    assert len(rows) == lambda_functions(assembly)
    assert rows[("SafeDeploymentDemo", "Greeter/Function")]["provisioned_concurrency"] == 0  # opt-in
    assert rows[("ThumbnailPipelineDemo", "Thumbnails/Function")]["memory_mb"] == 512
    edge = rows[("EdgeDistributionDemo", "Cdn/OriginResponseHandler/Fn")]
    assert (edge["architecture"], edge["memory_mb"]) == ("x86_64", 128)
    deploy_time = {path for (_, path), row in rows.items() if row["runs_at_deploy"]}
    assert deploy_time == {"BucketNotificationsHandler050a0587b7544547bf325f094a3db834",
                           "Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler",
                           "Greeter/Deployment/PreTrafficHook/Function", "Greeter/Deployment/PostTrafficHook/Function"}
    counted = sum(row["total"] for row in report["functions"] if not row["runs_at_deploy"])
    assert report["before_free_tier"] == pytest.approx(counted)
    assert 0 < report["free_tier"] < counted and report["total"] == pytest.approx(counted - report["free_tier"])


def test_the_command_prints_a_table_per_stack(assembly: Path, capsys) -> None:
    main([str(assembly), "--requests", "1000000", "--duration-ms", "200", "--no-free-tier"])
    out = capsys.readouterr().out
    stacks = {p.name.removesuffix(".template.json") for p in assembly.rglob("*.template.json")}
    assert all(f"Stack {stack}" in out for stack in stacks)
    assert "Free tier" not in out and "(runs at deploy; not in totals)" in out
    assert out.strip().splitlines()[-1].startswith("Total: ")


def test_the_command_refuses_bad_input(assembly: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main([str(assembly), "--requests", "-5", "--duration-ms", "200"])
    assert "requests -5 must be between" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing"), "--requests", "5", "--duration-ms", "200"])
    assert "run cdk synth first" in capsys.readouterr().err


def test_functions_read_defaults_and_aliases(tmp_path: Path) -> None:
    template = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.14"}},
        "Big": {"Type": "AWS::Lambda::Function", "Properties": {
            "MemorySize": 2048, "Architectures": ["arm64"], "EphemeralStorage": {"Size": 1024}}},
        "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
            "FunctionName": {"Ref": "Big"}, "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 3}}},
        "Provider": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Custom": {"Type": "Custom::Thing", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}}},
    }}
    (tmp_path / "S.template.json").write_text(json.dumps(template))
    found = {f.logical_id: f for f in functions_of(tmp_path)}
    assert (found["Fn"].memory_mb, found["Fn"].architecture, found["Fn"].ephemeral_storage_mb) == (128, "x86_64", 512)
    assert (found["Big"].memory_mb, found["Big"].ephemeral_storage_mb, found["Big"].provisioned_concurrency) == (
        2048, 1024, 3)
    assert found["Provider"].runs_at_deploy and not found["Fn"].runs_at_deploy
    assert not found["Fn"].snap_start


def test_the_command_prices_snap_start_and_its_restores(tmp_path: Path, capsys) -> None:
    template = {"Resources": {
        "Snappy": {"Type": "AWS::Lambda::Function", "Properties": {
            "MemorySize": 1024, "Architectures": ["arm64"], "SnapStart": {"ApplyOn": "PublishedVersions"}}},
        "Plain": {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 1024, "Architectures": ["arm64"]}},
    }}
    (tmp_path / "S.template.json").write_text(json.dumps(template))
    assert main([str(tmp_path), "--requests", "0", "--duration-ms", "100", "--restores", "10000", "--json"]) == 0
    rows = {row["logical_id"]: row for row in json.loads(capsys.readouterr().out)["functions"]}
    assert rows["Snappy"]["snap_start"] and round(rows["Snappy"]["snap_start_charge"], 2) == 5.35
    assert rows["Plain"]["snap_start_charge"] == 0 and rows["Plain"]["total"] == 0
