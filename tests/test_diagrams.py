"""Diagrams of the demo app, of an app that uses every construct and of the classic serverless examples: each
names the resources its stack has and the arrows its wiring implies, and lists under it whatever it did not
draw."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aws_cdk import App, Stack
from constructs import Construct

import constructs_lib
from constructs_lib import ApiFunction
from constructs_lib.diagrams import NODE_TYPES, Diagram, diagram_of, diagrams_of, main, markdown
from tests.every_construct_app import USES, every_construct_app
from tests.helpers import PLAIN, make_app, template_of
from tests.serverless_examples_app import serverless_examples_stack

ARROW = "{source} -- {label} --> {target}"


@pytest.fixture(scope="module")
def diagrams(assembly: Path) -> dict[str, str]:
    return {stack: diagram.mermaid() for stack, diagram in diagrams_of(assembly).items()}


def synthesized(app: App) -> dict[str, dict]:
    """Stack name -> template, each resource with its construct path as `cdk synth` writes it."""
    return {stack.stack_name: stack.template for stack in app.synth().stacks}


@pytest.fixture(scope="module")
def every_construct() -> dict[str, dict]:
    return synthesized(every_construct_app())


def template(assembly: Path, stack: str) -> dict:
    return json.loads((assembly / f"{stack}.template.json").read_text())["Resources"]


def by_path(resources: dict, path: str) -> str:
    """The logical ID of the resource a construct path made."""
    (logical_id,) = [k for k, r in resources.items() if r.get("Metadata", {}).get("aws:cdk:path") == path]
    return logical_id


def test_every_stack_is_drawn_with_every_resource_that_matters(assembly: Path, diagrams: dict[str, str]) -> None:
    stacks = {p.name.removesuffix(".template.json") for p in assembly.rglob("*.template.json")}
    assert set(diagrams) == stacks
    assert {stack: d.undrawn for stack, d in diagrams_of(assembly).items() if d.undrawn} == {}
    for stack, source in diagrams.items():
        resources = json.loads(next(assembly.rglob(f"{stack}.template.json")).read_text())["Resources"]
        drawn = [logical_id for logical_id, r in resources.items() if r["Type"] in NODE_TYPES]
        assert drawn, stack
        for logical_id in drawn:
            assert f"    {logical_id}" in source, f"{stack}: {logical_id} is missing"
        alarms = sum(1 for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm")
        counted = sum(int(count) for count in re.findall(r'>"(\d+) alarms?: ', source))
        assert counted == alarms, f"{stack}: {counted} alarms drawn of {alarms}"


@pytest.mark.parametrize("stack, arrows", [
    ("QueueWorkerDemo", [
        ("OrderWorker/Queue/Resource", "event source mapping", "OrderWorker/Function/Function/Resource"),
        ("OrderWorker/Queue/Resource", "redrive", "OrderWorker/DeadLetterQueue/Resource"),
        ("OrderWorker/Function/Function/Resource", "uses", "Orders/Resource"),
    ]),
    ("ThumbnailPipelineDemo", [
        ("Thumbnails/Source/Resource", "s3:ObjectCreated:*", "Thumbnails/Function/Function/Resource"),
        ("Thumbnails/Function/Function/Resource", "on failure", "Thumbnails/Failures/Resource"),
        ("Thumbnails/Function/Function/Resource", "uses", "Thumbnails/Metadata/Resource"),
        ("Thumbnails/Function/Function/Resource", "uses", "Thumbnails/Thumbnails/Resource"),
    ]),
    ("ScheduledFunctionDemo", [
        ("HourlyCleanup/Rule/Resource", "invokes", "HourlyCleanup/Function/Function/Resource"),
        ("HourlyCleanup/Rule/Resource", "undelivered", "HourlyCleanup/TargetDeadLetterQueue/Resource"),
    ]),
    ("StreamConsumerDemo", [
        ("Accounts/Resource", "event source mapping", "AuditTrail/Function/Function/Resource"),
        ("AuditTrail/Function/Function/Resource", "discarded batches", "AuditTrail/OnFailure/Resource"),
    ]),
    ("AsyncInvocationDemo", [
        ("ToQueueAndBus/Function/Resource", "on success", "OrderEvents/Resource"),
        ("ToQueueAndBus/Function/Resource", "on failure", "Failures/Resource"),
        ("ToQueueAndBus/Function/Resource", "dead letters", "DeadLetters/Resource"),
        ("ToTopic/Function/Resource", "on failure", "FailureAlerts/Resource"),
    ]),
    ("SafeDeploymentDemo", [
        ("Greeter/Deployment/Group/Resource", "shifts traffic", "Greeter/Alias/Resource"),
        ("Greeter/Alias/Resource", "version", "Greeter/Function/Resource"),
        ("Greeter/Alias/FunctionUrl/Resource", "invokes", "Greeter/Function/Resource"),
    ]),
    ("AlbFunctionDemo", [
        ("Echo/LoadBalancer/Resource", "HTTP 80", "Echo/TargetGroup/Resource"),
        ("Echo/TargetGroup/Resource", "invokes", "Echo/Function/Function/Resource"),
    ]),
    ("EdgeDistributionDemo", [
        ("Cdn/Distribution/Resource", "origin", "Site/Resource"),
        ("Cdn/Distribution/Resource", "origin-response", "Cdn/OriginResponseHandler/Fn/Resource"),
        ("Cdn/Distribution/Resource", "viewer-request", "Cdn/ViewerRequestFunction/Resource"),
    ]),
    ("ApiDemo", [
        ("OrdersApi/Api/Resource", "invokes", "OrdersApi/Function/Function/Resource"),
        ("OrdersApi/Function/Function/Resource", "uses", "Orders/Resource"),
        ("OrdersApi/UserPool/Resource", "PreSignUp", "SignUpCheck/Function/Resource"),
        ("OrdersApi/UserPool/Resource", "PostConfirmation", "ProfileWriter/Function/Resource"),
        ("ProfileWriter/Function/Resource", "uses", "Profiles/Resource"),
    ]),
    ("LogSubscriberDemo", [
        ("Greeter/Function/Resource", "logs", "ErrorSummary/Filter/Resource"),
        ("ErrorSummary/Filter/Resource", "delivers", "ErrorSummary/Function/Function/Resource"),
        ("ErrorSummary/Function/Function/Resource", "dead letters", "FailedEvents/Queue/Resource"),
    ]),
    ("FirehoseTransformDemo", [
        ("Clicks/Stream", "transforms with", "Clicks/Function/Function/Resource"),
        ("Clicks/Stream", "delivers", "Clicks/Bucket/Resource"),
    ]),
    ("FanOutDemo", [
        ("Uploads/Source/Resource", "s3:ObjectCreated:*", "Uploads/Topic/Resource"),
        ("Uploads/Topic/Resource", "raw delivery", "Uploads/Catalog/Queue/Resource"),
        ("Uploads/Topic/Resource", "raw delivery", "Uploads/Audit/Queue/Resource"),
        ("Uploads/Topic/Resource", "subscription", "Notice/Function/Function/Resource"),
        ("Uploads/Catalog/Queue/Resource", "event source mapping", "Uploads/Catalog/Function/Function/Resource"),
    ]),
    ("VpcFunctionDemo", [
        ("Notes/Function/Function/Resource", "mounts", "Notes/FileSystem/Resource"),
        ("ProductReader/Function/Function/Resource", "uses", "Products/Resource"),
    ]),
])
def test_wiring_becomes_arrows(assembly: Path, diagrams: dict[str, str], stack: str, arrows: list) -> None:
    resources = template(assembly, stack)
    for source, label, target in arrows:
        arrow = ARROW.format(source=by_path(resources, f"{stack}/{source}"), label=label,
                             target=by_path(resources, f"{stack}/{target}"))
        assert arrow in diagrams[stack], f"{stack}: no arrow {source} -- {label} --> {target}"


def test_deployment_alarms_roll_back(assembly: Path, diagrams: dict[str, str]) -> None:
    group = by_path(template(assembly, "SafeDeploymentDemo"), "SafeDeploymentDemo/Greeter/Deployment/Group/Resource")
    assert f"-. roll back .-> {group}" in diagrams["SafeDeploymentDemo"]


def test_layers_are_drawn(assembly: Path, diagrams: dict[str, str]) -> None:
    resources = template(assembly, "LayerDemo")
    layer = by_path(resources, "LayerDemo/Scientific/Resource")
    for function in ("Describe", "Percentiles"):
        source = by_path(resources, f"LayerDemo/{function}/Function/Resource")
        assert f"{source} -. layer .-> {layer}" in diagrams["LayerDemo"]


def test_api_authorizers_are_drawn(assembly: Path, diagrams: dict[str, str]) -> None:
    resources = template(assembly, "ApiDemo")
    api, pool = (by_path(resources, f"ApiDemo/OrdersApi/{p}/Resource") for p in ("Api", "UserPool"))
    assert f"{api} -. JWTs from .-> {pool}" in diagrams["ApiDemo"]
    assert "alarms: 4xx answers (% of requests), 5xx, Latency" in diagrams["ApiDemo"]  # math alarms by label


def test_rest_apis_are_drawn() -> None:
    stack = Stack(make_app(), "Rest")
    built = ApiFunction(stack, "Api", api="rest", entry=PLAIN)
    source = diagram_of("Rest", template_of(stack).to_json()).mermaid()
    api, function, pool = (stack.get_logical_id(c.node.default_child)
                           for c in (built.api, built.function.function, built.user_pool))
    assert ARROW.format(source=api, label="invokes", target=function) in source
    assert f"{api} -. tokens from .-> {pool}" in source


def test_make_diagrams_writes_files_and_the_readme(assembly: Path, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- diagrams:start (written by make diagrams) -->\nold\n<!-- diagrams:end -->\nend\n")
    assert main([str(assembly), str(tmp_path / "diagrams"), "--readme", str(readme)]) == 0
    written = sorted(p.name for p in (tmp_path / "diagrams").glob("*.md"))
    assert written == sorted(f"{stack}.md" for stack in diagrams_of(assembly))
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("end\n") and "old" not in text
    assert text.count("```mermaid") == len(written)


def test_a_state_machine_is_drawn_with_the_functions_it_invokes_and_its_starts() -> None:
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sqs as sqs

    from constructs_lib import Deployment, FunctionStep, ServerlessFunction, Workflow

    stack = Stack(make_app(), "Flows")
    plain = ServerlessFunction(stack, "Plain", entry=PLAIN, no_failure_target="sync")
    canary = ServerlessFunction(stack, "Canary", entry=PLAIN, no_failure_target="sync", deployment=Deployment.canary())
    flow = Workflow(stack, "Flow", definition=FunctionStep(stack, "A", function=plain).next(
        FunctionStep(stack, "B", function=canary)))
    bucket = s3.Bucket(stack, "Uploads", enforce_ssl=True)
    queue = sqs.Queue(stack, "Orders", enforce_ssl=True)
    upload = flow.start_on_upload("OnUpload", bucket)
    flow.start_from_queue("FromOrders", queue)
    source = diagram_of("Flows", template_of(stack).to_json()).mermaid()
    machine, alias, function = (stack.get_logical_id(c.node.default_child) for c in (
        flow.state_machine, canary.alias, plain.function))
    assert f'{machine}("State machine: ' in source
    assert ARROW.format(source=machine, label="invokes", target=function) in source
    assert ARROW.format(source=machine, label="invokes", target=alias) in source  # the alias, not $LATEST
    rule = stack.get_logical_id(upload.node.default_child)
    assert ARROW.format(source=stack.get_logical_id(bucket.node.default_child), label="events", target=rule) in source
    assert ARROW.format(source=rule, label="invokes", target=machine) in source
    assert ARROW.format(source=stack.get_logical_id(queue.node.default_child), label="pipe", target=machine) in source


def test_the_every_construct_app_uses_every_construct() -> None:
    """A construct added to the library without a line in USES fails here (and so is drawn by the test below)."""
    exported = {getattr(constructs_lib, name) for name in constructs_lib.__all__}
    constructs = {item for item in exported if isinstance(item, type) and issubclass(item, Construct)}
    assert sorted(c.__name__ for c in constructs - {construct for construct, _ in USES}) == []


def drawn_whole(templates: dict[str, dict]) -> dict[str, Diagram]:
    """Each stack's diagram, checked: nothing listed as not drawn, every resource of a drawn kind a node."""
    diagrams = {stack: diagram_of(stack, template) for stack, template in templates.items()}
    for stack, diagram in diagrams.items():
        assert diagram.undrawn == {}, markdown(diagram)
        nodes = [k for k, r in templates[stack]["Resources"].items() if r["Type"] in NODE_TYPES]
        assert sorted(set(nodes) - set(diagram.labels)) == [], stack
    return diagrams


