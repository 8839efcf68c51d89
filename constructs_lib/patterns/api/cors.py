"""ApiCors: what browsers on other origins may do with an ApiFunction, checked at synth time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as rest
from aws_cdk import aws_apigatewayv2 as http

from ...core.validation import Checks, seconds_of
from .routes import METHODS, HttpMethod

ORIGIN = re.compile(r"\*|https?://[A-Za-z0-9.-]+(:\d{1,5})?")
# What a REST API's function reads to answer CORS itself (the Lambda proxy integration leaves it the headers):
# the allowed origins, comma-separated, and whether browsers may send credentials ("true" or "false").
ORIGINS_VARIABLE = "CORS_ALLOW_ORIGINS"
CREDENTIALS_VARIABLE = "CORS_ALLOW_CREDENTIALS"
# The gateway responses every other type falls back to (API Gateway, "Gateway response types").
GATEWAY_ERRORS = (rest.ResponseType.DEFAULT_4_XX, rest.ResponseType.DEFAULT_5_XX)


@dataclass(frozen=True)
class ApiCors:
    """What browsers on other origins may do with the API.

    An HTTP API answers CORS itself, on every answer, for each allowed origin. A REST API answers the preflight
    (OPTIONS) itself; its Lambda proxy integration leaves the headers of the function's answers to the function,
    which ApiFunction tells the allowed origins in the environment variables ``CORS_ALLOW_ORIGINS``
    (comma-separated) and ``CORS_ALLOW_CREDENTIALS`` ("true" or "false"); and its own error answers (401, 403,
    429, 5XX: gateway responses) carry one static Access-Control-Allow-Origin: the origin when one is allowed,
    ``*`` when several are (those answers hold only API Gateway's message). Several origins with credentials are
    refused on a REST API: browsers refuse ``*`` with credentials.

    :param allow_origins: e.g. ``["https://app.example.com"]``; ``"*"`` for any origin.
    :param allow_methods: methods of ``api_routes.METHODS`` ("ANY" for all).
    :param allow_headers: request headers the browser may send.
    :param allow_credentials: browsers send cookies and credentials (refused with the origin "*").
    :param max_age: how long a browser may cache the answer, up to 24 hours.
    """

    allow_origins: Sequence[str]
    allow_methods: Sequence[HttpMethod] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    allow_headers: Sequence[str] = ("Authorization", "Content-Type", "Idempotency-Key")
    allow_credentials: bool = False
    max_age: Duration = Duration.hours(1)

    def check(self, checks: Checks, api: str, environment: Mapping[str, str]) -> None:
        checks.require(bool(self.allow_origins), "cors.allow_origins", list(self.allow_origins),
                       "must name at least one origin")
        for origin in self.allow_origins:
            checks.require(bool(ORIGIN.fullmatch(origin)), "cors.allow_origins", origin,
                           "must be '*' or 'https://host[:port]'")
        checks.require(not (self.allow_credentials and "*" in self.allow_origins), "cors.allow_credentials", True,
                       "cannot go with the origin '*': browsers refuse credentials for any origin; name the origins")
        for method in self.allow_methods:
            checks.one_of("cors.allow_methods", method, METHODS)
        checks.within("cors.max_age", self.max_age, 0, 86400, "seconds", seconds_of(self.max_age))
        if api != "rest":
            return
        checks.require(
            not (self.allow_credentials and len(self.allow_origins) > 1), "cors.allow_origins",
            list(self.allow_origins),
            "cannot all be answered with credentials on a REST API: its own error answers (401, 403, 429, 5XX) carry "
            "one static Access-Control-Allow-Origin, and browsers refuse '*' with credentials; name one origin, or "
            "use api='http', which answers each allowed origin",
        )
        for name in (ORIGINS_VARIABLE, CREDENTIALS_VARIABLE):
            checks.require(name not in environment, "environment", name,
                           "is set by ApiFunction from cors= for the function of a REST API: leave it out")

    @property
    def gateway_origin(self) -> str:
        """The Access-Control-Allow-Origin of the REST API's own error answers: gateway responses carry static
        values only, so the one allowed origin, or '*' for several (refused with credentials): those answers hold
        API Gateway's own message, never the function's data."""
        return self.allow_origins[0] if len(self.allow_origins) == 1 else "*"

    def add_gateway_responses(self, api: rest.RestApi) -> list[rest.GatewayResponse]:
        """DEFAULT_4XX and DEFAULT_5XX with the CORS headers, so that browsers can read API Gateway's own answers
        (401 and 403 of the authorizers, 429 of throttling, 5XX) as the HTTP API lets them."""
        headers = {"Access-Control-Allow-Origin": f"'{self.gateway_origin}'"}
        if self.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "'true'"
        return [api.add_gateway_response(kind.response_type, type=kind, response_headers=headers)
                for kind in GATEWAY_ERRORS]

    def handler_environment(self) -> dict[str, str]:
        """The variables that tell a REST API's function which origins to answer (see ORIGINS_VARIABLE)."""
        return {ORIGINS_VARIABLE: ",".join(self.allow_origins),
                CREDENTIALS_VARIABLE: "true" if self.allow_credentials else "false"}

    def for_http_api(self) -> http.CorsPreflightOptions:
        return http.CorsPreflightOptions(
            allow_origins=list(self.allow_origins),
            allow_methods=[http.CorsHttpMethod(m) for m in self.allow_methods],
            allow_headers=list(self.allow_headers), allow_credentials=self.allow_credentials, max_age=self.max_age,
        )

    def for_rest_api(self) -> rest.CorsOptions:
        return rest.CorsOptions(
            allow_origins=list(self.allow_origins),
            allow_methods=["ANY"] if "ANY" in self.allow_methods else list(self.allow_methods),
            allow_headers=list(self.allow_headers), allow_credentials=self.allow_credentials, max_age=self.max_age,
        )
