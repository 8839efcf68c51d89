"""The orders API handler against moto's DynamoDB, with the events API Gateway sends: HTTP API payload 2.0
with a JWT authorizer, and REST API (v1) with a Cognito user pools authorizer."""

from __future__ import annotations

import base64
import json
import os
from typing import Any, Optional
from urllib.parse import urlencode

import boto3
import pytest

from tests.handlers import Context, load_handler, moto_aws, on_demand_table
from tests.helpers import ROOT

TABLE = "api-orders"  # moto keeps one state per process: a name no other test uses
HANDLER = ROOT / "lambda_src" / "orders_api" / "handler.py"


ORIGINS = ["https://app.example.com", "https://admin.example.com"]


@pytest.fixture(scope="module")
def handlers():
    """The handler loaded three times: as the HTTP API's function, as the REST API's, and as the function of a
    REST API with CORS, with the variables ApiFunction sets."""
    with moto_aws(TABLE_NAME=TABLE, POWERTOOLS_SERVICE_NAME="orders-api"):
        on_demand_table(TABLE, "user_id", "order_id")
        loaded = {}
        for kind in ("http", "rest"):
            os.environ["API_KIND"] = kind
            loaded[kind] = load_handler(HANDLER, f"orders_api_{kind}")
        os.environ.update(CORS_ALLOW_ORIGINS=",".join(ORIGINS), CORS_ALLOW_CREDENTIALS="false")
        loaded["rest_cors"] = load_handler(HANDLER, "orders_api_rest_cors")
        yield loaded, boto3.resource("dynamodb").Table(TABLE)


def http_event(method: str, path: str, sub: Optional[str], body: Optional[str] = None,
               headers: Optional[dict] = None, query: Optional[dict] = None) -> dict:
    """An HTTP API event, payload format 2.0, after a JWT authorizer (API Gateway developer guide,
    "Create AWS Lambda proxy integrations for HTTP APIs")."""
    context: dict[str, Any] = {
        "accountId": "111122223333", "apiId": "a1b2c3", "domainName": "a1b2c3.execute-api.us-east-1.amazonaws.com",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1",
                 "userAgent": "tests"},
        "requestId": "req-1", "routeKey": "$default", "stage": "$default", "time": "24/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1795528800000,
    }
    if sub is not None:
        context["authorizer"] = {"jwt": {"claims": {"sub": sub, "token_use": "id"}, "scopes": None}}
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": urlencode(query or {}),
        "headers": {"content-type": "application/json", **(headers or {})}, "queryStringParameters": query,
        "requestContext": context, "body": body, "isBase64Encoded": False,
    }


def rest_event(method: str, path: str, sub: Optional[str], body: Optional[str] = None,
               headers: Optional[dict] = None, query: Optional[dict] = None) -> dict:
    """A REST API Lambda proxy event after a Cognito user pools authorizer."""
    context: dict[str, Any] = {
        "accountId": "111122223333", "apiId": "a1b2c3", "httpMethod": method, "path": f"/prod{path}",
        "stage": "prod", "requestId": "req-1", "resourcePath": path, "identity": {"sourceIp": "192.0.2.1"},
    }
    if sub is not None:
        context["authorizer"] = {"claims": {"sub": sub, "token_use": "id"}}
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return {
        "resource": path, "path": path, "httpMethod": method, "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()}, "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None, "stageVariables": None, "requestContext": context, "body": body,
        "isBase64Encoded": False,
    }


EVENTS = {"http": http_event, "rest": rest_event, "rest_cors": rest_event}


def call(handlers, kind: str, method: str, path: str, sub: Optional[str] = "user-1", body: Any = None,
         **options: Any) -> tuple[int, Any, dict]:
    loaded, _ = handlers
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    response = loaded[kind].handler(EVENTS[kind](method, path, sub, text, **options), Context())
    headers = {**{k: v[0] for k, v in (response.get("multiValueHeaders") or {}).items()},  # REST answers
               **(response.get("headers") or {})}
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None, headers


@pytest.mark.parametrize("kind", ["http", "rest"])
def test_create_read_and_list_orders(handlers, kind: str) -> None:
    user = f"{kind}-buyer"
    status, created, headers = call(handlers, kind, "POST", "/orders", user, {"item": "tea", "quantity": 2})
    assert status == 201 and created["item"] == "tea" and created["quantity"] == 2
    assert headers["Location"] == f"/orders/{created['id']}"
    status, found, _ = call(handlers, kind, "GET", f"/orders/{created['id']}", user)
    assert status == 200 and found == created
    status, listed, _ = call(handlers, kind, "GET", "/orders", user)
    assert status == 200 and listed == {"orders": [created], "next": None}


@pytest.mark.parametrize("kind", ["http", "rest"])
def test_a_repeated_post_with_the_same_key_creates_one_order(handlers, kind: str) -> None:
    user = f"{kind}-repeater"
    order = {"item": "coffee", "quantity": 1}
    first = call(handlers, kind, "POST", "/orders", user, order, headers={"Idempotency-Key": "k-1"})
    again = call(handlers, kind, "POST", "/orders", user, order, headers={"Idempotency-Key": "k-1"})
    assert (first[0], again[0]) == (201, 200) and first[1] == again[1]
    other = call(handlers, kind, "POST", "/orders", user, {"item": "milk", "quantity": 1},
                 headers={"Idempotency-Key": "k-1"})
    assert other[0] == 409 and "another order" in other[1]["message"]
    _, table = handlers
    assert table.query(KeyConditionExpression="user_id = :u", ExpressionAttributeValues={":u": user})["Count"] == 1
    # Another user's same key is another order.
    assert call(handlers, kind, "POST", "/orders", f"{user}-2", order, headers={"Idempotency-Key": "k-1"})[0] == 201