def arrows_by_path(template: dict, stack: str, arrows: list[tuple[str, str, str]]) -> list[str]:
    resources = template["Resources"]
    return [ARROW.format(source=by_path(resources, f"{stack}/{source}"), label=label,
                         target=by_path(resources, f"{stack}/{target}")) for source, label, target in arrows]


def test_a_diagram_of_every_construct_lists_nothing_as_undrawn(every_construct: dict[str, dict]) -> None:
    diagrams = drawn_whole(every_construct)
    expected = {
        "EveryConstruct": [
            ("Nightly/Scheduler/Schedule/Resource", "invokes", "Nightly/Function/Function/Resource"),
            ("Nightly/Scheduler/Schedule/Resource", "undelivered", "Nightly/TargetDeadLetterQueue/Resource"),
            ("GlobalAccounts/Resource", "event source mapping", "Audit/Function/Function/Resource"),
            ("HttpApi/Domain/Resource", "serves", "HttpApi/Api/Resource"),
            ("RestApi/Api/CustomDomain/Resource", "serves", "RestApi/Api/Resource"),
            ("RestApi/WebAcl", "filters", "RestApi/Api/Resource"),
            ("Function/Alias/AliasScaling/Target/Resource", "scales", "Function/Alias/Resource"),
            ("Users/Resource", "CustomEmailSender", "Mail/Function/Function/Resource"),
            ("Function/Function/Resource", "logs", "LogReader/Filter/Resource"),
            ("ClickArchive/Stream", "transforms with", "ClickArchive/Function/Function/Resource"),
        ],
        "Elsewhere": [("Cdn/Distribution/Resource", "viewer-request", "Cdn/ViewerRequestHandler/ArnReader/Default")],
    }
    for stack, arrows in expected.items():
        for arrow in arrows_by_path(every_construct[stack], stack, arrows):
            assert arrow in diagrams[stack].mermaid(), arrow
    edge_stack = next(stack for stack in diagrams if stack.startswith("edge-lambda-stack"))
    assert " -- names --> " in diagrams[edge_stack].mermaid()  # the version's parameter, read by Elsewhere


