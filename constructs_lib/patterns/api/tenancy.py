"""A REST API in front of a tenant-isolated function (Lambda developer guide, "Invoking Lambda functions with
tenant isolation"): API Gateway maps a value of the client's request onto the X-Amz-Tenant-Id header of its
Invoke call. An HTTP API cannot set that header, so ApiFunction refuses tenancy with api="http".

The value comes from a parameter mapping expression (API Gateway developer guide, "Parameter mapping source
reference for REST APIs"): a header, query string or path parameter of the request, a context variable
(``context.authorizer.claims.sub``: the Cognito user, which the client cannot choose) or a stage variable."""

from __future__ import annotations

import re
from typing import Any, Sequence

from aws_cdk import aws_apigateway as rest
from constructs import Construct

from ...core.validation import Checks
from ...function.tenancy import TENANT_ID_HEADER
from .routes import Route

DEFAULT_TENANT_ID_FROM = "method.request.header.x-tenant-id"
MAPPING_EXPRESSION = re.compile(r"[a-zA-Z0-9._$-]+")
REQUEST_SOURCES = ("method.request.header.", "method.request.querystring.", "method.request.path.")
SOURCES = (*REQUEST_SOURCES, "context.", "stageVariables.")


def check_tenant_id_from(checks: Checks, tenancy: object, tenant_id_from: str, routes: Sequence[Route]) -> None:
    """A mapping expression API Gateway accepts, given only with tenancy; a path parameter every route has."""
    if tenancy is None:
        checks.require(
            tenant_id_from == DEFAULT_TENANT_ID_FROM, "tenant_id_from", tenant_id_from,
            "applies only with tenancy='per_tenant'",
        )
        return
    prefix = next((source for source in SOURCES if tenant_id_from.startswith(source)), None)
    if not MAPPING_EXPRESSION.fullmatch(tenant_id_from) or prefix is None or tenant_id_from == prefix:
        checks.fail(
            "tenant_id_from", tenant_id_from,
            "must be an API Gateway mapping expression: method.request.header.NAME, method.request.querystring.NAME, "
            "method.request.path.NAME, context.NAME or stageVariables.NAME (letters, digits, '.', '_', '$', '-')",
        )
        return
    if prefix == "method.request.path.":
        name = tenant_id_from[len(prefix):]
        missing = [route.path for route in routes if f"{{{name}}}" not in route.path and f"{{{name}+}}" not in route.path]
        checks.require(
            not missing, "tenant_id_from", tenant_id_from,
            f"names a path parameter that routes {', '.join(missing)} do not have",
        )


def tenant_id_integration(tenant_id_from: str) -> dict[str, str]:
    """The integration's request parameters: the client's value onto Lambda's tenant id header."""
    return {f"integration.request.header.{TENANT_ID_HEADER}": tenant_id_from}


def tenant_id_method_options(scope: Construct, api: rest.RestApi, tenant_id_from: str) -> dict[str, Any]:
    """What each method declares: a request value it maps must be declared, and is required (API Gateway answers
    400 without it, through a validator of request parameters), so that no request reaches Lambda without a tenant."""
    if not tenant_id_from.startswith(REQUEST_SOURCES):
        return {}
    validator = rest.RequestValidator(
        scope, "TenantIdValidator", rest_api=api, validate_request_parameters=True,
        request_validator_name="tenant-id-required",
    )
    return {"request_parameters": {tenant_id_from: True}, "request_validator": validator}
