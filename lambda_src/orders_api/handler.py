"""The signed-in user's orders, behind API Gateway with Cognito (HTTP API payload 2.0, or REST API with
API_KIND=rest).

- POST /orders: {"item": "...", "quantity": 1-1000} creates an order of the caller (201, Location). With an
  Idempotency-Key header, repeating the request returns the order it created (200) instead of a second one;
  the same key with another body is refused (409).
- GET /orders/{id}: one of the caller's orders; 404 for any other id, including other users' orders.
- GET /orders: the caller's orders, 50 a page; the answer's "next" is passed back as ?next= for the next page.

The caller is the token's "sub" claim, never a field of the request. Bad input is answered 400 with what is
wrong; nothing a caller sends makes the function fail. Environment: TABLE_NAME (partition key user_id, sort
key order_id), API_KIND ("http" or "rest"); behind a REST API with CORS, CORS_ALLOW_ORIGINS and
CORS_ALLOW_CREDENTIALS (see cors_config).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Optional

import boto3
from boto3.dynamodb.conditions import Key
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import (
    BadRequestError,
    NotFoundError,
    ServiceError,
    UnauthorizedError,
)

logger = Logger()
tracer = Tracer()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
API_KIND = os.environ.get("API_KIND", "http")


# --8<-- [start:cors]
def cors_config() -> Optional[CORSConfig]:
    """CORS on this function's answers behind a REST API, whose Lambda proxy integration leaves them to it:
    ApiFunction(api="rest", cors=...) sets CORS_ALLOW_ORIGINS (comma-separated) and CORS_ALLOW_CREDENTIALS, and
    Powertools answers a request whose Origin is one of them with that origin (and with none otherwise). An HTTP
    API answers CORS itself and sets neither."""
    origins = [origin for origin in os.environ.get("CORS_ALLOW_ORIGINS", "").split(",") if origin]
    if not origins:
        return None
    return CORSConfig(allow_origin=origins[0], extra_origins=origins[1:],
                      allow_credentials=os.environ.get("CORS_ALLOW_CREDENTIALS") == "true")


app = APIGatewayRestResolver(cors=cors_config()) if API_KIND == "rest" else APIGatewayHttpResolver()
# --8<-- [end:cors]

PAGE_SIZE = 50
MAX_ITEM_LENGTH = 200
MAX_QUANTITY = 1000
MAX_KEY_LENGTH = 128
MAX_ID_LENGTH = 64
# Orders made with an Idempotency-Key get an id derived from the caller and the key: a repeat finds it.
ORDER_IDS = uuid.UUID("7b4c2b1e-3f0a-4c55-9d6e-0a9f5d1c2e31")


def caller() -> str:
    """The signed-in user: the token's subject, as API Gateway's authorizer verified it."""
    authorizer = app.current_event.request_context.authorizer
    claims = (authorizer.jwt_claim if API_KIND == "http" else authorizer.claims) if authorizer else None
    subject = (claims or {}).get("sub")
    if not subject:
        raise UnauthorizedError("no signed-in user")
    return subject


def order_request(body: Optional[str]) -> tuple[str, int]:
    """(item, quantity) of a POST body, or BadRequestError saying what is wrong."""
    try:
        data = json.loads(body or "")
    except json.JSONDecodeError as error:
        raise BadRequestError(f"the body is not JSON: {error.msg} at position {error.pos}") from None
    if not isinstance(data, dict):
        raise BadRequestError("the body must be a JSON object with 'item' and 'quantity'")
    item, quantity = data.get("item"), data.get("quantity")
    if not isinstance(item, str) or not item.strip() or len(item) > MAX_ITEM_LENGTH:
        raise BadRequestError(f"'item' must be a non-empty string of at most {MAX_ITEM_LENGTH} characters")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise BadRequestError(f"'quantity' must be a whole number from 1 to {MAX_QUANTITY}")
    return item.strip(), quantity


def idempotency_key() -> Optional[str]:
    key = app.current_event.headers.get("Idempotency-Key")  # case-insensitive
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()):
        raise BadRequestError(f"the Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters")
    return key


def public(order: dict) -> dict:
    """An order as the API shows it (DynamoDB numbers are Decimals)."""
    return {"id": order["order_id"], "item": order["item"], "quantity": int(order["quantity"]),
            "created_at": order["created_at"]}


def json_response(status: int, body: Any, headers: Optional[dict] = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=json.dumps(body), headers=headers)


@app.post("/orders")
@tracer.capture_method
def create_order() -> Response:
    user = caller()
    item, quantity = order_request(app.current_event.decoded_body)
    key = idempotency_key()
    order_id = str(uuid.uuid5(ORDER_IDS, f"{user}/{key}")) if key else str(uuid.uuid4())
    order = {"user_id": user, "order_id": order_id, "item": item, "quantity": Decimal(quantity),
             "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    try:
        table.put_item(Item=order, ConditionExpression="attribute_not_exists(order_id)")
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        existing = table.get_item(Key={"user_id": user, "order_id": order_id}, ConsistentRead=True)["Item"]
        if (existing["item"], int(existing["quantity"])) != (item, quantity):
            raise ServiceError(409, "this Idempotency-Key was used for another order") from None
        logger.info("repeated request", extra={"order_id": order_id})
        return json_response(200, public(existing))
    logger.info("order created", extra={"order_id": order_id})
    return json_response(201, public(order), {"Location": f"/orders/{order_id}"})


@app.get("/orders/<order_id>")
@tracer.capture_method
def get_order(order_id: str) -> Response:
    user = caller()
    if len(order_id) > MAX_ID_LENGTH:
        raise NotFoundError(f"no order {order_id[:MAX_ID_LENGTH]}...")
    found = table.get_item(Key={"user_id": user, "order_id": order_id}).get("Item")
    if found is None:
        raise NotFoundError(f"no order {order_id}")
    return json_response(200, public(found))


@app.get("/orders")
@tracer.capture_method
def list_orders() -> Response:
    user = caller()
    query: dict[str, Any] = {"KeyConditionExpression": Key("user_id").eq(user), "Limit": PAGE_SIZE}
    token = app.current_event.get_query_string_value("next")
    if token is not None:
        query["ExclusiveStartKey"] = {"user_id": user, "order_id": page_start(token)}
    page = table.query(**query)
    last = page.get("LastEvaluatedKey")
    return json_response(200, {"orders": [public(o) for o in page["Items"]],
                               "next": page_token(last["order_id"]) if last else None})


def page_token(order_id: str) -> str:
    return base64.urlsafe_b64encode(order_id.encode()).decode()


def page_start(token: str) -> str:
    """The order id a page token stands for (always read under the caller's own key)."""
    try:
        order_id = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequestError("'next' is not a page token this API gave") from None
    if not order_id or len(order_id) > MAX_ID_LENGTH:
        raise BadRequestError("'next' is not a page token this API gave")
    return order_id


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
