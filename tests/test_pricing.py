"""The price of whole assemblies: AWS's own worked examples to the cent, hand-checked mixed stacks,
workloads, free tiers once per account, nothing unpriced among what the library creates, and diffs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from constructs_lib import estimate_monthly_cost
from constructs_lib.cost import main
from constructs_lib.pricing import PRICES, Workload, WorkloadError, diff, load_workload, price_assembly
from constructs_lib.pricing.prices import FREE_TIERS
from constructs_lib.pricing.schedules import runs_per_month
from tests.helpers import ROOT


def assembly_of(folder: Path, **templates: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stack, resources in templates.items():
        (folder / f"{stack}.template.json").write_text(json.dumps({"Resources": resources}))
    return folder


def items(report: dict, stack: str, kind: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in report["stacks"][stack][f"{kind}_monthly"]["items"]:
        found[item["logical_id"]] = found.get(item["logical_id"], 0.0) + item["usd"]
    return found


# AWS's worked examples, from the pricing pages each price was read from.

def test_lambda_pricing_page_mobile_backend_example(tmp_path: Path) -> None:
    """aws.amazon.com/lambda/pricing: 3 million requests a month of 120 ms at 1536 MB on arm64:
    540,000 GB-s - 400,000 free = 140,000 GB-s x $0.0000133334 = $1.87; 2M billable requests = $0.40;
    $2.27 a month."""
    function = {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 1536, "Architectures": ["arm64"]}}
    folder = assembly_of(tmp_path, App={"Backend": function})
    report = price_assembly(folder, Workload(resources={"Backend": {"requests": 3_000_000, "duration_ms": 120}}))
    assert round(report["total_monthly"], 2) == 2.27
    assert round(estimate_monthly_cost(3_000_000, 120, 1536, "arm64").total, 2) == 2.27


def test_a_durable_function_pays_its_operations(tmp_path: Path) -> None:
    """Beside requests and duration: $8.00 per million durable operations. 10,000 orders of 6 steps: $0.48."""
    function = {"Type": "AWS::Lambda::Function", "Properties": {
        "MemorySize": 128, "DurableConfig": {"ExecutionTimeout": 86400, "RetentionPeriodInDays": 30}}}
    folder = assembly_of(tmp_path, App={"Orders": function})
    workload = {"requests": 10_000, "duration_ms": 1, "durable_operations": 60_000}
    report = price_assembly(folder, Workload(resources={"Orders": workload}))
    usage = report["stacks"]["App"]["usage_monthly"]["items"]
    lines = {item["basis"].split(":")[0].split(" (")[0]: item["usd"] for item in usage}
    assert lines["durable operations"] == pytest.approx(0.48)
    assert round(report["total_monthly"], 2) == 0.48  # requests and duration inside the free tier
    plain = assembly_of(tmp_path / "plain", App={"Orders": {**function, "Properties": {"MemorySize": 128}}})
    assert price_assembly(plain, Workload(resources={"Orders": workload}))["total_monthly"] == 0


def test_api_gateway_pricing_page_rest_tiers_example() -> None:
    """aws.amazon.com/api-gateway/pricing: a billion REST API requests in a month:
    333 million x $3.50/M + 667 million x $2.80/M = $1,165.50 + $1,867.60 = $3,033.10."""
    assert round(PRICES["apigateway.rest_requests"].cost(1_000_000_000), 2) == 3033.10


def test_kinesis_pricing_page_provisioned_example() -> None:
    """aws.amazon.com/kinesis/data-streams/pricing, provisioned mode: 4 shards for a 31-day month = $44.64;
    100 records a second of one PUT payload unit (25 KB) each = 267.84 million units = $3.75; $48.39 in all."""
    shard_hours = 4 * 24 * 31
    payload_units = 100 * 86_400 * 31
    shards = PRICES["kinesis.shard_hours"].cost(shard_hours)
    puts = PRICES["kinesis.put_payload_units"].cost(payload_units)
    assert (round(shards, 2), round(puts, 2), round(shards + puts, 2)) == (44.64, 3.75, 48.39)


def test_a_firehose_stream_is_priced_per_gb_ingested_tier_by_tier(tmp_path: Path) -> None:
    """aws.amazon.com/firehose/pricing, Direct PUT: $0.029 per GB for the first 500 TB a month, $0.025 for the next
    1.5 PB; 100 records a second of 3 KB each count as 5 KB each: 100 x 5 KB x 86,400 s x 30 days = 1,235.96 GB,
    $35.84 a month. A stream read from Kinesis, or converting formats, is priced otherwise: listed, not guessed."""
    gb = 100 * 5 * 86_400 * 30 / 1024 / 1024
    assert round(PRICES["firehose.ingested"].cost(gb), 2) == 35.84
    assert PRICES["firehose.ingested"].cost(600 * 1024) == pytest.approx(500 * 1024 * 0.029 + 100 * 1024 * 0.025)
    stream = {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {"DeliveryStreamType": "DirectPut"}}
    from_kinesis = {"Type": "AWS::KinesisFirehose::DeliveryStream",
                    "Properties": {"DeliveryStreamType": "KinesisStreamAsSource"}}
    converting = {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {
        "ExtendedS3DestinationConfiguration": {"DataFormatConversionConfiguration": {"Enabled": True}}}}
    report = price_assembly(assembly_of(tmp_path, S={"Clicks": stream, "Read": from_kinesis, "Parquet": converting}),
                            Workload(resources={"Clicks": {"gb_in": gb}}), free_tier=False)
    assert round(items(report, "S", "usage")["Clicks"], 2) == 35.84
    assert [n["logical_id"] for n in report["stacks"]["S"]["not_priced"]] == ["Read", "Parquet"]


def test_vpc_pricing_page_nat_gateway_example(tmp_path: Path) -> None:
    """aws.amazon.com/vpc/pricing: a NAT gateway is $0.045 an hour and $0.045 per GB it processes:
    a month (730 hours) and 1 GB through it cost $32.85 + $0.045, with its public IPv4 address $3.65."""
    nat = {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": "subnet-1"}}
    report = price_assembly(assembly_of(tmp_path, Net={"Nat": nat}), Workload(resources={"Nat": {"gb": 1}}))
    fixed = report["stacks"]["Net"]["fixed_monthly"]["items"]
    assert [round(item["usd"], 2) for item in fixed] == [32.85, 3.65]
    assert items(report, "Net", "usage") == {"Nat": pytest.approx(0.045)}


# Hand-checked stacks.

STANDING = {
    "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
    **{f"Alarm{i}": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Period": 300}} for i in range(12)},
    "Fast": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Period": 10}},
    "Math": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [
        {"Id": "e", "Expression": "a/b"}, {"Id": "a", "MetricStat": {"Period": 60}},
        {"Id": "b", "MetricStat": {"Period": 60}}]}},
    **{f"Board{i}": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {}} for i in range(4)},
    "Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {
        "VpcEndpointType": "Interface", "SubnetIds": [{"Ref": "A"}, {"Ref": "B"}]}},
    "Gateway": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}},
    "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"StreamModeDetails": {"StreamMode": "ON_DEMAND"}}},
    "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 30, "WriteCapacityUnits": 30}}},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 2048, "Architectures": ["arm64"]}},
    "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
        "FunctionName": {"Ref": "Fn"}, "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": 2}}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
}


def test_a_stack_standing_still_is_itemized_by_hand(tmp_path: Path) -> None:
    report = price_assembly(assembly_of(tmp_path, Standing=STANDING))
    fixed = items(report, "Standing", "fixed")
    assert fixed["Key"] == 1.00
    assert fixed["Alarm0"] == pytest.approx(0.10) and fixed["Fast"] == pytest.approx(0.30)
    assert fixed["Math"] == pytest.approx(0.20)  # two metrics in the expression
    assert fixed["Board0"] == 3.00
    assert fixed["Endpoint"] == pytest.approx(2 * 730 * 0.01)  # $14.60: 2 AZs
    assert fixed["Gateway"] == 0
    assert fixed["Stream"] == pytest.approx(730 * 0.04)  # $29.20
    assert fixed["Table"] == pytest.approx(30 * 730 * 0.00065 + 30 * 730 * 0.00013)  # $17.08
    assert fixed["Live"] == pytest.approx(2 * 2 * 730 * 3600 * 0.0000033334)  # $35.04
    assert "Role" not in fixed and report["stacks"]["Standing"]["not_priced"] == []
    total = 1 + 12 * 0.10 + 0.30 + 0.20 + 4 * 3 + 14.60 + 29.20 + 17.082 + 35.0407
    assert report["stacks"]["Standing"]["fixed_monthly"]["total"] == pytest.approx(total, abs=0.001)
    free = {item["what"]: item["usd"] for item in report["free_tier"]["items"]}
    assert free == pytest.approx({
        "CloudWatch: 10 standard-resolution alarm metrics": 1.00,  # 14 standard metrics; high resolution not free
        "CloudWatch: 3 dashboards": 9.00,
        "DynamoDB: 25 provisioned WCU": 25 * 730 * 0.00065,
        "DynamoDB: 25 provisioned RCU": 25 * 730 * 0.00013,
    })
    assert report["total_monthly"] == pytest.approx(total - report["free_tier"]["total"], abs=0.001)


def test_a_delivery_pipeline_pays_its_action_and_build_minutes(tmp_path: Path) -> None:
    """aws.amazon.com/codepipeline/pricing: V2, $0.002 per action execution minute after 100 free a month;
    aws.amazon.com/codebuild/pricing: general1.small, $0.005 per build minute after 100 free. 30 runs of 50 action
    minutes and 10 build minutes: (1,500 - 100) x $0.002 = $2.80 and (300 - 100) x $0.005 = $1.00."""
    small = {"ComputeType": "BUILD_GENERAL1_SMALL", "Type": "LINUX_CONTAINER"}
    folder = assembly_of(tmp_path, App={
        "Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"PipelineType": "V2"}},
        "Synth": {"Type": "AWS::CodeBuild::Project", "Properties": {"Environment": small}},
        "Large": {"Type": "AWS::CodeBuild::Project", "Properties": {"Environment": {
            **small, "ComputeType": "BUILD_GENERAL1_LARGE"}}},
        "Old": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {}},
    })
    report = price_assembly(folder, Workload(resources={"Pipeline": {"action_minutes": 1500},
                                                        "Synth": {"build_minutes": 300}}))
    assert items(report, "App", "usage") == pytest.approx({"Pipeline": 2.80 + 0.2, "Synth": 1.00 + 0.5})
    assert items(report, "App", "fixed") == {"Old": 1.00}  # a V1 pipeline: $1 an active month
    assert report["stacks"]["App"]["not_priced"] == [{"logical_id": "Large", "type": "AWS::CodeBuild::Project"}]
    assert report["total_monthly"] == pytest.approx(2.80 + 1.00 + 1.00)


def test_the_free_tier_applies_once_across_stacks(tmp_path: Path) -> None:
    function = {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 1024, "Architectures": ["x86_64"]}}
    folder = assembly_of(tmp_path, One={"Fn": function}, Two={"Fn": function})
    workload = Workload(defaults={"AWS::Lambda::Function": {"requests": 1_000_000, "duration_ms": 300}})
    report = price_assembly(folder, workload)
    # 2 x 300,000 GB-s: 400,000 free; 2 x 1M requests: 1M free.
    assert report["total_monthly"] == pytest.approx(200_000 * 0.0000166667 + 0.20)
    without = price_assembly(folder, workload, free_tier=False)
    assert without["free_tier"]["items"] == [] and without["total_monthly"] == pytest.approx(2 * (0.2 + 300_000 * 0.0000166667))


def test_unknown_types_are_listed_not_priced_never_zero(tmp_path: Path) -> None:
    resources = {"Box": {"Type": "AWS::EC2::Instance", "Properties": {}},
                 "Fifo": {"Type": "AWS::SNS::Topic", "Properties": {"FifoTopic": True}},
                 "Key": {"Type": "AWS::KMS::Key", "Properties": {}}}
    report = price_assembly(assembly_of(tmp_path, S=resources))
    assert report["stacks"]["S"]["not_priced"] == [{"logical_id": "Box", "type": "AWS::EC2::Instance"},
                                                   {"logical_id": "Fifo", "type": "AWS::SNS::Topic"}]
    assert report["stacks"]["S"]["total_monthly"] == 1.00


def test_every_type_the_library_creates_is_priced(assembly: Path, variant_templates: dict, tmp_path: Path) -> None:
    for stack, template in variant_templates.items():
        (tmp_path / f"{stack}.template.json").write_text(json.dumps(template))
    for folder in (assembly, tmp_path):
        report = price_assembly(folder)
        unpriced = {stack: cost["not_priced"] for stack, cost in report["stacks"].items() if cost["not_priced"]}
        assert unpriced == {}


def test_every_price_names_its_source_and_every_free_tier_a_priced_meter() -> None:
    for meter, price in PRICES.items():
        assert price.source.startswith("https://aws.amazon.com/") and "/pricing/" in price.source, meter
        assert price.usd > 0 and price.per >= 1
    for tier in FREE_TIERS:
        assert set(tier.meters) <= set(PRICES) and tier.units > 0


# Workloads and what the template knows.

@pytest.mark.parametrize("expression,runs", [
    ("rate(1 hour)", 730), ("rate(5 minutes)", 8760), ("rate(2 days)", 730 / 48), ("cron(0 * * * ? *)", 730),
    ("cron(0 3 * * ? *)", 730 / 24), ("cron(0/15 * * * ? *)", 4 * 730), ("cron(0 9 ? * MON-FRI *)", 5 * 730 / 24 / 7),
    ("cron(0 0 1 * ? *)", 1), ("cron(0 0 1 1,7 ? *)", 2 / 12), ("at(2030-01-01T00:00:00)", 1),
])
def test_schedules_say_how_often_they_run(expression: str, runs: float) -> None:
    assert runs_per_month(expression) == pytest.approx(runs)


def test_a_scheduled_function_runs_as_often_as_its_schedule(tmp_path: Path) -> None:
    resources = {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 1024, "Architectures": ["arm64"]}},
        "Hourly": {"Type": "AWS::Events::Rule", "Properties": {
            "ScheduleExpression": "cron(5 * * * ? *)", "Targets": [{"Arn": {"Fn::GetAtt": ["Fn", "Arn"]}, "Id": "T"}]}},
    }
    workload = Workload(defaults={"AWS::Lambda::Function": {"requests": 1_000_000, "duration_ms": 1000}})
    report = price_assembly(assembly_of(tmp_path, S=resources), workload, free_tier=False)
    (requests, duration) = report["stacks"]["S"]["usage_monthly"]["items"]
    assert "730 a month, as cron(5 * * * ? *) says" in requests["basis"]
    assert duration["usd"] == pytest.approx(730 * 1 * 0.0000133334)  # not a million runs


def test_an_api_path_reaches_the_function_behind_it_and_a_longer_path_wins(tmp_path: Path) -> None:
    def at(path: str, kind: str) -> dict:
        return {"Type": kind, "Properties": {"ProtocolType": "HTTP"}, "Metadata": {"aws:cdk:path": f"S/{path}/Resource"}}

    resources = {"Api": at("Orders/Api", "AWS::ApiGatewayV2::Api"), "Fn": at("Orders/Function", "AWS::Lambda::Function")}
    workload = Workload(resources={"S/Orders": {"requests": 2_000_000},
                                   "Orders/Function": {"duration_ms": 50}, "Api": {"requests": 3_000_000}})
    report = price_assembly(assembly_of(tmp_path, S=resources), workload, free_tier=False)
    usage = items(report, "S", "usage")
    assert usage["Api"] == pytest.approx(3.00)  # the logical ID wins
    assert usage["Fn"] == pytest.approx(2 * 0.20 + 2_000_000 * 0.05 * 0.125 * 0.0000166667)


def test_a_workload_file_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "w.json"
    good.write_text(json.dumps({"resources": {"Api": {"requests": 5}}}))
    assert load_workload(good).of("S", "Api", "X") == {"requests": 5}
    for data, message in (({"resources": {"Api": {"reqests": 5}}}, "did you mean requests"),
                          ({"resources": {"Api": {"requests": -1}}}, "must be a number of at least 0"),
                          ({"stacks": {}}, "'defaults' and 'resources'")):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(data))
        with pytest.raises(WorkloadError, match=message):
            load_workload(bad)


# The command.

def test_make_cost_prices_every_demo_stack(assembly: Path, capsys) -> None:
    assert main([str(assembly), "--workload", str(ROOT / "cost-workload.json"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    stacks = {p.name.removesuffix(".template.json") for p in assembly.rglob("*.template.json")}
    assert set(report["stacks"]) == stacks
    for stack, cost in report["stacks"].items():
        assert cost["not_priced"] == [] and cost["fixed_monthly"]["total"] > 0, stack
        assert cost["total_monthly"] == pytest.approx(cost["fixed_monthly"]["total"] + cost["usage_monthly"]["total"])
        for item in cost["fixed_monthly"]["items"] + cost["usage_monthly"]["items"]:
            assert set(item) == {"path", "logical_id", "type", "usd", "basis"} and item["basis"], item
    alb = items(report, "AlbFunctionDemo", "fixed")
    assert sum(alb.values()) > 23.7  # the load balancer's hours and its two public IPv4 addresses
    deploy_time = [i for i in report["stacks"]["SafeDeploymentDemo"]["usage_monthly"]["items"]
                   if "runs only while the stack deploys" in i["basis"]]
    assert {i["path"] for i in deploy_time} >= {"Greeter/Deployment/PreTrafficHook/Function"}


def test_the_command_prints_a_table_and_a_diff(assembly: Path, tmp_path: Path, capsys) -> None:
    assert main([str(assembly)]) == 0
    out = capsys.readouterr().out
    assert all(f"Stack {p.name.removesuffix('.template.json')}:" in out for p in assembly.rglob("*.template.json"))
    assert out.strip().splitlines()[-1].startswith("Total: $")

    changed = tmp_path / "new"
    shutil.copytree(assembly, changed)
    (changed / "LayerDemo.template.json").unlink()
    template = json.loads((changed / "VpcFunctionDemo.template.json").read_text())
    template["Resources"]["Nat"] = {"Type": "AWS::EC2::NatGateway", "Properties": {}}
    (changed / "VpcFunctionDemo.template.json").write_text(json.dumps(template))
    assert main(["--diff", str(assembly), str(changed), "--json"]) == 0
    change = json.loads(capsys.readouterr().out)
    assert [(e["stack"], e["logical_id"]) for e in change["added"]] == [("VpcFunctionDemo", "Nat")]
    assert change["added"][0]["usd"] == pytest.approx(730 * 0.045 + 730 * 0.005)
    assert {e["stack"] for e in change["removed"]} == {"LayerDemo"}
    assert change["total_monthly"]["delta"] == pytest.approx(change["total_monthly"]["new"] - change["total_monthly"]["old"])
    assert main(["--diff", str(assembly), str(changed)]) == 0
    assert "+      36.50  VpcFunctionDemo/Nat (AWS::EC2::NatGateway)" in capsys.readouterr().out


def test_diff_of_an_assembly_with_itself_is_empty(assembly: Path) -> None:
    report = price_assembly(assembly)
    assert diff(report, report)["added"] == diff(report, report)["changed"] == []


def test_the_command_refuses_bad_input(assembly: Path, tmp_path: Path, capsys) -> None:
    for argv, message in (([str(assembly), "--requests", "-5"], "requests -5 must be between"),
                          ([str(tmp_path / "missing")], "run cdk synth first"),
                          ([], "give one assembly, or --diff OLD NEW")):
        with pytest.raises(SystemExit):
            main(argv)
        assert message in capsys.readouterr().err


def test_the_construct_cost_table_is_that_of_the_constructs() -> None:
    """README.md and docs/costs.md show what tools/construct_costs.py measures now."""
    from tools.construct_costs import table

    current = table()
    assert current in (ROOT / "README.md").read_text()
    assert current in (ROOT / "docs" / "costs.md").read_text()


def test_the_profiles_cost_table_is_that_of_the_constructs() -> None:
    """docs/regulated-profile.md shows each construct's standing cost by profile as measured now."""
    from tools.construct_costs import profiles_table

    assert profiles_table() in (ROOT / "docs" / "regulated-profile.md").read_text()