def test_the_classic_serverless_examples_are_drawn_whole() -> None:
    """Services the library does not build but its patterns meet: RDS, CodePipeline, CodeCommit, Step Functions,
    Firehose, CloudWatch Logs, Cognito triggers, ECR."""
    app = App(context={"aws:cdk:bundling-stacks": [], "aws:cdk:enable-path-metadata": True})
    stack = serverless_examples_stack(app)
    templates = synthesized(app)
    diagram = drawn_whole(templates)["Examples"]
    arrows = arrows_by_path(templates["Examples"], "Examples", [
        ("Uploads/Resource", "s3:ObjectCreated:*", "UpdateMetadata/Resource"),
        ("UpdateMetadata/Resource", "uses", "Database/Proxy/Resource"),
        ("Database/Proxy/Resource", "connects", "Database/Resource"),
        ("Pipeline/Resource", "invoke", "Check/Resource"),
        ("Pipeline/Resource", "events", "Pipeline/PipelineChanges/Resource"),
        ("Pipeline/PipelineChanges/Resource", "invokes", "OnPipeline/Resource"),
        ("Repository/Resource", "events", "Repository/OnCommit/Resource"),
        ("Workflow/Resource", "invokes", "StepFunction/Resource"),
        ("Clicks/Resource", "records", "Delivery/Resource"),
        ("Delivery/Resource", "transforms with", "Transform/Resource"),
        ("Delivery/Resource", "delivers", "Archive/Resource"),
        ("Logged/Resource", "logs", "Subscription/Resource"),
        ("Subscription/Resource", "delivers", "LogReader/Resource"),
        ("Users/Resource", "PreSignUp", "SignUp/Resource"),
    ])
    for arrow in arrows:
        assert arrow in diagram.mermaid(), arrow
    assert stack.node.find_child("Unused")  # a role: a detail, not drawn and not listed


