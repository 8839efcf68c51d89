"""ApiCors: what browsers on other origins may do with an ApiFunction, checked at synth time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as rest
from aws_cdk import aws_apigatewayv2 as http

from ...core.validation import Checks, seconds_of
from .routes import METHODS, HttpMethod

ORIGIN = re.compile(r"\*|https?://[A-Za-z0-9.-]+(:\d{1,5})?")


@dataclass(frozen=True)
class ApiCors:
    """What browsers on other origins may do with the API (the answers to their preflight requests).

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

    def check(self, checks: Checks) -> None:
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