# Step Functions: transitions counted from a linear definition, or given; Express by request and GB-second.

def machine(definition: dict, kind: str = "STANDARD") -> dict:
    """A state machine as aws-cdk-lib writes it: the definition joined around a function's ARN ("ARN" in it)."""
    pieces = json.dumps(definition).split('"ARN"')
    parts: list = [pieces[0]]
    for piece in pieces[1:]:
        parts[-1] += '"'
        parts += [{"Fn::GetAtt": ["Fn", "Arn"]}, '"' + piece]
    return {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "StateMachineType": kind, "DefinitionString": {"Fn::Join": ["", parts]}}}


LINEAR = {"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "ARN", "Next": "B", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Undo"}]},
    "B": {"Type": "Task", "Resource": "ARN", "Next": "Done"},
    "Undo": {"Type": "Task", "Resource": "ARN", "Next": "Failed"},
    "Failed": {"Type": "Fail"}, "Done": {"Type": "Succeed"}}}


def test_a_linear_standard_workflow_is_priced_per_transition_of_its_path(tmp_path: Path) -> None:
    """aws.amazon.com/step-functions/pricing: $0.025 per 1,000 state transitions, 4,000 free a month. 100,000
    executions of A, B, Done = 300,000 transitions = $7.50; the free tier takes 4,000 = $0.10 off."""
    folder = assembly_of(tmp_path, Flow={"Machine": machine(LINEAR)})
    report = price_assembly(folder, Workload(resources={"Machine": {"requests": 100_000}}))
    assert items(report, "Flow", "usage") == {"Machine": pytest.approx(7.50)}
    (line,) = report["stacks"]["Flow"]["usage_monthly"]["items"]
    assert "100,000 executions x 3 (counted from the definition, without retries)" in line["basis"]
    assert report["free_tier"]["total"] == pytest.approx(0.10)


