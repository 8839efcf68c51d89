"""ApiFunction: user -> API Gateway (HTTP or REST, Cognito, IAM or public) -> function."""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence, Unpack

import jsii
from aws_cdk import Names, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as rest
from aws_cdk import aws_apigatewayv2 as http
from aws_cdk import aws_apigatewayv2_authorizers as http_authorizers
from aws_cdk import aws_apigatewayv2_integrations as http_integrations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from ...core import findings
from ...core.jsii_types import as_interface
from ...core.validation import Checks
from ...function.failed_events import SET_BY_SYNCHRONOUS_PATTERNS, invoked_synchronously
from ...function.options import FunctionOptions
from ...function.pattern_options import check_function_options
from ...function.serverless_function import ServerlessFunction
from ...function.tenancy import TENANT_ID_HEADER
from ...observability import alarms as alarm_kit
from .checks import (
    API_KINDS, AUTH_KINDS, INTEGRATION_TIMEOUT_SECONDS, ApiAuth, ApiKind, check_auth, check_domain,
    check_function_timeout, check_throttle,
)
from .cors import ApiCors
from .routes import Route, parse_routes
from .tenancy import DEFAULT_TENANT_ID_FROM, check_tenant_id_from, tenant_id_integration, tenant_id_method_options
from .user_pools import app_client, secure_user_pool

# Lambda caps a function's resource policy at 20,480 bytes (Lambda quotas), about 45 API Gateway statements:
# a permission per route (two per REST method) fails the deploy with PolicyLengthExceededException after a few
# dozen routes (aws-cdk#19535, #9327). So the integrations add one per API, whose SourceArn is the API's
# execute-api ARN with stage, method and path wildcards: any route of this API, and no other API.
ONE_PERMISSION = "arn:<partition>:execute-api:<region>:<account>:<api id>/*/*/*"
DEFAULT_RATE_LIMIT = 100  # requests per second, steady
DEFAULT_BURST_LIMIT = 200  # requests at once
REST_STAGE = "prod"
# Alarm thresholds: 4xx above this share of requests (when at least MIN_REQUESTS came in 5 minutes), and p99
# latency above this share of the integration timeout (requests near it are about to be cut off with 504).
CLIENT_ERROR_PERCENT = 10
MIN_REQUESTS = 20
LATENCY_SHARE_OF_TIMEOUT = 0.8
HTTP_ACCESS_LOG = {
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey", "status": "$context.status", "protocol": "$context.protocol",
    "responseLength": "$context.responseLength", "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage", "authorizerError": "$context.authorizer.error",
    "error": "$context.error.message", "userAgent": "$context.identity.userAgent",
}


