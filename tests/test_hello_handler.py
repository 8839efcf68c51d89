"""The demo handler behind the function URL."""

from __future__ import annotations

import json

import pytest

from tests.handlers import Context, load_handler
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def hello():
    return load_handler(ROOT / "lambda_src" / "hello" / "handler.py", "hello_handler")


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
