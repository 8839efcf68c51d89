"""The demo handler behind the function URL."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass

import pytest

from tests.helpers import ROOT


@dataclass
class Context:
    function_name: str = "hello"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:111111111111:function:hello"
    aws_request_id: str = "req-1"


@pytest.fixture(scope="module")
def hello():
    spec = importlib.util.spec_from_file_location("hello_handler", ROOT / "lambda_src" / "hello" / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_greets_by_query_parameter(hello) -> None:
    response = hello.handler({"queryStringParameters": {"name": "Ada"}}, Context())
    assert response == {"statusCode": 200, "body": json.dumps({"message": "Hello, Ada!"})}


def test_greets_the_world_by_default(hello) -> None:
    assert json.loads(hello.handler({}, Context())["body"]) == {"message": "Hello, world!"}


def test_bad_name_is_a_logged_400(caplog, hello) -> None:
    response = hello.handler({"name": ["not", "a", "string"]}, Context())
    assert response["statusCode"] == 400
    assert "error" in json.loads(response["body"])
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("WARNING", "rejected name")]
