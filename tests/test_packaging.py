"""`make dist` builds an sdist and a wheel that an index would accept; installed, the wheel gives a typed
constructs_lib that depends only on aws-cdk-lib and constructs (the gates' and local invoke's tools are extras)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import constructs_lib
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def wheel(dist: Path) -> zipfile.ZipFile:
    (path,) = dist.glob("constructs_lib-*.whl")
    return zipfile.ZipFile(path)


def test_the_distributions_pass_twine_check_and_carry_the_one_version(dist: Path) -> None:
    """What an index would refuse (metadata, the README's rendering) fails `twine check --strict`."""
    files = sorted(dist.iterdir())
    assert [f.name for f in files] == [f"constructs_lib-{constructs_lib.__version__}-py3-none-any.whl",
                                       f"constructs_lib-{constructs_lib.__version__}.tar.gz"]
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2
    with tarfile.open(files[1]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "constructs_lib/cli/settings/cfnlintrc.yaml"} <= names


def test_wheel_holds_the_typed_library_only(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "constructs_lib/py.typed" in names
    assert "constructs_lib/function/serverless_function.py" in names
    # The handler ThumbnailPipeline owns ships with it, so the construct works after `pip install`.
    assert "constructs_lib/handlers/thumbnail/handler.py" in names
    assert "constructs_lib/handlers/thumbnail/requirements.txt" in names
    # So do the CodeDeploy hooks that Deployment(pre_traffic_hook=True, ...) uses.
    for hook in ("pre_traffic.py", "post_traffic.py", "report.py"):
        assert f"constructs_lib/handlers/deploy_hooks/{hook}" in names
    # And DeployRules, for apps that use none of the constructs.
    for module in ("__init__", "model", "targets", "policies", "lambda_rules", "edge_rules", "notifications",
                   "delivery_rules"):
        assert f"constructs_lib/rules/{module}.py" in names
    # And the diagram tool, the gates with their settings and local invoke, for users' own apps.
    for module in ("diagrams.py", "gates.py", "local.py", "cli/settings/cfnlintrc.yaml",
                   "cli/settings/checkov-requirements.txt", "cli/local/events.py"):
        assert f"constructs_lib/{module}" in names
    # And the s3_records module of FanOut's (and queued thumbnails') layer.
    assert "constructs_lib/handlers/s3_records/python/s3_records.py" in names
    top_level = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_level == {"constructs_lib"}


def test_runtime_dependencies_are_ranges_of_cdk_only(wheel: zipfile.ZipFile) -> None:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line.split(": ", 1)[1]
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    ]
    assert sorted(r.split(">")[0].split("<")[0].split("=")[0].strip() for r in requires) == [
        "aws-cdk-lib", "constructs",
    ]
    assert all("==" not in r and "<" in r and ">=" in r for r in requires), requires
    extras = {line.split(": ", 1)[1] for line in wheel.read(metadata).decode().splitlines()
              if line.startswith("Provides-Extra: ")}
    assert {"gates", "local"} <= extras


USER_APP = """
import constructs_lib
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_sns as sns
from constructs_lib.rules import DeployRules

print("installed at", constructs_lib.__file__)
app = App()
stack = Stack(app, "Orders")
alarm = cloudwatch.Alarm(stack, "Errors", threshold=1, evaluation_periods=1,
                         metric=cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors"))
alarm.add_alarm_action(actions.SnsAction(sns.Topic(stack, "Alarms", enforce_ssl=True)))
Validations.of(app).add_plugins(DeployRules(app))
app.synth()
"""


@pytest.fixture(scope="module")
def installed(wheel: zipfile.ZipFile, tmp_path_factory) -> Path:
    """The wheel installed in a folder of its own: what `pip install` gives a user's app."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check",
                    "--target", str(target), wheel.filename], check=True, capture_output=True)
    return target


def run_app(installed: Path, source: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`source` run as a user's app in `cwd`, with only the installed package (and aws-cdk-lib) to import."""
    env = {**os.environ, "PYTHONPATH": str(installed),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([sys.executable, "-c", source, *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_deploy_rules_work_from_the_installed_wheel(installed: Path, tmp_path) -> None:
    """An app of plain aws-cdk-lib constructs, with only the installed package on its path: its synth fails
    on the rule it breaks."""
    result = run_app(installed, USER_APP, tmp_path)
    assert f"installed at {installed}" in result.stdout
    assert result.returncode != 0
    assert "Acknowledge with 'DeployRules::DR-SNS-CLOUDWATCH'" in result.stdout + result.stderr


API_APP = """
import sys
import constructs_lib
from aws_cdk import App, Stack, Validations
from constructs_lib import ApiFunction

print("installed at", constructs_lib.__file__)
from constructs_lib.rules import DeployRules

app = App(context={"aws:cdk:bundling-stacks": []})
for api in ("http", "rest"):
    for auth in ("cognito", "iam", "none"):
        ApiFunction(Stack(app, f"{api}-{auth}"), "Api", api=api, auth=auth, allow_public_api=auth == "none",
                    entry=sys.argv[1], routes=["GET /orders", "POST /orders"])
Validations.of(app).add_plugins(DeployRules(app))
print(sorted(s.stack_name for s in app.synth().stacks))
"""


def test_api_function_works_from_the_installed_wheel(installed: Path, tmp_path) -> None:
    """A new app elsewhere, with only the installed package: every api x auth combination synthesizes."""
    handler = tmp_path / "handler"
    handler.mkdir()
    (handler / "handler.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    result = run_app(installed, API_APP, tmp_path, str(handler))
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"installed at {installed}" in result.stdout
    assert "['http-cognito', 'http-iam', 'http-none', 'rest-cognito', 'rest-iam', 'rest-none']" in result.stdout


MESSAGING_APP = """
import sys
from pathlib import Path
import constructs_lib
from aws_cdk import App, Stack, Validations
from constructs_lib import DependencyLayer, FanOut, ServerlessFunction, ThumbnailPipeline, TopicSubscriber
from constructs_lib.rules import DeployRules

print("installed at", constructs_lib.__file__)
app = App(context={"aws:cdk:bundling-stacks": []})
stack = Stack(app, "Messaging")
fan = FanOut(stack, "Uploads", suffixes=[".csv"])
fan.add_worker("Worker", entry=sys.argv[1])
TopicSubscriber(stack, "Notices", entry=sys.argv[1])
layer = DependencyLayer(stack, "Layer", requirements=Path(sys.argv[1]) / "requirements.txt")
ServerlessFunction(stack, "Layered", entry=sys.argv[1], layers=[layer])
ThumbnailPipeline(stack, "Thumbnails", via="queue")
Validations.of(app).add_plugins(DeployRules(app))
template = app.synth().get_stack_by_name("Messaging").template
print(sorted({r["Type"] for r in template["Resources"].values() if r["Type"].startswith(("AWS::SNS", "AWS::Lambda::L"))}))
"""


def test_fan_out_subscribers_layers_and_queued_thumbnails_work_from_the_installed_wheel(installed: Path,
                                                                                        tmp_path) -> None:
    """The s3_records layer and the thumbnail handler ship in the wheel: constructs that use them build."""
    handler = tmp_path / "handler"
    handler.mkdir()
    (handler / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    (handler / "requirements.txt").write_text("PyYAML==6.0.3\n")
    result = run_app(installed, MESSAGING_APP, tmp_path, str(handler))
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"installed at {installed}" in result.stdout
    assert "['AWS::Lambda::LayerVersion', 'AWS::SNS::Subscription', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy']" in \
        result.stdout


DIAGRAM_APP = """
import sys
from aws_cdk import App, Stack
from constructs_lib import QueueWorker

app = App(outdir=sys.argv[2], context={"aws:cdk:bundling-stacks": []})
QueueWorker(Stack(app, "Orders"), "Worker", entry=sys.argv[1])
app.synth()
"""


def test_diagrams_of_a_users_app_from_the_installed_wheel(installed: Path, tmp_path) -> None:
    """`python -m constructs_lib.diagrams cdk.out OUT` draws a user's own stacks."""
    handler = tmp_path / "handler"
    handler.mkdir()
    (handler / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    synth = run_app(installed, DIAGRAM_APP, tmp_path, str(handler), str(tmp_path / "cdk.out"))
    assert synth.returncode == 0, synth.stderr
    env = {**os.environ, "PYTHONPATH": str(installed),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    drawn = subprocess.run([sys.executable, "-m", "constructs_lib.diagrams", "cdk.out", "diagrams"], cwd=tmp_path,
                           env=env, capture_output=True, text=True)
    assert drawn.returncode == 0, drawn.stderr
    diagram = (tmp_path / "diagrams" / "Orders.md").read_text()
    assert "flowchart" in diagram and "event source mapping --> WorkerFunction" in diagram


def test_the_starter_uses_the_projects_feature_flags_and_cli() -> None:
    starter = ROOT / "constructs_lib" / "cli" / "starter_app"
    demo_context = json.loads((ROOT / "cdk.json").read_text())["context"]
    flags = {key: value for key, value in demo_context.items() if key.startswith("@aws-cdk")}
    assert json.loads((starter / "cdk.json").read_text())["context"] == flags
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]  # (mermaid: our docs')
    assert json.loads((starter / "package.json").read_text())["devDependencies"] == {"aws-cdk": pinned}


def test_the_starter_type_checks_strictly_in_its_make_test() -> None:
    """Its pyrightconfig.json is strict over the app, its handlers and its tests; `make test` runs pyright first."""
    starter = ROOT / "constructs_lib" / "cli" / "starter_app"
    config = json.loads((starter / "pyrightconfig.json").read_text())
    assert config["typeCheckingMode"] == "strict" and set(config["include"]) == {"app.py", "handlers", "tests"}
    test_recipe = (starter / "Makefile").read_text().split("\ntest: install\n", 1)[1].split("\n\n", 1)[0]
    assert test_recipe.splitlines()[0] == "\t$(BIN)/pyright"
    assert any(line.startswith("pyright") for line in (starter / "requirements.txt").read_text().splitlines())
