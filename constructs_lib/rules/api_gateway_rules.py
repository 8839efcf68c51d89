"""Rules of API Gateway that only the first requests reveal."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from ..core.templates import as_list, dig, mapping, ref_of
from .model import HIDES_ERRORS, App, Hit, Rule

ALLOW_ORIGIN = "access-control-allow-origin"
# The fallbacks every gateway response type inherits unless customized (API Gateway, "Gateway response types").
DEFAULT_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")
STATUSES = {"DEFAULT_4XX": "401, 403, 429", "DEFAULT_5XX": "5XX"}


def _headers(parameters: object, prefix: str) -> set[str]:
    """The header names a ResponseParameters mapping sets, lower-cased (e.g. prefix "gatewayresponse.header.")."""
    return {key[len(prefix):].lower() for key in mapping(parameters) or {} if key.lower().startswith(prefix)}


def _preflight_apis(app: App) -> Iterator[tuple[str, str]]:
    """(stack path, REST API) of every REST API with an OPTIONS method whose answer names allowed origins."""
    for stack, _, resource in app.of_type("AWS::ApiGateway::Method"):
        props = mapping(resource.get("Properties")) or {}
        api = ref_of(props.get("RestApiId"))
        if props.get("HttpMethod") != "OPTIONS" or api is None:
            continue
        answers = as_list(dig(props, "Integration", "IntegrationResponses"))
        if any(ALLOW_ORIGIN in _headers(dig(a, "ResponseParameters"), "method.response.header.") for a in answers):
            yield stack.path, api


def cors_on_gateway_errors(app: App) -> Iterator[Hit]:
    covered: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for stack, _, resource in app.of_type("AWS::ApiGateway::GatewayResponse"):
        props = mapping(resource.get("Properties")) or {}
        api = ref_of(props.get("RestApiId"))
        if api and ALLOW_ORIGIN in _headers(props.get("ResponseParameters"), "gatewayresponse.header."):
            covered[(stack.path, api)].add(str(props.get("ResponseType")))
    stacks = {stack.path: stack for stack in app.stacks}
    for path, api in sorted(set(_preflight_apis(app))):
        missing = [kind for kind in DEFAULT_RESPONSES if kind not in covered[(path, api)]]
        if missing:
            yield Hit(stacks[path], api,
                      f"answers browsers' preflight requests with Access-Control-Allow-Origin, but its "
                      f"{' and '.join(missing)} gateway responses carry none: API Gateway's own "
                      f"{', '.join(STATUSES[kind] for kind in missing)} answers reach browsers as CORS failures")


def rules() -> list[Rule]:
    return [
        Rule("DR-APIGW-CORS-ERRORS", HIDES_ERRORS,
             "A REST API's own answers (gateway responses: 401 and 403 of its authorizers, 429 of throttling, 5XX) "
             "carry no CORS headers unless its DEFAULT_4XX and DEFAULT_5XX gateway responses add them: a browser "
             "then reports an opaque CORS failure, and the page never sees the status.",
             "https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-cors-console.html",
             "Add gateway responses DEFAULT_4XX and DEFAULT_5XX with Access-Control-Allow-Origin (RestApi."
             "add_gateway_response(type=ResponseType.DEFAULT_4XX, response_headers={'Access-Control-Allow-Origin': "
             "\"'https://app.example.com'\"}), and the same for DEFAULT_5XX).", cors_on_gateway_errors),
    ]