def test_behind_a_rest_api_with_cors_it_answers_the_allowed_origins(handlers) -> None:
    """A REST API's Lambda proxy integration leaves CORS on the function's answers to the function: each allowed
    origin is answered with itself, on errors of the handler's own too; another origin gets no CORS header."""
    for origin in ORIGINS:
        status, _, headers = call(handlers, "rest_cors", "GET", "/orders", "cors-user", headers={"Origin": origin})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == origin
        assert "Access-Control-Allow-Credentials" not in headers
    status, _, headers = call(handlers, "rest_cors", "GET", "/orders/nope", "cors-user",
                              headers={"Origin": ORIGINS[0]})
    assert status == 404 and headers["Access-Control-Allow-Origin"] == ORIGINS[0]
    for kind, origin in (("rest_cors", "https://elsewhere.example.com"), ("rest", ORIGINS[0])):
        status, _, headers = call(handlers, kind, "GET", "/orders", "cors-user", headers={"Origin": origin})
        assert status == 200 and not any(h.lower().startswith("access-control-") for h in headers)


def test_users_see_only_their_own_orders(handlers) -> None:
    _, created, _ = call(handlers, "http", "POST", "/orders", "alice", {"item": "book", "quantity": 1})
    status, body, _ = call(handlers, "http", "GET", f"/orders/{created['id']}", "mallory")
    assert status == 404 and body["message"] == f"no order {created['id']}"
    assert call(handlers, "http", "GET", "/orders", "mallory")[1] == {"orders": [], "next": None}
    # A body cannot name the owner: the token's subject is the owner.
    _, sneaky, _ = call(handlers, "http", "POST", "/orders", "mallory",
                        {"item": "book", "quantity": 1, "user_id": "alice"})
    assert call(handlers, "http", "GET", f"/orders/{sneaky['id']}", "alice")[0] == 404


@pytest.mark.parametrize("kind", ["http", "rest"])
@pytest.mark.parametrize(("body", "message"), [
    (None, "the body is not JSON: Expecting value at position 0"),
    ("{not json", "the body is not JSON: Expecting property name enclosed in double quotes at position 1"),
    ([1, 2], "the body must be a JSON object with 'item' and 'quantity'"),
    ({"quantity": 1}, "'item' must be a non-empty string of at most 200 characters"),
    ({"item": "   ", "quantity": 1}, "'item' must be a non-empty string of at most 200 characters"),
    ({"item": "x" * 201, "quantity": 1}, "'item' must be a non-empty string of at most 200 characters"),
    ({"item": "tea"}, "'quantity' must be a whole number from 1 to 1000"),
    ({"item": "tea", "quantity": 0}, "'quantity' must be a whole number from 1 to 1000"),
    ({"item": "tea", "quantity": 1001}, "'quantity' must be a whole number from 1 to 1000"),
    ({"item": "tea", "quantity": "3"}, "'quantity' must be a whole number from 1 to 1000"),
    ({"item": "tea", "quantity": True}, "'quantity' must be a whole number from 1 to 1000"),
    ({"item": "tea", "quantity": 1.5}, "'quantity' must be a whole number from 1 to 1000"),
])
def test_bad_input_is_answered_400_and_nothing_is_stored(handlers, kind: str, body: Any, message: str) -> None:
    user = f"{kind}-careless"
    status, answer, _ = call(handlers, kind, "POST", "/orders", user, body)
    assert status == 400 and answer["message"] == message
    assert call(handlers, kind, "GET", "/orders", user)[1]["orders"] == []


@pytest.mark.parametrize(("options", "message"), [
    ({"headers": {"Idempotency-Key": "k" * 129}}, "the Idempotency-Key header must be 1 to 128 printable characters"),
    ({"headers": {"Idempotency-Key": "a\tb"}}, "the Idempotency-Key header must be 1 to 128 printable characters"),
])
def test_a_bad_idempotency_key_is_answered_400(handlers, options: dict, message: str) -> None:
    status, answer, _ = call(handlers, "http", "POST", "/orders", "keyholder", {"item": "tea", "quantity": 1},
                             **options)
    assert status == 400 and answer["message"] == message


TOO_LONG = base64.urlsafe_b64encode(b"x" * 65).decode()


@pytest.mark.parametrize("token", ["%%%", TOO_LONG, ""])
def test_a_bad_page_token_is_answered_400(handlers, token: str) -> None:
    status, answer, _ = call(handlers, "http", "GET", "/orders", "pager", query={"next": token})
    assert status == 400 and answer["message"] == "'next' is not a page token this API gave"


def test_pages_of_fifty(handlers) -> None:
    for n in range(55):
        call(handlers, "http", "POST", "/orders", "collector", {"item": f"card {n}", "quantity": 1})
    _, first, _ = call(handlers, "http", "GET", "/orders", "collector")
    assert len(first["orders"]) == 50 and first["next"]
    _, second, _ = call(handlers, "http", "GET", "/orders", "collector", query={"next": first["next"]})
    assert len(second["orders"]) == 5 and second["next"] is None
    ids = {o["id"] for o in first["orders"]} | {o["id"] for o in second["orders"]}
    assert len(ids) == 55


@pytest.mark.parametrize("kind", ["http", "rest"])
def test_without_a_signed_in_user_nothing_is_answered(handlers, kind: str) -> None:
    status, answer, _ = call(handlers, kind, "GET", "/orders", None)
    assert status == 401 and answer["message"] == "no signed-in user"


def test_an_unknown_route_is_404(handlers) -> None:
    assert call(handlers, "http", "DELETE", "/orders", "user-1")[0] == 404
    assert call(handlers, "http", "GET", f"/orders/{'x' * 65}", "user-1")[0] == 404
