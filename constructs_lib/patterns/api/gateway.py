"""The API part of ApiFunction and ServiceApi: API Gateway (HTTP or REST) with its user pool, authorizer, stage,
access logs, CORS, findings and alarms, built into the construct that owns it (so their IDs are the owner's), and
the routes of each function integrated into it with one invoke permission per function."""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from typing import Any, Optional

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
from constructs import Construct, IConstruct

from ...core import findings
from ...core.jsii_types import as_interface, cfn_resource
from ...core.profile import is_regulated
from ...core.validation import seconds_of
from ...function.serverless_function import ServerlessFunction
from ...observability import alarms as alarm_kit
from ...resources.log_groups import new_log_group
from ...resources.web_acls import managed_web_acl
from .checks import INTEGRATION_TIMEOUT_SECONDS, ApiAuth, ApiKind
from .cors import ApiCors
from .routes import Route
from .tenancy import tenant_id_integration, tenant_id_method_options
from .user_pools import app_client, secure_user_pool

# Lambda caps a function's resource policy at 20,480 bytes (Lambda quotas), about 45 API Gateway statements:
# a permission per route (two per REST method) fails the deploy with PolicyLengthExceededException after a few
# dozen routes (aws-cdk#19535, #9327). So the integrations add one per API, whose SourceArn is the API's
# execute-api ARN with stage, method and path wildcards: any route of this API, and no other API.
ONE_PERMISSION = "arn:<partition>:execute-api:<region>:<account>:<api id>/*/*/*"
REST_STAGE = "prod"
# Alarm thresholds: 4xx above this share of requests (when at least MIN_REQUESTS came in 5 minutes), and p99
# latency above this share of the longest timeout of the API's functions, at most the integration timeout: Lambda
# stops a function at its timeout, so no request takes much longer, and requests near it are about to fail.
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

# The account's CloudWatch role for REST API logging (AWS::ApiGateway::Account) is one setting per region: the
# first library REST API of a stack sets it, the others wait for it.
_ACCOUNT_SETTINGS: "weakref.WeakKeyDictionary[Stack, rest.CfnAccount]" = weakref.WeakKeyDictionary()


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


@dataclass(frozen=True)
class GatewayOptions:
    """What ApiFunction and ServiceApi take for their API (checked by their owners)."""

    api: ApiKind
    auth: ApiAuth
    user_pool: Optional[cognito.IUserPool]
    cors: Optional[ApiCors]
    rate: float
    burst: int
    domain_name: Optional[str]
    certificate: Optional[acm.ICertificate]
    access_log_retention: logs.RetentionDays
    feature_plan: cognito.FeaturePlan
    self_sign_up: bool
    web_acl_arn: Optional[str]


