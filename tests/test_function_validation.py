"""ServerlessFunction's synth-time checks: each names the construct path, the prop, the value and the rule."""

from __future__ import annotations

import re

import pytest
from aws_cdk import CfnParameter, Duration, Size, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from constructs_lib import ConfigurationError, ServerlessFunction
from tests.helpers import PLAIN, make_app, template_of

WHERE = re.escape("ServerlessFunction 'Test/Fn': ")


def layer(stack: Stack, n: int) -> lambda_.ILayerVersion:
    return lambda_.LayerVersion.from_layer_version_arn(
        stack, f"Layer{n}", f"arn:aws:lambda:us-east-1:111111111111:layer:l{n}:1"
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"memory_size": 64}, "memory_size 64 must be between 128 and 10240 MB inclusive"),
        ({"memory_size": 10241}, "memory_size 10241 must be between 128 and 10240 MB inclusive"),
        ({"timeout": Duration.millis(500)}, "timeout 500 millis must be between 1 and 900 seconds"),
        ({"timeout": Duration.minutes(16)}, "timeout 16 minutes must be between 1 and 900 seconds"),
        ({"ephemeral_storage_size": Size.mebibytes(256)}, "ephemeral_storage_size 256 MB must be between 512 and 10240 MB"),
        ({"ephemeral_storage_size": Size.gibibytes(11)}, "ephemeral_storage_size 11264 MB must be between 512 and 10240 MB"),
        ({"environment": {"BIG": "x" * 4090}}, "environment 'of 4100 bytes' exceeds Lambda's limit of 4096 bytes"),
        ({"environment": {"K": "v"}}, "environment 'K' is not a valid variable name"),
        ({"environment": {"MY-VAR": "v"}}, "environment 'MY-VAR' is not a valid variable name"),
        ({"environment": {"AWS_REGION": "eu-west-1"}}, "environment 'AWS_REGION' is reserved by the Lambda runtime"),
        ({"retry_attempts": 3}, "retry_attempts 3 must be between 0 and 2 inclusive"),
        ({"retry_attempts": -1}, "retry_attempts -1 must be between 0 and 2 inclusive"),
        ({"max_event_age": Duration.seconds(59)}, "max_event_age 59 seconds must be between 60 and 21600 seconds"),
        ({"max_event_age": Duration.hours(7)}, "max_event_age 7 hours must be between 60 and 21600 seconds"),
        ({"reserved_concurrency": -1}, "reserved_concurrency -1 must be 0 or more"),
        ({"provisioned_concurrency": 0}, "provisioned_concurrency 0 must be 1 or more"),
        (
            {"reserved_concurrency": 5, "provisioned_concurrency": 6},
            "provisioned_concurrency 6 must not exceed reserved_concurrency (5)",
        ),
        ({"on_failure": "arn:aws:sqs:us-east-1:111111111111:q"}, "on_failure 'str' must be an SQS queue, SNS topic"),
        ({"on_success": 42}, "on_success 'int' must be an SQS queue, SNS topic"),
        ({"function_url_auth": "IAM"}, "function_url_auth 'IAM' must be 'AWS_IAM' or 'NONE'"),
        ({"function_url_auth": "NONE"}, "function_url_auth 'NONE' makes the function callable by anyone"),
        (
            {"function_url_cors": lambda_.FunctionUrlCorsOptions(allowed_origins=["*"])},
            "function_url_cors 'given' needs function_url_auth",
        ),
        ({"handler": "handler"}, "handler 'handler' must be 'module.function'"),
        ({"handler": "missing.handler"}, "handler 'missing.handler' names module 'missing', but"),
        ({"deployment": "canary"},
         "deployment 'canary' must be a Deployment: Deployment.canary(...), .linear(...) or .all_at_once(), given str"),
        ({"function_url_invokers": [iam.AccountPrincipal("111122223333")]},
         "function_url_invokers '1 principals' need function_url_auth='AWS_IAM'"),
        ({"filesystem": "efs"}, "filesystem 'given' needs vpc: EFS is reached in a VPC"),
    ],
)
def test_rule(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ServerlessFunction(stack, "Fn", **{"entry": PLAIN, **props})


def test_layers_at_most_five_with_powertools(stack: Stack) -> None:
    layers = [layer(stack, n) for n in range(5)]
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("layers '6 layers' exceed Lambda's limit of 5")):
        ServerlessFunction(stack, "Fn", entry=PLAIN, layers=layers, powertools=True)


def test_five_layers_are_allowed(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, layers=[layer(stack, n) for n in range(5)])
    (function,) = template_of(stack).find_resources("AWS::Lambda::Function").values()
    assert len(function["Properties"]["Layers"]) == 5