def test_a_branching_standard_workflow_needs_its_transitions(tmp_path: Path) -> None:
    branching = {"StartAt": "Pick", "States": {
        "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "Done"}],
                 "Default": "Done"}, "Done": {"Type": "Succeed"}}}
    folder = assembly_of(tmp_path, Flow={"Machine": machine(branching)})
    unknown = price_assembly(folder, Workload(resources={"Machine": {"requests": 1000}}))
    (line,) = unknown["stacks"]["Flow"]["usage_monthly"]["items"]
    assert line["usd"] == 0 and "give 'transitions' per execution" in line["basis"]
    given = price_assembly(folder, Workload(resources={"Machine": {"requests": 1000, "transitions": 8}}))
    assert items(given, "Flow", "usage") == {"Machine": pytest.approx(8000 * 0.025 / 1000)}


def test_an_express_workflow_is_priced_per_request_and_gb_second(tmp_path: Path) -> None:
    """A million executions of 250 ms, billed as 300 ms at 64 MB: $1.00 of requests and 1,000,000 x 0.3 s x
    0.0625 GB = 18,750 GB-seconds x $0.00001667 = $0.31."""
    folder = assembly_of(tmp_path, Flow={"Machine": machine(LINEAR, "EXPRESS")})
    report = price_assembly(folder, Workload(resources={"Machine": {"requests": 1_000_000, "duration_ms": 250}}))
    assert round(items(report, "Flow", "usage")["Machine"], 4) == round(1.00 + 18_750 * 0.00001667, 4)


