"""The cost tables of the docs, each computed from constructs_lib.pricing (one source for every price shown).

Usage: python -m tools.construct_costs             what each construct costs (README.md, docs/costs.md)
       python -m tools.construct_costs --prices    the price table (docs/costs.md)
       python -m tools.construct_costs --profiles  each construct standing still by profile (docs/regulated-profile.md)
       python -m tools.construct_costs cdk.out     what the demo app costs standing still (docs/deploying.md)

Each construct stands alone in a stack of its own (us-east-1, no bundling), is synthesized and priced
with constructs_lib.pricing; the free tier is left out, since an account's other resources use it too.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Callable

from aws_cdk import App, Environment, Stack, pipelines
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3

from constructs_lib import (AlarmTopic, AlbFunction, ApiFunction, Dashboard, DeliveryPipeline, DependencyLayer,
                            Deployment, EdgeDistribution, EdgeHandler, FanOut, FirehoseTransform, FunctionStep,
                            LogSubscriber, QueueWorker, ScheduledFunction, ServerlessFunction, ServiceApi,
                            StreamConsumer, ThumbnailPipeline, TopicSubscriber, UserPoolTrigger, VpcFunction, Workflow)
from constructs_lib.core.profile import is_regulated
from constructs_lib.pricing import Workload, price_assembly
from constructs_lib.pricing.prices import PRICES

ROOT = Path(__file__).resolve().parent.parent
PLAIN = str(ROOT / "tests" / "fixtures" / "plain")
REQUIREMENTS = str(ROOT / "lambda_src" / "scientific_layer" / "requirements.txt")
CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
WORKLOAD_WORDS = ("1 million requests a month to each of its resources that counts requests (functions of "
                  "100 ms, APIs, queues, keys, topics, distributions) and 1 GB of logs ingested and stored")
WORKLOAD = Workload(
    defaults={"AWS::Logs::LogGroup": {"gb_ingested": 1, "gb_stored": 1}},
    resources={"Built": {"requests": 1_000_000, "duration_ms": 100, "publishes": 1_000_000}},
)


def _edge(stack: Stack) -> None:
    EdgeDistribution(stack, "Built", origin_bucket=s3.Bucket(stack, "Content", enforce_ssl=True),
                     origin_response=EdgeHandler(PLAIN))


def _workflow(stack: Stack) -> None:
    function = ServerlessFunction(stack, "Fn", entry=PLAIN, no_failure_target="Only the workflow invokes it.")
    Workflow(stack, "Built", definition=FunctionStep(stack, "Step", function=function))


def _service_api(stack: Stack) -> None:
    api = ServiceApi(stack, "Built")
    api.add_function("Orders", routes=["GET /orders", "POST /orders"], entry=PLAIN)
    api.add_function("Items", routes=["GET /items"], entry=PLAIN)


def _pipeline(stack: Stack) -> None:
    source = pipelines.CodePipelineSource.connection(
        "example-org/app", "main", connection_arn="arn:aws:codeconnections:us-east-1:111111111111:connection/abc")
    DeliveryPipeline(stack, "Built", source=source).build()


def _listener(stack: Stack) -> dict[str, object]:
    """HTTP by default; the regulated profile serves HTTPS only, with a certificate."""
    if not is_regulated(stack):
        return {"allow_plain_http": True}
    return {"certificate": acm.Certificate.from_certificate_arn(stack, "Certificate", CERTIFICATE)}


def _stream(stack: Stack) -> None:
    table = dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(
        name="pk", type=dynamodb.AttributeType.STRING), dynamo_stream=dynamodb.StreamViewType.NEW_IMAGE)
    StreamConsumer(stack, "Built", table=table, entry=PLAIN)


# Construct -> (how it is built alone, what the row says about it).
CONSTRUCTS: dict[str, Callable[[Stack], object]] = {
    "ServerlessFunction": lambda s: ServerlessFunction(s, "Built", entry=PLAIN),
    "ScheduledFunction": lambda s: ScheduledFunction(s, "Built", schedule="rate(1 hour)", entry=PLAIN),
    "QueueWorker": lambda s: QueueWorker(s, "Built", entry=PLAIN),
    "StreamConsumer": _stream,
    "AlbFunction": lambda s: AlbFunction(s, "Built", entry=PLAIN, **_listener(s)),
    "ApiFunction": lambda s: ApiFunction(s, "Built", entry=PLAIN),
    "ServiceApi": _service_api,
    "FanOut": lambda s: FanOut(s, "Built").add_worker("Worker", entry=PLAIN),
    "TopicSubscriber": lambda s: TopicSubscriber(s, "Built", entry=PLAIN),
    "ThumbnailPipeline": lambda s: ThumbnailPipeline(s, "Built"),
    "VpcFunction": lambda s: VpcFunction(s, "Built", entry=PLAIN),
    "EdgeDistribution": _edge,
    "Deployment": lambda s: ServerlessFunction(s, "Built", entry=PLAIN, deployment=Deployment.canary()),
    "DependencyLayer": lambda s: DependencyLayer(s, "Built", requirements=REQUIREMENTS),
    "Dashboard": lambda s: Dashboard(s, "Built", constructs=[ServerlessFunction(s, "Fn", entry=PLAIN)]),
    "AlarmTopic": lambda s: AlarmTopic(s, "Built"),
    "Workflow": _workflow,
    "UserPoolTrigger": lambda s: UserPoolTrigger(s, "Built", user_pool=cognito.UserPool(s, "Users"),
                                                 operation="pre_sign_up", entry=PLAIN),
    "LogSubscriber": lambda s: LogSubscriber(s, "Built", log_group=logs.LogGroup(s, "Logs"), entry=PLAIN),
    "FirehoseTransform": lambda s: FirehoseTransform(s, "Built", entry=PLAIN),
    "DeliveryPipeline": _pipeline,
}
# A pipeline's stack names its account: its targets' bootstrap roles trust the pipeline's account by its ID.
ENVIRONMENTS = {"DeliveryPipeline": Environment(account="111111111111", region="us-east-1")}
STANDING = {"AWS::CloudWatch::Alarm": "alarm", "AWS::KMS::Key": "KMS key", "AWS::CloudWatch::Dashboard": "dashboard",
            "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer (hours, public IPv4 addresses)", "AWS::EC2::VPCEndpoint": "endpoint",
            "AWS::EC2::NatGateway": "NAT gateway", "AWS::Lambda::Alias": "provisioned concurrency",
            "AWS::WAFv2::WebACL": "web ACL"}


@functools.cache  # one synth per profile for the tables of a process
def construct_costs(profile: str = "default") -> dict[str, dict]:
    """Construct -> its stack's priced report, before the free tier, built the `profile` way (the regulated
    profile's network is a stack of its own: NETWORK)."""
    app = App(context={"aws:cdk:bundling-stacks": [], "constructs_lib:profile": profile,
                       "constructs_lib:concurrency-quota": 1000})
    for name, build in CONSTRUCTS.items():
        build(Stack(app, name, env=ENVIRONMENTS.get(name, Environment(region="us-east-1"))))
    return price_assembly(Path(app.synth().directory), WORKLOAD, free_tier=False)["stacks"]