def test_entry_must_exist(stack: Stack, tmp_path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(f"entry '{missing}' must be an existing folder")):
        ServerlessFunction(stack, "Fn", entry=missing)


def test_entry_or_image_exactly_one(stack: Stack) -> None:
    repo = ecr.Repository.from_repository_name(stack, "Repo", "r")
    image = lambda_.Code.from_ecr_image(repo)
    with pytest.raises(ConfigurationError, match=WHERE + "entry .* and image: give exactly one of them"):
        ServerlessFunction(stack, "Fn", entry=PLAIN, image=image)
    with pytest.raises(ConfigurationError, match="'Test/Fn2': entry None and image: give exactly one of them"):
        ServerlessFunction(stack, "Fn2", handler="handler.handler")


def test_image_takes_no_layers(stack: Stack) -> None:
    repo = ecr.Repository.from_repository_name(stack, "Repo", "r")
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("layers '1 layers' cannot be used with a container image")):
        ServerlessFunction(stack, "Fn", image=lambda_.Code.from_ecr_image(repo), powertools=True)


def test_every_error_is_reported_at_once(stack: Stack) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ServerlessFunction(stack, "Fn", entry=PLAIN, memory_size=1, retry_attempts=9, timeout=Duration.hours(1))
    errors = raised.value.errors
    assert len(errors) == 3
    assert [e.split(": ", 1)[1].split(" ")[0] for e in errors] == ["memory_size", "timeout", "retry_attempts"]
    assert stack.node.try_find_child("Fn").node.children == [], "nothing is created when a check fails"


def test_unresolved_tokens_are_not_checked(stack: Stack) -> None:
    def parameter(name: str, default: int) -> float:
        return CfnParameter(stack, name, type="Number", default=default).value_as_number

    # Each value would break a rule if it were checked as a number (tokens look like huge negatives).
    ServerlessFunction(stack, "Fn", entry=PLAIN, memory_size=parameter("Memory", 128),
                       reserved_concurrency=parameter("Reserved", 1), provisioned_concurrency=1,
                       timeout=Duration.seconds(parameter("T", 3)))
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {"MemorySize": {"Ref": "Memory"}})


def test_limits_themselves_are_accepted(stack: Stack) -> None:
    ServerlessFunction(
        stack, "Fn", entry=PLAIN, memory_size=128, timeout=Duration.seconds(1), retry_attempts=0,
        max_event_age=Duration.seconds(60), ephemeral_storage_size=Size.mebibytes(512),
        environment={"KEY": "v" * (4096 - len('{"KEY":""}'))}, reserved_concurrency=1, provisioned_concurrency=1,
    )
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {"MemorySize": 128, "Timeout": 1})


SNAP_START = "is not supported with SnapStart"


@pytest.mark.parametrize(("props", "message"), [
    ({"runtime": lambda_.Runtime.PYTHON_3_11}, f"runtime 'python3.11' {SNAP_START}: it needs Python 3.12 or newer"),
    ({"provisioned_concurrency": 2}, f"provisioned_concurrency 2 {SNAP_START}: use one or the other"),
    ({"ephemeral_storage_size": Size.mebibytes(1024)}, f"ephemeral_storage_size 1024 MB {SNAP_START}: /tmp is at most 512 MB"),
    ({"filesystem": "efs", "vpc": "vpc"}, f"filesystem 'given' {SNAP_START}: EFS cannot be mounted in a snapshot"),
])
def test_snap_start_refuses_what_lambda_refuses(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ServerlessFunction(stack, "Fn", entry=PLAIN, snap_start=True, **props)


def test_snap_start_refuses_container_images(stack: Stack) -> None:
    repo = ecr.Repository.from_repository_name(stack, "Repo", "r")
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(f"image 'given' {SNAP_START}: container images")):
        ServerlessFunction(stack, "Fn", image=lambda_.Code.from_ecr_image(repo), snap_start=True)


@pytest.mark.parametrize("region, name", [("ap-southeast-6", "New Zealand"), ("ap-east-2", "Taipei")])
def test_snap_start_refused_where_lambda_does_not_offer_it(region: str, name: str) -> None:
    stack = Stack(make_app(), "Test", env={"region": region})
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(f"snap_start True is not offered in {region}")
                       + f".*{name}"):
        ServerlessFunction(stack, "Fn", entry=PLAIN, snap_start=True)


def test_snap_start_limits_themselves_are_accepted(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN, snap_start=True, runtime=lambda_.Runtime.PYTHON_3_12,
                       ephemeral_storage_size=Size.mebibytes(512))
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {"SnapStart": {"ApplyOn": "PublishedVersions"}})
