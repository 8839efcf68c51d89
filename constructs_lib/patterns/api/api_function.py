"""ApiFunction: user -> API Gateway (HTTP or REST, Cognito, IAM or public) -> function."""

from __future__ import annotations

from typing import Mapping, Optional, Sequence, Unpack

from aws_cdk import Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from constructs import Construct

from ...core.validation import Checks
from ...function.failed_events import SET_BY_SYNCHRONOUS_PATTERNS, invoked_synchronously
from ...function.options import FunctionOptions
from ...function.pattern_options import check_function_options
from ...function.serverless_function import ServerlessFunction
from ...function.tenancy import TENANT_ID_HEADER
from ...observability import alarms as alarm_kit
from .checks import (
    DEFAULT_BURST_LIMIT, DEFAULT_RATE_LIMIT, ApiAuth, ApiKind, check_function_timeout, check_gateway,
)
from .cors import ApiCors
from .gateway import Gateway, GatewayOptions
from .routes import parse_routes
from .tenancy import DEFAULT_TENANT_ID_FROM, check_tenant_id_from
from .user_pools import add_pool_triggers, check_pool_triggers

class ApiFunction(Construct):
    """A function behind API Gateway: user -> API Gateway (+ Cognito) -> Lambda.

    Every route needs a signed-in user by default: a Cognito user pool (created, or ``user_pool=``) with an
    app client; the HTTP API checks its JWTs, the REST API uses a Cognito user pools authorizer. The stage is
    throttled, logs every request as JSON to a log group of its own, and publishes detailed metrics; the
    function's invoke permission names this API only.

    :param api: "http" (API Gateway HTTP API, payload format 2.0; the default) or "rest" (REST API, Lambda
        proxy integration, regional endpoint, X-Ray tracing and execution logs of errors on the stage).
    :param auth: "cognito" (default), "iam" (SigV4 on every route) or "none" (public: refused unless
        ``allow_public_api=True``).
    :param user_pool: any user pool for "cognito" (default: one created with secure defaults, kept on delete).
    :param allow_public_api: the explicit opt-in for ``auth="none"``.
    :param routes: e.g. ``["GET /orders", "GET /orders/{id}", "POST /orders"]`` (default ``ANY /{proxy+}``:
        one function routing inside, as Powertools' event handler does).
    :param cors: ``ApiCors(...)``: what browsers on other origins may do (default: no CORS). A REST API's own
        error answers carry the CORS headers too (gateway responses), and its function gets the allowed origins
        in ``CORS_ALLOW_ORIGINS`` to answer with (see ``ApiCors``).
    :param throttle_rate_limit: steady requests per second the stage accepts (default 100).
    :param throttle_burst_limit: requests the stage accepts at once (default 200).
    :param domain_name: a custom domain (e.g. "api.example.com"), served with ``certificate`` (TLS 1.2+);
        point the domain's DNS at ``domain`` (its regional domain name).
    :param certificate: an ACM certificate for ``domain_name``, in the API's region.
    :param access_log_retention: how long access logs are kept (default one year).
    :param feature_plan: of a created user pool: ESSENTIALS (default) or PLUS, which adds threat protection.
    :param self_sign_up: a created user pool lets anyone sign up (default False: administrators create users).
    :param user_pool_triggers: functions the created user pool invokes, by trigger (``{"pre_sign_up":
        ServerlessFunction(...)}``): the triggers and checks of ``UserPoolTrigger``, but the custom sender ones
        (the created pool has no custom sender key). Cognito waits for them: give them ``no_failure_target``.
    :param web_acl_arn: an AWS WAF web ACL (regional) to filter requests before they reach the REST API's stage
        (HTTP APIs cannot have one).
    :param tenant_id_from: with ``tenancy="per_tenant"`` (api="rest" only: an HTTP API cannot pass a tenant id),
        the API Gateway mapping expression whose value becomes the tenant id of each invocation (default
        "method.request.header.x-tenant-id": a header every request must carry, or API Gateway answers 400;
        "context.authorizer.claims.sub" isolates each Cognito user, a value the client cannot choose).
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option; its timeout
        must fit in the integration timeout (30 s HTTP, 29 s REST).

    Exposes ``api``, ``function`` (the ServerlessFunction), ``user_pool`` and ``user_pool_client`` (None
    unless Cognito), ``url`` (the stage's, or the custom domain's), ``domain`` (None without one),
    ``access_log_group``, ``user_pool_trigger_permissions`` (the triggers' invoke permissions, by trigger) and
    ``alarms``: the function's, plus any 5xx answer, a 4xx rate over 10 % and a p99 latency over 80 % of the
    function's timeout.
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
        routes: Optional[Sequence[str]] = None,
        cors: Optional[ApiCors] = None,
        throttle_rate_limit: float = DEFAULT_RATE_LIMIT,
        throttle_burst_limit: int = DEFAULT_BURST_LIMIT,
        domain_name: Optional[str] = None,
        certificate: Optional[acm.ICertificate] = None,
        access_log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        feature_plan: cognito.FeaturePlan = cognito.FeaturePlan.ESSENTIALS,
        self_sign_up: bool = False,
        web_acl_arn: Optional[str] = None,
        user_pool_triggers: Optional[Mapping[str, ServerlessFunction]] = None,
        tenant_id_from: str = DEFAULT_TENANT_ID_FROM,
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(
            self, function_options, ApiFunction.__init__, SET_BY_SYNCHRONOUS_PATTERNS,
            invoked_without_tenant_id_by=f"An HTTP API (it cannot set {TENANT_ID_HEADER}; use api='rest')"
            if api == "http" else None)
        checks = Checks(self, "ApiFunction")
        check_gateway(checks, api, auth, allow_public_api, user_pool, feature_plan, self_sign_up, web_acl_arn,
                              throttle_rate_limit, throttle_burst_limit, Stack.of(self).region, domain_name,
                              certificate)
        parsed_routes = parse_routes(checks, routes)
        self._tenant_id_from = tenant_id_from if function_options.get("tenancy") is not None else None
        check_tenant_id_from(checks, function_options.get("tenancy"), tenant_id_from, parsed_routes)
        if cors is not None:
            cors.check(checks, api, function_options.get("environment") or {})
        pool_triggers = dict(user_pool_triggers or {})
        check_pool_triggers(checks, auth == "cognito" and user_pool is None, feature_plan, pool_triggers)
        check_function_timeout(checks, api, function_options)
        checks.raise_if_any()

        if cors is not None and api == "rest":  # the function answers CORS on its own answers
            function_options["environment"] = {**(function_options.get("environment") or {}),
                                               **cors.handler_environment()}
        function_options["no_failure_target"] = invoked_synchronously(
            function_options, "API Gateway", "a failed request is answered with an error status"
        )
        self.function = ServerlessFunction(self, "Function", **function_options)
        gateway = Gateway(self, GatewayOptions(
            api=api, auth=auth, user_pool=user_pool, cors=cors, rate=throttle_rate_limit, burst=throttle_burst_limit,
            domain_name=domain_name, certificate=certificate, access_log_retention=access_log_retention,
            feature_plan=feature_plan, self_sign_up=self_sign_up, web_acl_arn=web_acl_arn))
        self.user_pool, self.user_pool_client = gateway.user_pool, gateway.user_pool_client
        self.user_pool_trigger_permissions = add_pool_triggers(checks, self.user_pool, pool_triggers) \
            if isinstance(self.user_pool, cognito.UserPool) else {}
        self.access_log_group, self.api, self.stage = gateway.access_log_group, gateway.api, gateway.stage
        self.domain, self.url = gateway.domain, gateway.url
        gateway.integrate(self.function, parsed_routes, "Integration", self._tenant_id_from)
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, gateway.alarms)}
        alarm_kit.warn_if_silent(self)
