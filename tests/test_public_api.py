"""What a version promises (CHANGELOG.md, "Versions"): the public API (every name in `constructs_lib.__all__`,
each constructor's keyword names and defaults) and every construct's default logical IDs (a changed ID
replaces a user's resource) are kept in reviewed snapshots, tests/api/*.json. A change fails here until
`python -m pytest tests/test_public_api.py --snapshot-update` rewrites them, which it does only when the
CHANGELOG's "Unreleased" section says so: a bullet naming each changed name and keyword
(`QueueWorker` ... `batch_size`) or construct path (`QueueWorker/Queue`, or `<construct>/Queue`; a construct the
stack shares, outside the construct: `<stack>/FailedEvents/Queue`)."""

from __future__ import annotations

import enum
import inspect
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from aws_cdk import CfnResource, Duration, Environment, Stack, Stage, pipelines
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

import constructs_lib
from constructs_lib.function import options
from tests.helpers import FIXTURES, PLAIN, ROOT, make_app

SNAPSHOTS = Path(__file__).resolve().parent / "api"
CHANGELOG = ROOT / "CHANGELOG.md"


def describe(value: Any) -> Any:
    """A default as JSON that reads the same in every run (no object addresses)."""
    if value is inspect.Parameter.empty:
        return "<required>"
    if repr(value) == "<factory>":  # a dataclass field's default_factory
        return "<factory>"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, (tuple, list)):
        return [describe(item) for item in value]  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, Duration):
        return f"Duration {value.to_human_string()}"
    name = getattr(value, "name", None)
    if isinstance(name, str):  # Runtime, Architecture and the like
        return f"{type(value).__name__} {name}"
    return f"<{type(value).__name__}>"


