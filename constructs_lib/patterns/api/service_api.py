"""ServiceApi: one API Gateway API (HTTP or REST) in front of many functions, each serving its own routes."""

from __future__ import annotations

from typing import Optional, Sequence, Unpack

import jsii

from aws_cdk import Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct, IValidation

from ...core.validation import Checks
from ...function.failed_events import SET_BY_SYNCHRONOUS_PATTERNS, invoked_synchronously
from ...function.options import FunctionOptions
from ...function.pattern_options import check_function_options
from ...function.serverless_function import ServerlessFunction
from ...observability import alarms as alarm_kit
from .checks import (
    DEFAULT_BURST_LIMIT, DEFAULT_RATE_LIMIT, ApiAuth, ApiKind, check_function_timeout, check_gateway,
)
from .cors import ApiCors
from .gateway import Gateway, GatewayOptions
from .routes import Route, check_variables, parse_routes

NO_TENANT_ID = "ServiceApi (put a tenant-isolated function behind ApiFunction(api='rest'), which maps one)"


class ServiceApi(Construct):
    """One API of a service, many functions: user -> API Gateway (+ Cognito) -> the function of each route.

    The API, its user pool and authorizer, stage, throttling, access logs, CORS and alarms are the ones of
    ``ApiFunction`` (same options and defaults), made once; ``add_function`` adds a ``ServerlessFunction`` with its
    routes. Each function has one invoke permission, for this API (its resource policy stays far from Lambda's
    20 KB however many routes it serves), and API Gateway sends it only the requests of its routes.

        api = ServiceApi(stack, "Shop")
        api.add_function("Orders", routes=["GET /orders", "POST /orders"], entry="lambda_src/orders")
        api.add_function("Catalog", routes=["GET /products/{id}"], entry="lambda_src/catalog")

    :param api: "http" (HTTP API, payload format 2.0; the default) or "rest" (REST API, Lambda proxy integration).
    :param auth: "cognito" (default), "iam" (SigV4 on every route) or "none" (public: refused unless
        ``allow_public_api=True``).
    :param user_pool: any user pool for "cognito" (default: one created with secure defaults, kept on delete).
    :param allow_public_api: the explicit opt-in for ``auth="none"``.
    :param cors: ``ApiCors(...)``: what browsers on other origins may do (default: no CORS).
    :param throttle_rate_limit: steady requests per second the stage accepts (default 100).
    :param throttle_burst_limit: requests the stage accepts at once (default 200).
    :param domain_name: a custom domain (e.g. "api.example.com"), served with ``certificate`` (TLS 1.2+).
    :param certificate: an ACM certificate for ``domain_name``, in the API's region.
    :param access_log_retention: how long access logs are kept (default one year).
    :param feature_plan: of a created user pool: ESSENTIALS (default) or PLUS, which adds threat protection.
    :param self_sign_up: a created user pool lets anyone sign up (default False: administrators create users).
    :param web_acl_arn: an AWS WAF web ACL (regional) in front of a REST API's stage (HTTP APIs cannot have one).
    :param alarm_topic: where the API's alarms, and the alarms of every function that names no ``alarm_topic`` of
        its own, notify (or ``route_alarms``).
    :param create_alarms: the API's alarms (each function has its own ``create_alarms``).

    Exposes ``api``, ``stage``, ``url``, ``domain``, ``user_pool``,
    ``user_pool_client``, ``access_log_group``, ``functions`` (by id) and ``alarms``: the API's, and each
    function's as ``"<id>.<alarm>"``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: ApiKind = "http",
        auth: ApiAuth = "cognito",
        user_pool: Optional[cognito.IUserPool] = None,
        allow_public_api: bool = False,
        cors: Optional[ApiCors] = None,
        throttle_rate_limit: float = DEFAULT_RATE_LIMIT,
        throttle_burst_limit: int = DEFAULT_BURST_LIMIT,
        domain_name: Optional[str] = None,
        certificate: Optional[acm.ICertificate] = None,
        access_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        feature_plan: cognito.FeaturePlan = cognito.FeaturePlan.ESSENTIALS,
        self_sign_up: bool = False,
        web_acl_arn: Optional[str] = None,
        alarm_topic: Optional[sns.ITopic] = None,
        create_alarms: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        checks = Checks(self, "ServiceApi")
        check_gateway(checks, api, auth, allow_public_api, user_pool, feature_plan, self_sign_up, web_acl_arn,
                      throttle_rate_limit, throttle_burst_limit, Stack.of(self).region, domain_name, certificate)
        if cors is not None:
            cors.check(checks, api, {})
        checks.raise_if_any()

        self._kind: ApiKind = api
        self._cors, self._alarm_topic = cors, alarm_topic
        self._gateway = Gateway(self, GatewayOptions(
            api=api, auth=auth, user_pool=user_pool, cors=cors, rate=throttle_rate_limit, burst=throttle_burst_limit,
            domain_name=domain_name, certificate=certificate, access_log_retention=access_log_retention,
            feature_plan=feature_plan, self_sign_up=self_sign_up, web_acl_arn=web_acl_arn))
        gateway = self._gateway
        self.user_pool, self.user_pool_client = gateway.user_pool, gateway.user_pool_client
        self.access_log_group, self.api, self.stage = gateway.access_log_group, gateway.api, gateway.stage
        self.domain, self.url = gateway.domain, gateway.url
        self.functions: dict[str, ServerlessFunction] = {}
        self._routes: dict[Route, str] = {}  # which function serves each route
        self.alarms: alarm_kit.Alarms = gateway.alarms() if create_alarms else {}
        alarm_kit.notify(self.alarms, alarm_topic)
        alarm_kit.warn_if_silent(self)
        self.node.add_validation(_HasFunctions(self))

    def add_function(self, construct_id: str, *, routes: Sequence[str],
                     **function_options: Unpack[FunctionOptions]) -> ServerlessFunction:
        """A function serving ``routes`` of this API.

        :param construct_id: the function's id, under this API.
        :param routes: e.g. ``["GET /orders", "GET /orders/{id}"]``, each served by one function of the API.
        :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option; its timeout
            must fit in the integration timeout (30 s HTTP, 29 s REST).
        """
        check_function_options(self, function_options, ServiceApi.add_function, SET_BY_SYNCHRONOUS_PATTERNS,
                               invoked_without_tenant_id_by=NO_TENANT_ID)
        checks = Checks(self, "ServiceApi")
        parsed = parse_routes(checks, routes)
        for route in parsed:
            served_by = self._routes.get(route)
            checks.require(served_by is None, f"{construct_id}: routes", route.key,
                           f"is served by the function {served_by!r} already: a route has one integration")
        # API Gateway allows one variable name per position under a path, whichever function serves it.
        check_variables(checks, [*self._routes, *parsed])
        if self._cors is not None:
            self._cors.check(checks, self._kind, function_options.get("environment") or {})
        check_function_timeout(checks, self._kind, function_options)
        checks.raise_if_any()

        if self._cors is not None and self._kind == "rest":  # the function answers CORS on its own answers
            function_options["environment"] = {**(function_options.get("environment") or {}),
                                               **self._cors.handler_environment()}
        if self._alarm_topic is not None and function_options.get("alarm_topic") is None:
            function_options["alarm_topic"] = self._alarm_topic
        function_options["no_failure_target"] = invoked_synchronously(
            function_options, "API Gateway", "a failed request is answered with an error status"
        )
        function = ServerlessFunction(self, construct_id, **function_options)
        self._gateway.integrate(function, parsed, f"{construct_id}Integration")
        self._routes.update({route: construct_id for route in parsed})
        self.functions[construct_id] = function
        self.alarms.update({f"{construct_id}.{name}": alarm for name, alarm in function.alarms.items()})
        return function


@jsii.implements(IValidation)
class _HasFunctions:
    """An API without routes serves nothing (and API Gateway refuses to deploy a REST API without methods)."""

    def __init__(self, api: ServiceApi) -> None:
        self.api = api

    def validate(self) -> list[str]:
        return [] if self.api.functions else ["ServiceApi has no function: give it one with add_function(...)"]