def test_a_resource_of_a_kind_without_a_shape_is_listed_under_its_diagram(tmp_path: Path, capsys) -> None:
    template = {"Resources": {
        "Thing": {"Type": "AWS::Lex::Bot", "Metadata": {"aws:cdk:path": "Shop/Assistant/Bot"}},
        "Other": {"Type": "Custom::Inventory", "Metadata": {"aws:cdk:path": "Shop/Inventory/Default"}},
        "Queue": {"Type": "AWS::SQS::Queue", "Metadata": {"aws:cdk:path": "Shop/Orders/Resource"}},
        "Role": {"Type": "AWS::IAM::Role"},
    }}
    diagram = diagram_of("Shop", template)
    assert diagram.undrawn == {"AWS::Lex::Bot": ["Assistant/Bot"], "Custom::Inventory": ["Inventory/Default"]}
    assert markdown(diagram).endswith(
        "```\n\nNot drawn (no shape for their kind yet):\n\n"
        "- `AWS::Lex::Bot`: Assistant/Bot\n- `Custom::Inventory`: Inventory/Default\n")
    (tmp_path / "cdk.out").mkdir()
    (tmp_path / "cdk.out" / "Shop.template.json").write_text(json.dumps(template))
    assert main([str(tmp_path / "cdk.out"), str(tmp_path / "diagrams")]) == 0
    assert "2 resources not drawn, listed under their diagrams" in capsys.readouterr().out
    assert "Not drawn" in (tmp_path / "diagrams" / "Shop.md").read_text()


def test_the_stacks_alarms_are_one_node_with_an_arrow_from_each_function_they_watch() -> None:
    """The stack's alarms over many functions (Metrics Insights queries) are drawn once, named by the metric each
    query selects, with an arrow from every function; before, the first function the query named took them all."""
    from constructs_lib import ServerlessFunction

    stack = Stack(make_app(), "Fleet")
    functions = [ServerlessFunction(stack, name, entry=PLAIN) for name in ("A", "B")]
    source = diagram_of("Fleet", template_of(stack).to_json()).mermaid()
    (node,) = re.findall(r'    (\w+)>"3 alarms: DeadLetterErrors, Errors, Throttles"\]', source)
    for function in functions:
        assert f"{stack.get_logical_id(function.function.node.default_child)} -. alarms .-> {node}" in source