def parameters(function: Callable[..., Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name in ("self", "scope", "construct_id"):
            continue
        if parameter.kind is parameter.VAR_KEYWORD:  # **function_options: Unpack[SomeOptions]
            typed = re.fullmatch(r"Unpack\[(\w+)\]", str(parameter.annotation))
            keys = sorted(getattr(options, typed.group(1)).__annotations__) if typed else []
            found[f"**{parameter.name}"] = keys
            continue
        found[parameter.name] = describe(parameter.default)
    return found


def public_api() -> dict[str, Any]:
    api: dict[str, Any] = {}
    for name in constructs_lib.__all__:
        value = getattr(constructs_lib, name)
        if inspect.isclass(value):
            api[name] = {"kind": "class", "init": parameters(value.__init__)}
        else:
            api[name] = {"kind": "function", "parameters": parameters(value)}
    return api


def constructs() -> list[str]:
    """The constructs that make resources: a Stage (ServiceStage) holds stacks, and has no logical ID of its own."""
    return [name for name in constructs_lib.__all__
            if inspect.isclass(getattr(constructs_lib, name)) and issubclass(getattr(constructs_lib, name), Construct)
            and not issubclass(getattr(constructs_lib, name), Stage)]


# What each construct needs besides its defaults.
NEEDS: dict[str, Callable[[Stack], dict[str, Any]]] = {
    "AlarmTopic": lambda stack: {}, "FanOut": lambda stack: {}, "ThumbnailPipeline": lambda stack: {},
    "AlbFunction": lambda stack: {"entry": PLAIN, "allow_plain_http": True}, "ApiFunction": lambda stack: {"entry": PLAIN},
    "QueueWorker": lambda stack: {"entry": PLAIN}, "ScheduledFunction": lambda stack: {"entry": PLAIN, "schedule": "rate(1 hour)"},
    "ServerlessFunction": lambda stack: {"entry": PLAIN}, "TopicSubscriber": lambda stack: {"entry": PLAIN},
    "VpcFunction": lambda stack: {"entry": PLAIN},
    "StreamConsumer": lambda stack: {"entry": PLAIN, "table": dynamodb.TableV2(
        stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        dynamo_stream=dynamodb.StreamViewType.NEW_IMAGE)},
    "Dashboard": lambda stack: {"constructs": [constructs_lib.ServerlessFunction(stack, "Function", entry=PLAIN)]},
    "DependencyLayer": lambda stack: {"requirements": FIXTURES / "with_requirements" / "requirements.txt"},
    "EdgeDistribution": lambda stack: {"origin_bucket": s3.Bucket(stack, "Origin", enforce_ssl=True)},
    "FunctionStep": lambda stack: {"function": constructs_lib.ServerlessFunction(
        stack, "Function", entry=PLAIN, no_failure_target="Only the workflow invokes it, synchronously")},
    "Workflow": lambda stack: {"definition": sfn.Pass(stack, "Nothing")},
    "UserPoolTrigger": lambda stack: {"entry": PLAIN, "operation": "pre_sign_up",
                                      "user_pool": cognito.UserPool(stack, "Users")},
    "LogSubscriber": lambda stack: {"entry": PLAIN, "log_group": logs.LogGroup(stack, "Logs")},
    "FirehoseTransform": lambda stack: {"entry": PLAIN},
    "ServiceApi": lambda stack: {},
    "DeliveryPipeline": lambda stack: {"source": pipelines.CodePipelineSource.connection(
        "example-org/app", "main", connection_arn="arn:aws:codeconnections:us-east-1:111111111111:connection/abc")},
}
# What a construct needs once made: a pipeline is built (DeliveryPipeline.build(), after its waves).
FINISH: dict[str, Callable[[Any], object]] = {
    "DeliveryPipeline": lambda pipeline: pipeline.build(),
    # A ServiceApi serves nothing, and fails the synth, without a function.
    "ServiceApi": lambda api: api.add_function("Orders", routes=["GET /orders"], entry=PLAIN),
}
# The environment each construct's stack needs: a region (ALB, Lambda@Edge), and for a pipeline its account too.
ENVIRONMENTS = {"DeliveryPipeline": Environment(account="111111111111", region="us-east-1")}


def logical_ids() -> dict[str, dict[str, str]]:
    """Every construct with its defaults, alone in a stack (in a region) of an app with no context: construct
    path -> logical ID."""
    found: dict[str, dict[str, str]] = {}
    for name in constructs():
        app = make_app()
        stack = Stack(app, "Stack", env=ENVIRONMENTS.get(name, Environment(region="us-east-1")))
        made = getattr(constructs_lib, name)(stack, name, **NEEDS[name](stack))
        FINISH.get(name, lambda _: None)(made)
        template = app.synth().get_stack_by_name("Stack").template
        paths = {stack.resolve(c.logical_id): c.node.path.removeprefix("Stack/") for c in stack.node.find_all()
                 if isinstance(c, CfnResource)}
        found[name] = {paths[logical_id]: logical_id for logical_id in template["Resources"]}
    return found


def unreleased() -> list[str]:
    """The bullets of the CHANGELOG's Unreleased section, each with its continuation lines."""
    section = CHANGELOG.read_text().split("\n## Unreleased", 1)[1].split("\n## ", 1)[0]
    return ["- " + bullet for bullet in re.split(r"\n- ", "\n" + section)[1:]]


def differences(old: dict[str, Any], new: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The keys (as paths) that were added, removed or changed."""
    changed: list[tuple[str, ...]] = []
    for key in sorted(set(old) | set(new)):
        here = (*prefix, key)
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            changed += differences(old[key], new[key], here)
        elif old.get(key, "<absent>") != new.get(key, "<absent>"):
            changed.append(here)
    return changed


def said(change: tuple[str, ...], bullets: list[str]) -> bool:
    """Whether a bullet names the change: the name (and its keyword), or the construct path within it."""
    name, last = change[0], change[-1]
    if "/" in last and not last.startswith(f"{name}/"):  # the stack's, "LibraryAlarms/X/Resource": `<stack>/...`
        rest = last.removesuffix("/Resource")
        return any(name in b and f"<stack>/{rest}" in b for b in bullets)
    if "/" in last:  # a construct path, "Name/Queue/Resource": said as `Name/Queue` or `<construct>/Queue`
        rest = last.removeprefix(f"{name}/").removesuffix("/Resource")
        return any(name in b and (f"{name}/{rest}" in b or f"<construct>/{rest}" in b) for b in bullets)
    return any(name in b and (len(change) == 1 or last in b) for b in bullets)


@pytest.mark.parametrize("snapshot_name,current", [("public_api", public_api), ("logical_ids", logical_ids)])
def test_the_reviewed_snapshot_holds(snapshot_name: str, current: Callable[[], dict[str, Any]],
                                     request: pytest.FixtureRequest) -> None:
    path = SNAPSHOTS / f"{snapshot_name}.json"
    reviewed = json.loads(path.read_text()) if path.is_file() else {}
    now = current()
    changed = differences(reviewed, now)
    if request.config.getoption("--snapshot-update", default=False):
        unsaid = [change for change in changed if not said(change, unreleased())] if reviewed else []
        assert unsaid == [], f"say these in CHANGELOG.md under ## Unreleased before updating: {unsaid}"
        path.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        return
    assert changed == [], (f"{snapshot_name} changed: {changed}. If meant, name each in CHANGELOG.md under "
                           "## Unreleased, then `python -m pytest tests/test_public_api.py --snapshot-update`")


def test_every_construct_is_synthesized_for_the_logical_id_snapshot() -> None:
    assert sorted(NEEDS) == sorted(constructs())


def test_a_change_is_said_only_by_a_bullet_that_names_it() -> None:
    bullets = ["- `QueueWorker`: `batch_size` defaults to 10.", "- Upgrading replaces `<construct>/Failures`."]
    assert said(("QueueWorker", "init", "batch_size"), bullets)
    assert not said(("QueueWorker", "init", "max_concurrency"), bullets)
    assert said(("ScheduledFunction", "ScheduledFunction/Failures/Resource"), ["- ScheduledFunction: " + bullets[1][2:]])
    assert not said(("TopicSubscriber", "TopicSubscriber/Topic/Resource"), bullets)
    shared = ["- `QueueWorker`'s alarms are `<stack>/LibraryAlarms/QueueOldestMessage`'s."]
    assert said(("QueueWorker", "LibraryAlarms/QueueOldestMessage/Resource"), shared)
    assert not said(("QueueWorker", "LibraryAlarms/FunctionErrors/Resource"), shared)
    assert not said(("QueueWorker", "QueueWorker/LibraryAlarms/QueueOldestMessage/Resource"), shared)
    assert differences({"A": {"x": 1}}, {"A": {"x": 2, "y": 3}}) == [("A", "x"), ("A", "y")]


def test_the_changelog_has_a_section_per_version_and_the_version_is_not_behind_it() -> None:
    """`## Unreleased`, then `## X.Y.Z (YYYY-MM-DD)` newest first; a version equal to a released one has
    nothing unreleased (the release commit), any other is newer than every release."""
    text = CHANGELOG.read_text()
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[0] == "Unreleased"
    released = [re.fullmatch(r"(\d+)\.(\d+)\.(\d+) \(\d{4}-\d{2}-\d{2}\)", heading) for heading in headings[1:]]
    assert all(released), headings
    versions = [tuple(int(part) for part in match.groups()) for match in released if match]
    assert versions == sorted(versions, reverse=True)
    version = tuple(int(part) for part in constructs_lib.__version__.split("."))
    assert versions == [] or version >= versions[0]
    if versions and version == versions[0]:
        assert unreleased() == []
    assert "semver.org" in text.split("## Unreleased")[0]