def _standing(cost: dict) -> str:
    """What costs money standing still, counted: "2 alarms, KMS key"."""
    resources: dict[str, set[str]] = {}
    for item in cost["fixed_monthly"]["items"]:
        if item["usd"] > 0:
            resources.setdefault(STANDING.get(item["type"], item["type"]), set()).add(item["logical_id"])
    counts = {what: len(ids) for what, ids in resources.items()}
    return ", ".join(f"{n} {what}s" if n > 1 else what for what, n in counts.items()) or "nothing"


NETWORK = "RegulatedNetwork-us-east-1"


def profiles_table() -> str:
    """Each construct standing still, by profile; and the regulated profile's network, which the functions of an
    account and region share."""
    default, regulated = construct_costs(), construct_costs("regulated")
    rows = ["| construct | default, idle a month | regulated, idle a month | what stands still under the profile |",
            "|---|---|---|---|"]
    for name in CONSTRUCTS:
        rows.append(f"| `{name}` | ${default[name]['fixed_monthly']['total']:,.2f} | "
                    f"${regulated[name]['fixed_monthly']['total']:,.2f} | {_standing(regulated[name])} |")
    network = regulated[NETWORK]
    rows.append(f"| the network (once per account and region, for all of the above) | | "
                f"${network['fixed_monthly']['total']:,.2f} | {_standing(network)} |")
    return "\n".join(rows)


def table() -> str:
    costs = construct_costs()
    rows = ["| construct | idle, a month | at work, a month | what stands still |", "|---|---|---|---|"]
    for name in CONSTRUCTS:
        cost = costs[name]
        rows.append(f"| `{name}` | ${cost['fixed_monthly']['total']:,.2f} | ${cost['total_monthly']:,.2f} | "
                    f"{_standing(cost)} |")
    return "\n".join(rows)


# What the demo app pays for standing still, by kind of resource (docs/deploying.md).
KINDS = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer":
        "Application Load Balancer (`AlbFunctionDemo`): hours, a public IPv4 address per Availability Zone",
    "AWS::KMS::Key": "KMS keys",
    "AWS::CloudWatch::Alarm": "CloudWatch alarms (standard resolution; a metric math alarm counts each metric, a Metrics "
                              "Insights alarm each metric its query analyses)",
    "AWS::CloudWatch::Dashboard": "CloudWatch dashboards",
    "AWS::WAFv2::WebACL": "AWS WAF web ACLs, with their rule groups",
    "AWS::EC2::VPCEndpoint": "VPC interface endpoints, in two zones each (the regulated profile's networks)",
}


def standing_table(assembly: Path) -> str:
    """What the stacks of an assembly cost a month standing still, by kind of resource, before the free tier."""
    kinds: dict[str, tuple[set[tuple[str, str]], float]] = {}
    for stack, cost in price_assembly(assembly, Workload(), free_tier=False)["stacks"].items():
        for item in cost["fixed_monthly"]["items"]:
            if item["usd"] > 0:
                resources, usd = kinds.get(item["type"], (set(), 0.0))
                kinds[item["type"]] = (resources | {(stack, item["logical_id"])}, usd + item["usd"])
    rows = ["| what | how many | a month |", "|---|---|---|"]
    for kind, (resources, usd) in sorted(kinds.items(), key=lambda entry: -entry[1][1]):
        rows.append(f"| {KINDS.get(kind, kind)} | {len(resources)} | ${usd:,.2f} |")
    return "\n".join(rows)


def prices_table() -> str:
    """Every price the pricer uses, with its page."""
    rows = ["| meter | price | source |", "|---|---|---|"]
    rows += [f"| `{meter}` | {price.words()} | {price.source} |" for meter, price in PRICES.items()]
    return "\n".join(rows)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments == ["--prices"]:
        print(prices_table())
    elif arguments == ["--profiles"]:
        print(profiles_table())
    elif arguments:
        print(standing_table(Path(arguments[0])))
    else:
        print(table())