class Gateway:
    """An API built into ``owner``; ``integrate`` adds a function's routes."""

    def __init__(self, owner: Construct, options: GatewayOptions) -> None:
        self._owner = owner
        self._options = options
        self._answered: set[IConstruct] = set()  # jsii gives one Python object per construct
        self._longest_timeout = 0.0  # seconds, of the functions integrated so far
        self._latency_alarm: Optional[cloudwatch.Alarm] = None
        self.user_pool: Optional[cognito.IUserPool] = None
        self.user_pool_client: Optional[cognito.UserPoolClient] = None
        if options.auth == "cognito":
            self.user_pool = options.user_pool or secure_user_pool(
                owner, "UserPool", self_sign_up=options.self_sign_up, feature_plan=options.feature_plan)
            self.user_pool_client = app_client(owner, "UserPoolClient", self.user_pool)
        self.access_log_group = new_log_group(
            owner, "AccessLogs", retention=options.access_log_retention, removal_policy=RemovalPolicy.RETAIN,
            without_key_because="CloudWatch Logs encrypts every log group at rest; access logs hold request "
            "metadata (addresses, routes, statuses), no bodies.")
        self.domain: Optional[Any] = None
        self.api: http.HttpApi | rest.RestApi
        if options.api == "http":
            self._http()
        else:
            self._rest()

    # --- HTTP API -------------------------------------------------------------------------------------

    def _http(self) -> None:
        owner, options = self._owner, self._options
        self.api = http.HttpApi(
            owner, "Api", api_name=Names.unique_id(owner), description=f"API of {owner.node.path}",
            create_default_stage=False,
            cors_preflight=options.cors.for_http_api() if options.cors else None,
        )
        if options.domain_name and options.certificate:
            self.domain = http.DomainName(
                owner, "Domain", domain_name=options.domain_name, certificate=options.certificate,
                security_policy=http.SecurityPolicy.TLS_1_2,
            )
        self.stage = http.HttpStage(
            owner, "Stage", http_api=self.api, stage_name="$default", auto_deploy=True,
            throttle=http.ThrottleSettings(rate_limit=options.rate, burst_limit=options.burst),
            detailed_metrics_enabled=True, access_log_settings=_HttpAccessLogs(self.access_log_group),
            domain_mapping=http.DomainMappingOptions(domain_name=self.domain) if self.domain else None,
        )
        self._http_authorizer = self._make_http_authorizer()
        self.url = f"https://{options.domain_name}/" if options.domain_name else self.stage.url

    def _make_http_authorizer(self) -> http.IHttpRouteAuthorizer:
        if self._options.auth == "cognito":
            assert self.user_pool is not None and self.user_pool_client is not None  # made for auth="cognito"
            return http_authorizers.HttpUserPoolAuthorizer(
                "Authorizer", self.user_pool,
                user_pool_clients=[as_interface(cognito.IUserPoolClient, self.user_pool_client)])
        if self._options.auth == "iam":
            return http_authorizers.HttpIamAuthorizer()
        return http.HttpNoneAuthorizer()

    # --- REST API -------------------------------------------------------------------------------------

    def _rest(self) -> None:
        owner, options = self._owner, self._options
        account_settings = _ACCOUNT_SETTINGS.get(Stack.of(owner))
        self.api = rest.RestApi(
            # A name of its own: the REST API's CloudWatch metrics are keyed by name.
            owner, "Api", rest_api_name=Names.unique_id(owner), description=f"API of {owner.node.path}",
            endpoint_configuration=rest.EndpointConfiguration(types=[rest.EndpointType.REGIONAL]),
            # The account's CloudWatch role: a REST stage that logs needs it set in the region, whatever the
            # app's feature flags say. Kept on delete: other REST APIs of the account may log through it.
            cloud_watch_role=account_settings is None,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN if account_settings is None else None,
            deploy_options=rest.StageOptions(
                stage_name=REST_STAGE, throttling_rate_limit=options.rate, throttling_burst_limit=options.burst,
                tracing_enabled=True, metrics_enabled=True, logging_level=rest.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                access_log_destination=rest.LogGroupLogDestination(self.access_log_group),
                access_log_format=rest.AccessLogFormat.json_with_standard_fields(
                    caller=True, http_method=True, ip=True, protocol=True, request_time=True, resource_path=True,
                    response_length=True, status=True, user=True),
            ),
            default_cors_preflight_options=options.cors.for_rest_api() if options.cors else None,
            domain_name=rest.DomainNameOptions(
                domain_name=options.domain_name, certificate=options.certificate,
                security_policy=rest.SecurityPolicy.TLS_1_2, endpoint_type=rest.EndpointType.REGIONAL,
            ) if options.domain_name and options.certificate else None,
        )
        if account_settings is None:
            account = self.api.node.find_child("Account")
            assert isinstance(account, rest.CfnAccount)  # aws-cdk-lib's name for the setting it made
            _ACCOUNT_SETTINGS[Stack.of(owner)] = account
        else:
            self.api.deployment_stage.node.add_dependency(account_settings)
        if options.cors is not None:
            options.cors.add_gateway_responses(self.api)
        self.domain = self.api.domain_name
        self.stage = self.api.deployment_stage
        self._rest_method_auth = self._rest_authorization()
        self._protect(self.api.deployment_stage)
        self._answer_rest_findings(self.api)
        self.url = f"https://{options.domain_name}/" if options.domain_name else self.api.url

    def _rest_authorization(self) -> dict[str, Any]:
        if self._options.auth == "cognito":
            assert self.user_pool is not None  # made for auth="cognito"
            authorizer = rest.CognitoUserPoolsAuthorizer(self._owner, "Authorizer", cognito_user_pools=[self.user_pool])
            return {"authorization_type": rest.AuthorizationType.COGNITO, "authorizer": authorizer}
        if self._options.auth == "iam":
            return {"authorization_type": rest.AuthorizationType.IAM}
        return {"authorization_type": rest.AuthorizationType.NONE}

    # --- routes ---------------------------------------------------------------------------------------

    def integrate(self, function: ServerlessFunction, routes: list[Route], integration_id: str,
                  tenant_id_from: Optional[str] = None) -> None:
        """The function's routes, each invoking its alias (or the function), with one permission for this API."""
        added: list[IConstruct] = []
        self._note_timeout(function)
        if isinstance(self.api, http.HttpApi):
            integration = http_integrations.HttpLambdaIntegration(
                integration_id, function.invoke_target, payload_format_version=http.PayloadFormatVersion.VERSION_2_0,
                # One invoke permission for the API, not one per route: see ONE_PERMISSION.
                scope_permission_to_route=False,
            )
            for route in routes:
                added.extend(self.api.add_routes(path=route.path, methods=[http.HttpMethod(route.method)],
                                                 integration=integration, authorizer=self._http_authorizer))
        else:
            # One invoke permission for the API, not two per method (the method's and its test invocation's).
            rest_integration = rest.LambdaIntegration(
                function.invoke_target, proxy=True, scope_permission_to_method=False,
                request_parameters=tenant_id_integration(tenant_id_from) if tenant_id_from else None)
            method_auth = dict(self._rest_method_auth)
            if tenant_id_from:
                method_auth.update(tenant_id_method_options(self._owner, self.api, tenant_id_from))
            for route in routes:
                resource = self.api.root if route.path == "/" else self.api.root.resource_for_path(route.path)
                added.append(resource.add_method(route.method, rest_integration, **method_auth))
            # aws-cdk-lib puts the API-wide permission under the API, named after the function and the API.
            permission = self.api.node.try_find_child(
                f"ApiPermission.ApiScoped.{Names.node_unique_id(function.invoke_target.node)}."
                f"{Names.node_unique_id(self.api.node)}")
            added.extend([permission] if permission is not None else [])
        self._answer_findings([*added, function])

    # --- scanner findings -----------------------------------------------------------------------------

    def _answer_findings(self, made: list[IConstruct]) -> None:
        """What scanners ask for that this API deliberately does otherwise, on what `made` holds (the routes or
        methods of a function, and the function, which may hold the permission), with the reason."""
        for node in (found for construct in made for found in construct.node.find_all()):
            if node in self._answered:
                continue
            if isinstance(node, lambda_.CfnPermission) and node.principal == "apigateway.amazonaws.com":
                self._answered.add(node)
                findings.skip(
                    node,
                    f"Only this API may invoke: SourceArn is its own execute-api ARN ({ONE_PERMISSION}: any "
                    "stage, method and path of this API), which CloudFormation joins at deploy time; the rule "
                    "reads only literal strings and direct references.",
                    guard=["lambda_function_public_access_prohibited_check"],
                )
            if self._options.auth != "cognito" and isinstance(node, (rest.CfnMethod, http.CfnRoute)):
                self._answered.add(node)
                self._answer_authorization(node)

    def _protect(self, stage: rest.Stage) -> None:
        if self._options.web_acl_arn is not None or is_regulated(self._owner):
            # Under the regulated profile without one given: AWS's managed rule groups (resources/web_acls.py).
            web_acl_arn = self._options.web_acl_arn or managed_web_acl(
                self._owner, "ManagedWebAcl", what=f"the REST API of {self._owner.node.path}").attr_arn
            wafv2.CfnWebACLAssociation(self._owner, "WebAcl", resource_arn=stage.stage_arn, web_acl_arn=web_acl_arn)
            if is_regulated(self._owner):
                self._answer_controls(stage)
            return
        reason = ("AWS WAF is opt-in (web_acl_arn=): a web ACL costs a monthly fee per ACL and rule plus a price per "
                  "million requests; the stage's throttling limits every caller meanwhile.")
        findings.acknowledge(stage, "AwsSolutions-APIG3", reason)

    def _answer_controls(self, stage: rest.Stage) -> None:
        """The compliance packs' stage rules that a Lambda proxy API has nothing for, answered."""
        findings.acknowledge_control(
            stage, "APIGWSSLEnabled", "A client certificate lets an HTTP backend check that a call comes from API "
            "Gateway; this API's backends are Lambda functions (AWS_PROXY), which API Gateway invokes through Lambda's "
            "API, over TLS and signed with IAM (SigV4), under the invoke permission that names this API.")
        findings.acknowledge_control(
            stage, "APIGWCacheEnabledAndEncrypted", "No response cache, so nothing cached to encrypt: answers depend "
            "on the caller's identity and change with every write.")

    def _answer_authorization(self, route: IConstruct) -> None:
        if self._options.auth == "iam":
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
        role = api.node.try_find_child("CloudWatchRole")
        if role is None:  # another API of the stack sets the account's role
            return
        findings.acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account's role for API Gateway logging in this region (AWS::ApiGateway::Account), with the AWS "
            "managed policy API Gateway's guide prescribes: it writes the logs of every REST API of the account.",
        )

    # --- alarms ---------------------------------------------------------------------------------------

    def alarms(self) -> alarm_kit.Alarms:
        """Any 5xx answer, a 4xx rate over 10 % and a p99 latency over 80 % of the longest function timeout."""
        owner, period = self._owner, alarm_kit.PERIOD
        requests = self.api.metric_count(period=period, statistic="Sum")
        client_errors = self.api.metric_client_error(period=period, statistic="Sum")
        rate = cloudwatch.MathExpression(
            expression=f"IF(requests >= {MIN_REQUESTS}, 100 * errors / requests, 0)",
            using_metrics={"requests": requests, "errors": client_errors},
            label="4xx answers (% of requests)", period=period,
        )
        threshold, what = self._latency_limit()
        self._latency_alarm = alarm_kit.above(
            owner, "LatencyAlarm", self.api.metric_latency(period=period, statistic="p99"), threshold, what)
        return {
            "server_errors": alarm_kit.any_of(
                owner, "ServerErrorsAlarm", self.api.metric_server_error(period=period, statistic="Sum"),
                "The API answered with 5xx",
            ),
            "client_error_rate": alarm_kit.above(
                owner, "ClientErrorRateAlarm", rate, CLIENT_ERROR_PERCENT,
                f"More than {CLIENT_ERROR_PERCENT} % of at least {MIN_REQUESTS} requests answered with 4xx",
            ),
            "latency": self._latency_alarm,
        }

    def _note_timeout(self, function: ServerlessFunction) -> None:
        """Raises the latency alarm's threshold to a longer-running function's (an unknown timeout counts as the
        integration timeout): ServiceApi makes its alarms before its functions."""
        limit = INTEGRATION_TIMEOUT_SECONDS[self._options.api]
        timeout = seconds_of(function.function.timeout)
        longest = max(self._longest_timeout, limit if timeout is None else min(timeout, limit))
        if longest == self._longest_timeout:
            return
        self._longest_timeout = longest
        if self._latency_alarm is not None:
            threshold, what = self._latency_limit()
            alarm = cfn_resource(self._latency_alarm, cloudwatch.CfnAlarm)
            alarm.threshold, alarm.alarm_description = threshold, alarm_kit.description(self._owner, what)

    def _latency_limit(self) -> tuple[float, str]:
        """The latency alarm's threshold (ms) and what it says."""
        if self._longest_timeout:
            seconds, of_what = self._longest_timeout, "the longest timeout of its functions"
        else:
            seconds, of_what = INTEGRATION_TIMEOUT_SECONDS[self._options.api], "the integration timeout"
        return (round(LATENCY_SHARE_OF_TIMEOUT * seconds * 1000),
                f"p99 latency over {LATENCY_SHARE_OF_TIMEOUT:.0%} of {of_what} ({seconds:g} s)")