def test_a_pipe_is_priced_per_event(tmp_path: Path) -> None:
    folder = assembly_of(tmp_path, Flow={"Pipe": {"Type": "AWS::Pipes::Pipe", "Properties": {}}})
    report = price_assembly(folder, Workload(resources={"Pipe": {"requests": 2_000_000}}))
    assert items(report, "Flow", "usage") == {"Pipe": pytest.approx(0.80)}


def test_the_stacks_alarms_are_priced_per_metric_their_queries_analyse(tmp_path: Path) -> None:
    """aws.amazon.com/cloudwatch/pricing: an alarm on a Metrics Insights query is billed per metric its query
    analyses, and the free tier's 10 alarm metrics are only for alarms that list their metrics directly. Three
    functions: the stack's errors, throttles and dead-letter errors alarms analyse three metrics each ($0.90), none
    free; the FailedEvents queue's alarm is one listed metric ($0.10), free."""
    from aws_cdk import Stack

    from constructs_lib import ServerlessFunction
    from tests.helpers import PLAIN, make_app

    app = make_app()
    stack = Stack(app, "Fleet")
    for name in ("A", "B", "C"):
        ServerlessFunction(stack, name, entry=PLAIN)
    report = price_assembly(Path(app.synth().directory))
    fixed = items(report, "Fleet", "fixed")
    stack_alarms = {k: v for k, v in fixed.items() if k.startswith("LibraryAlarms")}
    assert len(stack_alarms) == 3 and all(v == pytest.approx(0.30) for v in stack_alarms.values())
    assert report["stacks"]["Fleet"]["fixed_monthly"]["total"] == pytest.approx(0.90 + 0.10)
    assert report["free_tier"]["total"] == pytest.approx(0.10)