@jsii.implements(http.IAccessLogSettings)
class _HttpAccessLogs:
    def __init__(self, group: logs.ILogGroup) -> None:
        self._destination = http.LogGroupLogDestination(group)

    @property
    def destination(self) -> http.IAccessLogDestination:
        return as_interface(http.IAccessLogDestination, self._destination)

    @property
    def format(self) -> rest.AccessLogFormat:
        return rest.AccessLogFormat.custom(json.dumps(HTTP_ACCESS_LOG))


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
    ``access_log_group`` and ``alarms``: the function's, plus any 5xx answer, a 4xx rate over 10 % and a
    p99 latency over 80 % of the integration timeout.
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
        tenant_id_from: str = DEFAULT_TENANT_ID_FROM,
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(
            self, function_options, ApiFunction.__init__, SET_BY_SYNCHRONOUS_PATTERNS,
            invoked_without_tenant_id_by=f"An HTTP API (it cannot set {TENANT_ID_HEADER}; use api='rest')"
            if api == "http" else None)
        checks = Checks(self, "ApiFunction")
        # What else applies depends on api and auth: an unknown one gets its message alone, no knock-on ones.
        if checks.one_of("auth", auth, AUTH_KINDS):
            check_auth(checks, auth, allow_public_api, user_pool, feature_plan, self_sign_up)
        if checks.one_of("api", api, API_KINDS):
            checks.require(web_acl_arn is None or api == "rest", "web_acl_arn", web_acl_arn,
                           "applies only to api='rest': AWS WAF cannot protect an HTTP API")
        parsed_routes = parse_routes(checks, routes)
        self._tenant_id_from = tenant_id_from if function_options.get("tenancy") is not None else None
        check_tenant_id_from(checks, function_options.get("tenancy"), tenant_id_from, parsed_routes)
        if cors is not None:
            cors.check(checks, api, function_options.get("environment") or {})
        check_throttle(checks, throttle_rate_limit, throttle_burst_limit)
        check_domain(checks, Stack.of(self).region, domain_name, certificate)
        check_function_timeout(checks, api, function_options)
        checks.raise_if_any()

        if cors is not None and api == "rest":  # the function answers CORS on its own answers
            function_options["environment"] = {**(function_options.get("environment") or {}),
                                               **cors.handler_environment()}
        function_options["no_failure_target"] = invoked_synchronously(
            function_options, "API Gateway", "a failed request is answered with an error status"
        )
        self.function = ServerlessFunction(self, "Function", **function_options)
        self.user_pool: Optional[cognito.IUserPool] = None
        self.user_pool_client: Optional[cognito.UserPoolClient] = None
        if auth == "cognito":
            self.user_pool = user_pool or secure_user_pool(
                self, "UserPool", self_sign_up=self_sign_up, feature_plan=feature_plan)
            self.user_pool_client = app_client(self, "UserPoolClient", self.user_pool)
        self.access_log_group = logs.LogGroup(
            self, "AccessLogs", retention=access_log_retention, removal_policy=RemovalPolicy.RETAIN)
        findings.skip(
            self.access_log_group,
            "CloudWatch Logs encrypts every log group at rest; access logs hold request metadata (addresses, "
            "routes, statuses), no bodies.",
            checkov=["CKV_AWS_158"], guard=["cloudwatch_log_group_encrypted_check"],
        )
        self.domain: Optional[Any] = None
        build = self._http if api == "http" else self._rest
        build(auth, parsed_routes, cors, throttle_rate_limit, throttle_burst_limit, domain_name, certificate)
        self._kind = api
        self._answer_findings(auth)
        if isinstance(self.api, rest.RestApi):
            self._protect(self.api.deployment_stage, web_acl_arn)
        self.alarms = {**self.function.alarms, **alarm_kit.pattern_alarms(function_options, self._alarms)}
        alarm_kit.warn_if_silent(self)

    # --- HTTP API -------------------------------------------------------------------------------------

    def _http(self, auth: ApiAuth, routes: list[Route], cors: Optional[ApiCors], rate: float, burst: int,
              domain_name: Optional[str], certificate: Optional[acm.ICertificate]) -> None:
        self.api = http.HttpApi(
            self, "Api", api_name=Names.unique_id(self), description=f"API of {self.node.path}",
            create_default_stage=False,
            cors_preflight=cors.for_http_api() if cors else None,
        )
        if domain_name and certificate:
            self.domain = http.DomainName(
                self, "Domain", domain_name=domain_name, certificate=certificate,
                security_policy=http.SecurityPolicy.TLS_1_2,
            )
        self.stage = http.HttpStage(
            self, "Stage", http_api=self.api, stage_name="$default", auto_deploy=True,
            throttle=http.ThrottleSettings(rate_limit=rate, burst_limit=burst),
            detailed_metrics_enabled=True, access_log_settings=_HttpAccessLogs(self.access_log_group),
            domain_mapping=http.DomainMappingOptions(domain_name=self.domain) if self.domain else None,
        )
        integration = http_integrations.HttpLambdaIntegration(
            "Integration", self.function.invoke_target,
            payload_format_version=http.PayloadFormatVersion.VERSION_2_0,
            # One invoke permission for the API, not one per route: see ONE_PERMISSION.
            scope_permission_to_route=False,
        )
        authorizer = self._http_authorizer(auth)
        for route in routes:
            self.api.add_routes(path=route.path, methods=[http.HttpMethod(route.method)], integration=integration,
                                authorizer=authorizer)
        self.url = f"https://{domain_name}/" if domain_name else self.stage.url

    def _http_authorizer(self, auth: ApiAuth) -> http.IHttpRouteAuthorizer:
        if auth == "cognito":
            assert self.user_pool is not None and self.user_pool_client is not None  # made for auth="cognito"
            return http_authorizers.HttpUserPoolAuthorizer(
                "Authorizer", self.user_pool,
                user_pool_clients=[as_interface(cognito.IUserPoolClient, self.user_pool_client)])
        if auth == "iam":
            return http_authorizers.HttpIamAuthorizer()
        return http.HttpNoneAuthorizer()

    # --- REST API -------------------------------------------------------------------------------------

    def _rest(self, auth: ApiAuth, routes: list[Route], cors: Optional[ApiCors], rate: float, burst: int,
              domain_name: Optional[str], certificate: Optional[acm.ICertificate]) -> None:
        self.api = rest.RestApi(
            # A name of its own: the REST API's CloudWatch metrics are keyed by name.
            self, "Api", rest_api_name=Names.unique_id(self), description=f"API of {self.node.path}",
            endpoint_configuration=rest.EndpointConfiguration(types=[rest.EndpointType.REGIONAL]),
            # The account's CloudWatch role: a REST stage that logs needs it set in the region, whatever the
            # app's feature flags say. Kept on delete: other REST APIs of the account may log through it.
            cloud_watch_role=True, cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=rest.StageOptions(
                stage_name=REST_STAGE, throttling_rate_limit=rate, throttling_burst_limit=burst,
                tracing_enabled=True, metrics_enabled=True, logging_level=rest.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                access_log_destination=rest.LogGroupLogDestination(self.access_log_group),
                access_log_format=rest.AccessLogFormat.json_with_standard_fields(
                    caller=True, http_method=True, ip=True, protocol=True, request_time=True, resource_path=True,
                    response_length=True, status=True, user=True),
            ),
            default_cors_preflight_options=cors.for_rest_api() if cors else None,
            domain_name=rest.DomainNameOptions(
                domain_name=domain_name, certificate=certificate, security_policy=rest.SecurityPolicy.TLS_1_2,
                endpoint_type=rest.EndpointType.REGIONAL,
            ) if domain_name and certificate else None,
        )
        if cors is not None:
            cors.add_gateway_responses(self.api)
        self.domain = self.api.domain_name
        self.stage = self.api.deployment_stage
        # One invoke permission for the API, not two per method (the method's and its test invocation's).
        tenant_id = self._tenant_id_from
        integration = rest.LambdaIntegration(self.function.invoke_target, proxy=True, scope_permission_to_method=False,
                                             request_parameters=tenant_id_integration(tenant_id) if tenant_id else None)
        method_auth = self._rest_authorization(auth)
        if tenant_id:
            method_auth.update(tenant_id_method_options(self, self.api, tenant_id))
        for route in routes:
            resource = self.api.root if route.path == "/" else self.api.root.resource_for_path(route.path)
            resource.add_method(route.method, integration, **method_auth)
        self.url = f"https://{domain_name}/" if domain_name else self.api.url

    def _rest_authorization(self, auth: ApiAuth) -> dict[str, Any]:
        if auth == "cognito":
            assert self.user_pool is not None  # made for auth="cognito"
            authorizer = rest.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[self.user_pool])
            return {"authorization_type": rest.AuthorizationType.COGNITO, "authorizer": authorizer}
        if auth == "iam":
            return {"authorization_type": rest.AuthorizationType.IAM}
        return {"authorization_type": rest.AuthorizationType.NONE}

    # --- scanner findings -----------------------------------------------------------------------------

    def _answer_findings(self, auth: ApiAuth) -> None:
        """What scanners ask for that this API deliberately does otherwise, on the resource, with the reason."""
        for node in self.node.find_all():
            if isinstance(node, lambda_.CfnPermission) and node.principal == "apigateway.amazonaws.com":
                findings.skip(
                    node,
                    f"Only this API may invoke: SourceArn is its own execute-api ARN ({ONE_PERMISSION}: any "
                    "stage, method and path of this API), which CloudFormation joins at deploy time; the rule "
                    "reads only literal strings and direct references.",
                    guard=["lambda_function_public_access_prohibited_check"],
                )
            if auth != "cognito" and isinstance(node, (rest.CfnMethod, http.CfnRoute)):
                self._answer_authorization(node, auth)
        if isinstance(self.api, rest.RestApi):
            self._answer_rest_findings(self.api)

    def _protect(self, stage: rest.Stage, web_acl_arn: Optional[str]) -> None:
        if web_acl_arn is not None:
            wafv2.CfnWebACLAssociation(self, "WebAcl", resource_arn=stage.stage_arn, web_acl_arn=web_acl_arn)
            return
        reason = ("AWS WAF is opt-in (web_acl_arn=): a web ACL costs a monthly fee per ACL and rule plus a price per "
                  "million requests; the stage's throttling limits every caller meanwhile.")
        findings.acknowledge(stage, "AwsSolutions-APIG3", reason)

    def _answer_authorization(self, route: Any, auth: ApiAuth) -> None:
        if auth == "iam":
            findings.acknowledge(route, "AwsSolutions-COG4", "Callers sign every request with SigV4: API Gateway "
                                 "authorizes it against their IAM policies (auth='iam') instead of a user pool.")
            return
        public = ("A public route, asked for with auth='none' and allow_public_api=True: anyone on the internet "
                  "may call it; the stage's throttling still applies.")
        findings.acknowledge(route, "AwsSolutions-APIG4", public)
        if isinstance(route, rest.CfnMethod):
            findings.acknowledge(route, "AwsSolutions-COG4", public)
            findings.skip(route, public, checkov=["CKV_AWS_59"])
        else:
            findings.skip(route, public, guard=["api_gw_v2_authorization_type_configured_check"])

    def _answer_rest_findings(self, api: rest.RestApi) -> None:
        findings.skip(
            api.deployment_stage,
            "No response cache: answers depend on the caller's identity and change with every write, and a "
            "cache cluster is billed by the hour; add one per method where answers are safe to share.",
            checkov=["CKV_AWS_120"],
        )
        findings.acknowledge(
            api, "AwsSolutions-APIG2",
            "A Lambda proxy integration: the request reaches the function whole, and the function validates it "
            "(a bad request is answered 400 by the handler); API Gateway models would repeat that schema.",
        )
        findings.acknowledge(
            api.node.find_child("CloudWatchRole"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account's role for API Gateway logging in this region (AWS::ApiGateway::Account), with the AWS "
            "managed policy API Gateway's guide prescribes: it writes the logs of every REST API of the account.",
        )

    # --- alarms ---------------------------------------------------------------------------------------

    def _alarms(self) -> alarm_kit.Alarms:
        period = alarm_kit.PERIOD
        requests = self.api.metric_count(period=period, statistic="Sum")
        client_errors = self.api.metric_client_error(period=period, statistic="Sum")
        rate = cloudwatch.MathExpression(
            expression=f"IF(requests >= {MIN_REQUESTS}, 100 * errors / requests, 0)",
            using_metrics={"requests": requests, "errors": client_errors},
            label="4xx answers (% of requests)", period=period,
        )
        timeout_ms = INTEGRATION_TIMEOUT_SECONDS[self._kind] * 1000
        return {
            "server_errors": alarm_kit.any_of(
                self, "ServerErrorsAlarm", self.api.metric_server_error(period=period, statistic="Sum"),
                "The API answered with 5xx",
            ),
            "client_error_rate": alarm_kit.above(
                self, "ClientErrorRateAlarm", rate, CLIENT_ERROR_PERCENT,
                f"More than {CLIENT_ERROR_PERCENT} % of at least {MIN_REQUESTS} requests answered with 4xx",
            ),
            "latency": alarm_kit.above(
                self, "LatencyAlarm", self.api.metric_latency(period=period, statistic="p99"),
                LATENCY_SHARE_OF_TIMEOUT * timeout_ms,
                f"p99 latency over {LATENCY_SHARE_OF_TIMEOUT:.0%} of the {timeout_ms // 1000} s integration timeout",
            ),
        }
