"""Type checkers see every construct option, passed-through function options included: pyright reports each
mistake planted in a small user app, at its line, and nothing else; and the library itself passes pyright's
strict mode."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, get_type_hints

import pytest

from constructs_lib import FanOut, QueueWorker, ServerlessFunction
from constructs_lib.function import options as function_options
from constructs_lib.function.options import FunctionOptions, QueueWorkerFunctionOptions
from constructs_lib.patterns.queue_worker import QueueWorkerOptions
from constructs_lib.function.pattern_options import keyword_options
from tests.helpers import ROOT

VPC_OPTIONS = {"vpc", "vpc_subnets", "security_groups", "filesystem"}
USER_APP = '''
from aws_cdk import App, Duration, Stack
from constructs_lib import (
    ApiCors, ApiFunction, FanOut, QueueWorker, ScheduledFunction, ServerlessFunction, ThumbnailPipeline,
)

app = App()
stack = Stack(app, "Orders")
QueueWorker(stack, "Worker", entry="handlers/worker", batch_size=5, memory_size=512)
QueueWorker(stack, "OwnQueue", entry="handlers/worker", dead_letter_queue=None, retry_attempts=0)
QueueWorker(stack, "Typo", entry="handlers/worker", batchsize=5)  # MISTAKE
ScheduledFunction(stack, "Nightly", schedule="rate(1 day)", entry="handlers/job", memory_size="512")  # MISTAKE
ScheduledFunction(stack, "Hourly", schedule="rate(1 hour)", entry="handlers/job", timeout=Duration.seconds(30))
ScheduledFunction(stack, "Paris", schedule="cron(0 3 * * ? *)", entry="handlers/job", via="scheduler")
ScheduledFunction(stack, "Typo2", schedule="rate(1 day)", entry="handlers/job", via="schedular")  # MISTAKE
ServerlessFunction(stack, "Fn", entry="handlers/job", timeout=1000)  # MISTAKE
ServerlessFunction(stack, "Url", entry="handlers/job", function_url_auth="AWS_IAM")
ServerlessFunction(stack, "Url2", entry="handlers/job", function_url_auth="IAM")  # MISTAKE
ThumbnailPipeline(stack, "Thumbs", sizes=128)  # MISTAKE
ThumbnailPipeline(stack, "Thumbs2", sizes=[128, 512], memmory_size=1024)  # MISTAKE
ThumbnailPipeline(stack, "Thumbs3", via="queue", batch_size=5)
ThumbnailPipeline(stack, "Thumbs4", via="queues")  # MISTAKE
ApiFunction(stack, "Api", entry="handlers/api", api="rest", auth="iam", cors=ApiCors(allow_origins=["*"]))
ApiFunction(stack, "Api2", entry="handlers/api", api="graphql")  # MISTAKE
ApiFunction(stack, "Api3", entry="handlers/api", auth="IAM")  # MISTAKE
ApiCors(allow_origins=["*"], allow_methods=["get"])  # MISTAKE
uploads = FanOut(stack, "Uploads")
uploads.add_worker("Catalog", entry="handlers/catalog", batch_size=5, max_concurrency=2, memory_size=256)
uploads.add_worker("Typo", entry="handlers/catalog", batchsize=5)  # MISTAKE
uploads.add_worker("Typed", entry="handlers/catalog", max_receive_count="3")  # MISTAKE
'''


def test_function_options_are_exactly_those_of_serverless_function() -> None:
    assert set(get_type_hints(FunctionOptions)) == set(keyword_options(ServerlessFunction.__init__))


def test_a_fan_out_worker_takes_queue_worker_options_typed_as_queue_worker_takes_them() -> None:
    """FanOut.add_worker's options are QueueWorkerOptions: QueueWorker's own, with their types, and its function's."""
    own = {name: hint for name, hint in get_type_hints(QueueWorker.__init__).items()
           if name in keyword_options(QueueWorker.__init__)}
    options = get_type_hints(QueueWorkerOptions)
    assert {name: options[name] for name in own} == own
    assert set(options) - set(own) == set(get_type_hints(QueueWorkerFunctionOptions))
    assert str(inspect.signature(FanOut.add_worker).parameters["worker_options"].annotation) == \
        "Unpack[QueueWorkerOptions]"


def test_pyright_reports_each_planted_mistake_and_nothing_else(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(USER_APP)
    # The checkout on the path: pyright does not follow the editable install's import hook.
    config = {"typeCheckingMode": "standard", "extraPaths": [str(ROOT)], "include": ["app.py"]}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pyright"), "--outputjson", "--pythonpath", sys.executable],
        cwd=tmp_path, capture_output=True, text=True,
    )
    report = json.loads(result.stdout)
    error_lines = sorted({d["range"]["start"]["line"] + 1 for d in report["generalDiagnostics"]
                          if d["severity"] == "error"})
    planted = [number for number, line in enumerate(USER_APP.splitlines(), start=1) if "# MISTAKE" in line]
    assert error_lines == planted, json.dumps(report["generalDiagnostics"], indent=1)


def test_every_pattern_types_its_pass_through_options() -> None:
    import constructs_lib

    for name in constructs_lib.__all__:
        construct = getattr(constructs_lib, name)
        if not inspect.isclass(construct) or "__init__" not in vars(construct):
            continue
        parameters = inspect.signature(construct.__init__).parameters
        for parameter in parameters.values():
            if parameter.kind is parameter.VAR_KEYWORD and parameter.name == "function_options":
                typed = re.fullmatch(r"Unpack\[(\w+)\]", str(parameter.annotation))
                assert typed, name
                # Function options, none the pattern takes itself under the same name; all but those and the
                # VPC ones, which patterns that place their function (or need no VPC) refuse.
                passed = set(get_type_hints(getattr(function_options, typed.group(1))))
                left_out = set(get_type_hints(FunctionOptions)) - passed
                assert not passed & set(parameters), name
                assert left_out <= set(parameters) | VPC_OPTIONS, name


def test_the_library_passes_pyright_strict(pyright_report: dict[str, Any]) -> None:
    config = json.loads((ROOT / "pyrightconfig.json").read_text())
    assert config["typeCheckingMode"] == "strict"
    report = pyright_report  # run by conftest, beside the other tests
    errors = [f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
              for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert errors == []
    # Every module of the package, handlers and the starter's app and tests included.
    modules = list((ROOT / "constructs_lib").rglob("*.py"))
    assert report["summary"]["filesAnalyzed"] == len(modules)


def test_cfn_resource_checks_the_kind_of_the_resource() -> None:
    from aws_cdk import App, Stack
    from aws_cdk import aws_s3 as s3
    from aws_cdk import aws_sqs as sqs

    from constructs_lib.core.jsii_types import cfn_resource

    bucket = s3.Bucket(Stack(App(), "S"), "B")
    assert cfn_resource(bucket, s3.CfnBucket).node.path == "S/B/Resource"
    with pytest.raises(TypeError, match="S/B: its resource is a CfnBucket, not a CfnQueue"):
        cfn_resource(bucket, sqs.CfnQueue)
