"""ApiFunction: HTTP and REST APIs, Cognito / IAM / public routes, stage, user pool, checks and alarms."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Environment, Names, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Match

from constructs_lib import ApiCors, ApiFunction, ConfigurationError, Deployment
from constructs_lib.core.templates import refs
from tests.helpers import PLAIN, make_app, template_of, watched_by

ROUTES = ["GET /orders", "GET /orders/{id}", "POST /orders"]
CERTIFICATE = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
WEB_ACL = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/orders/00000000-0000-0000-0000-000000000000"


def resources(stack: Stack, kind: str) -> dict[str, dict]:
    return template_of(stack).find_resources(kind)


def props(stack: Stack, kind: str) -> list[dict]:
    return [r.get("Properties", {}) for r in resources(stack, kind).values()]


@pytest.fixture
def regional() -> Stack:
    return Stack(make_app(), "Test", env=Environment(region="eu-west-1"))


@pytest.mark.parametrize("api", ["http", "rest"])
@pytest.mark.parametrize("auth", ["cognito", "iam", "none"])
def test_every_kind_and_authorization(stack: Stack, api: str, auth: str) -> None:
    built = ApiFunction(stack, "Api", api=api, auth=auth, allow_public_api=auth == "none", entry=PLAIN, routes=ROUTES)
    routes = props(stack, "AWS::ApiGatewayV2::Route" if api == "http" else "AWS::ApiGateway::Method")
    expected = {("http", "cognito"): "JWT", ("http", "iam"): "AWS_IAM", ("http", "none"): "NONE",
                ("rest", "cognito"): "COGNITO_USER_POOLS", ("rest", "iam"): "AWS_IAM", ("rest", "none"): "NONE"}
    assert [r["AuthorizationType"] for r in routes] == [expected[(api, auth)]] * 3
    assert (built.user_pool is None) == (auth != "cognito") and (built.user_pool_client is None) == (auth != "cognito")
    assert len(resources(stack, "AWS::Cognito::UserPool")) == (auth == "cognito")
    # Only this API may invoke the function: every permission's SourceArn names it.
    api_id = stack.get_logical_id(built.api.node.default_child)
    permissions = props(stack, "AWS::Lambda::Permission")
    assert permissions and all(p["Principal"] == "apigateway.amazonaws.com" and api_id in refs(p["SourceArn"])
                               for p in permissions)


def test_http_api_defaults(stack: Stack) -> None:
    built = ApiFunction(stack, "Api", entry=PLAIN)
    (integration,) = props(stack, "AWS::ApiGatewayV2::Integration")
    assert integration["PayloadFormatVersion"] == "2.0" and integration["IntegrationType"] == "AWS_PROXY"
    assert [r["RouteKey"] for r in props(stack, "AWS::ApiGatewayV2::Route")] == ["ANY /{proxy+}"]
    (stage,) = props(stack, "AWS::ApiGatewayV2::Stage")
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {
        "DetailedMetricsEnabled": True, "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}
    log_format = stage["AccessLogSettings"]["Format"]
    assert '"requestId": "$context.requestId"' in log_format  # API Gateway refuses a format without it
    assert stack.get_logical_id(built.access_log_group.node.default_child) in refs(stage["AccessLogSettings"])
    (authorizer,) = props(stack, "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["AuthorizerType"] == "JWT"
    pool, client = (stack.get_logical_id(c.node.default_child) for c in (built.user_pool, built.user_pool_client))
    assert authorizer["JwtConfiguration"]["Audience"] == [{"Ref": client}]
    assert pool in refs(authorizer["JwtConfiguration"]["Issuer"])
    assert "cognito-idp." in str(authorizer["JwtConfiguration"]["Issuer"])
    assert "execute-api" in str(stack.resolve(built.url))


def test_rest_api_defaults(stack: Stack) -> None:
    built = ApiFunction(stack, "Api", api="rest", entry=PLAIN, routes=ROUTES)
    (api,) = props(stack, "AWS::ApiGateway::RestApi")
    assert api["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert api["Name"] == Names.unique_id(built)  # metrics are keyed by the name: one of its own
    (stage_id, stage), = resources(stack, "AWS::ApiGateway::Stage").items()
    properties = stage["Properties"]
    assert properties["TracingEnabled"] is True and properties["StageName"] == "prod"
    assert properties["MethodSettings"] == [{
        "DataTraceEnabled": False, "HttpMethod": "*", "LoggingLevel": "ERROR", "MetricsEnabled": True,
        "ResourcePath": "/*", "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}]
    assert '"requestId":"$context.requestId"' in properties["AccessLogSetting"]["Format"]
    # Logging needs the account's CloudWatch role first, whatever the app's feature flags; it outlives the stack.
    (account_id, account), = resources(stack, "AWS::ApiGateway::Account").items()
    assert account_id in stage["DependsOn"] and account["DeletionPolicy"] == "Retain"
    (authorizer,) = props(stack, "AWS::ApiGateway::Authorizer")
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert stack.get_logical_id(built.user_pool.node.default_child) in refs(authorizer["ProviderARNs"])
    assert "execute-api" in str(stack.resolve(built.url))


def test_created_user_pool_is_secure_by_default(stack: Stack) -> None:
    ApiFunction(stack, "Api", entry=PLAIN)
    (pool_resource,) = resources(stack, "AWS::Cognito::UserPool").values()
    pool = pool_resource["Properties"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12, "RequireLowercase": True, "RequireNumbers": True, "RequireSymbols": True,
        "RequireUppercase": True, "TemporaryPasswordValidityDays": 3}
    assert pool["MfaConfiguration"] == "ON" and pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["UsernameAttributes"] == ["email"] and pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert pool["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert pool["UserPoolTier"] == "ESSENTIALS" and "UserPoolAddOns" not in pool
    assert pool["DeletionProtection"] == "ACTIVE" and pool_resource["DeletionPolicy"] == "Retain"
    (client,) = props(stack, "AWS::Cognito::UserPoolClient")
    assert client["GenerateSecret"] is False and client["AllowedOAuthFlowsUserPoolClient"] is False
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_plus_plan_blocks_risky_sign_ins_and_sign_up_is_opt_in(stack: Stack) -> None:
    ApiFunction(stack, "Api", entry=PLAIN, feature_plan=cognito.FeaturePlan.PLUS, self_sign_up=True)
    (pool,) = props(stack, "AWS::Cognito::UserPool")
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False}


def test_a_given_user_pool_is_used(stack: Stack) -> None:
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", "eu-west-1_abcdefghi")
    built = ApiFunction(stack, "Api", user_pool=pool, entry=PLAIN)
    assert built.user_pool is pool
    assert not resources(stack, "AWS::Cognito::UserPool")
    (authorizer,) = props(stack, "AWS::ApiGatewayV2::Authorizer")
    assert "eu-west-1_abcdefghi" in str(authorizer["JwtConfiguration"]["Issuer"])


def test_the_integration_invokes_the_alias_of_a_safe_deployment(stack: Stack) -> None:
    built = ApiFunction(stack, "Api", entry=PLAIN, deployment=Deployment.all_at_once())
    alias = stack.get_logical_id(built.function.alias.node.default_child)
    (integration,) = props(stack, "AWS::ApiGatewayV2::Integration")
    assert refs(integration["IntegrationUri"]) == {alias}
    (permission,) = props(stack, "AWS::Lambda::Permission")
    assert refs(permission["FunctionName"]) == {alias}


# 40 paths with two methods each: per-route permissions would exceed Lambda's 20 KB resource policy.
MANY_ROUTES = [f"{method} /things{i}" for i in range(40) for method in ("GET", "POST")]


@pytest.mark.parametrize("api", ["http", "rest"])
def test_one_invoke_permission_per_api_whatever_the_routes(stack: Stack, api: str) -> None:
    """Lambda keeps a function's resource policy under 20,480 bytes: a permission per route (two per REST
    method, with the test invocation's) fails the deploy with PolicyLengthExceededException after a few dozen.
    One statement names the API's ARN with stage, method and path wildcards, so no other API may invoke."""
    built = ApiFunction(stack, "Api", api=api, entry=PLAIN, routes=MANY_ROUTES)
    (permission,) = props(stack, "AWS::Lambda::Permission")  # synthesized: DR-LAMBDA-POLICY-SIZE passed too
    assert permission["Principal"] == "apigateway.amazonaws.com" and permission["Action"] == "lambda:InvokeFunction"
    assert refs(permission["FunctionName"]) == {stack_id(stack, built.function.function)}
    parts = permission["SourceArn"]["Fn::Join"][1]
    assert parts[-2:] == [{"Ref": stack_id(stack, built.api)}, "/*/*/*"]
    assert ":execute-api:" in parts


def test_cors_only_when_given(stack: Stack) -> None:
    ApiFunction(stack, "Plain", entry=PLAIN)
    ApiFunction(stack, "Browser", entry=PLAIN, cors=ApiCors(allow_origins=["https://app.example.com"]))
    plain, browser = props(stack, "AWS::ApiGatewayV2::Api")
    assert "CorsConfiguration" not in plain
    assert browser["CorsConfiguration"] == {
        "AllowCredentials": False, "AllowHeaders": ["Authorization", "Content-Type", "Idempotency-Key"],
        "AllowMethods": ["GET", "POST", "PUT", "PATCH", "DELETE"], "AllowOrigins": ["https://app.example.com"],
        "MaxAge": 3600}


def test_rest_cors_answers_preflight_without_authorization(stack: Stack) -> None:
    ApiFunction(stack, "Api", api="rest", entry=PLAIN, routes=["GET /orders"],
                cors=ApiCors(allow_origins=["https://app.example.com"]))
    methods = {(m["HttpMethod"], m["AuthorizationType"]) for m in props(stack, "AWS::ApiGateway::Method")}
    assert ("GET", "COGNITO_USER_POOLS") in methods and ("OPTIONS", "NONE") in methods


def gateway_responses(stack: Stack) -> dict[str, dict]:
    return {r["ResponseType"]: r for r in props(stack, "AWS::ApiGateway::GatewayResponse")}


def test_rest_cors_reaches_browsers_on_api_gateways_own_errors_too(stack: Stack) -> None:
    """With the Lambda proxy integration API Gateway adds no CORS header to any answer but the preflight: its
    own 401 (Cognito), 403, 429 and 5XX answers would reach browsers as opaque CORS failures. DEFAULT_4XX and
    DEFAULT_5XX, which every other gateway response falls back to, carry the allowed origin; the stage's
    deployment waits for them (a gateway response reaches callers only through a deployment)."""
    built = ApiFunction(stack, "Api", api="rest", entry=PLAIN, routes=["GET /orders"],
                        cors=ApiCors(allow_origins=["https://app.example.com"]))
    answers = gateway_responses(stack)
    assert sorted(answers) == ["DEFAULT_4XX", "DEFAULT_5XX"]
    for answer in answers.values():
        assert answer["ResponseParameters"] == {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'"}
        assert answer["RestApiId"] == {"Ref": stack_id(stack, built.api)}
    (deployment,) = resources(stack, "AWS::ApiGateway::Deployment").values()
    assert set(resources(stack, "AWS::ApiGateway::GatewayResponse")) <= set(deployment["DependsOn"])
    # The function answers CORS on its own answers: it is told which origins.
    (function,) = props(stack, "AWS::Lambda::Function")
    assert function["Environment"]["Variables"] == {
        "CORS_ALLOW_ORIGINS": "https://app.example.com", "CORS_ALLOW_CREDENTIALS": "false"}


def test_rest_cors_with_several_origins_or_credentials(stack: Stack) -> None:
    """Gateway responses carry static values only: several origins get '*' (the answers hold API Gateway's own
    message, never the function's data); one origin with credentials gets Access-Control-Allow-Credentials."""
    ApiFunction(stack, "Several", api="rest", entry=PLAIN, environment={"STAGE": "prod"},
                cors=ApiCors(allow_origins=["https://app.example.com", "https://admin.example.com"]))
    ApiFunction(stack, "Cookies", api="rest", entry=PLAIN,
                cors=ApiCors(allow_origins=["https://app.example.com"], allow_credentials=True))
    several, cookies = ({r["ResponseType"]: r["ResponseParameters"] for r in props(stack,
                         "AWS::ApiGateway::GatewayResponse") if name in str(r["RestApiId"])}
                        for name in ("Several", "Cookies"))
    assert several["DEFAULT_4XX"] == several["DEFAULT_5XX"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    assert cookies["DEFAULT_4XX"] == cookies["DEFAULT_5XX"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'",
        "gatewayresponse.header.Access-Control-Allow-Credentials": "'true'"}
    variables = [f["Environment"]["Variables"] for f in props(stack, "AWS::Lambda::Function")]
    assert {"STAGE": "prod", "CORS_ALLOW_ORIGINS": "https://app.example.com,https://admin.example.com",
            "CORS_ALLOW_CREDENTIALS": "false"} in variables
    assert {"CORS_ALLOW_ORIGINS": "https://app.example.com", "CORS_ALLOW_CREDENTIALS": "true"} in variables


def test_http_cors_is_answered_by_api_gateway_alone(stack: Stack) -> None:
    ApiFunction(stack, "Api", entry=PLAIN, cors=ApiCors(allow_origins=["https://app.example.com"]))
    assert not resources(stack, "AWS::ApiGateway::GatewayResponse")
    (function,) = props(stack, "AWS::Lambda::Function")
    assert "CORS_ALLOW_ORIGINS" not in str(function.get("Environment"))


@pytest.mark.parametrize("api", ["http", "rest"])
def test_custom_domain_with_tls_1_2(regional: Stack, api: str) -> None:
    certificate = acm.Certificate.from_certificate_arn(regional, "Certificate", CERTIFICATE)
    built = ApiFunction(regional, "Api", api=api, entry=PLAIN, domain_name="api.example.com", certificate=certificate)
    kind = "AWS::ApiGatewayV2::DomainName" if api == "http" else "AWS::ApiGateway::DomainName"
    (domain,) = props(regional, kind)
    assert domain["DomainName"] == "api.example.com"
    policy = domain["DomainNameConfigurations"][0]["SecurityPolicy"] if api == "http" else domain["SecurityPolicy"]
    assert policy == "TLS_1_2"
    assert built.url == "https://api.example.com/" and built.domain is not None
    mapping = "AWS::ApiGatewayV2::ApiMapping" if api == "http" else "AWS::ApiGateway::BasePathMapping"
    assert len(props(regional, mapping)) == 1


def test_a_web_acl_protects_the_rest_stage(regional: Stack) -> None:
    built = ApiFunction(regional, "Api", api="rest", entry=PLAIN, web_acl_arn=WEB_ACL)
    (association,) = props(regional, "AWS::WAFv2::WebACLAssociation")
    assert association["WebACLArn"] == WEB_ACL
    assert stack_id(regional, built.api.deployment_stage) in refs(association["ResourceArn"])


def test_rest_apis_of_a_stack_share_the_account_setting_of_the_first(stack: Stack) -> None:
    first = ApiFunction(stack, "First", api="rest", entry=PLAIN)
    second = ApiFunction(stack, "Second", api="rest", entry=PLAIN)
    (account_id, account), = resources(stack, "AWS::ApiGateway::Account").items()
    assert account_id == stack.get_logical_id(first.api.node.find_child("Account"))
    # The region's logging role is set before either stage logs.
    stages = resources(stack, "AWS::ApiGateway::Stage")
    assert account_id in stages[stack_id(stack, first.stage)]["DependsOn"]
    assert account_id in stages[stack_id(stack, second.stage)]["DependsOn"]
    assert second.api.node.try_find_child("CloudWatchRole") is None


def test_rest_apis_of_two_stacks_each_set_the_account() -> None:
    app = make_app()
    stacks = [Stack(app, name) for name in ("One", "Two")]
    for stack in stacks:
        ApiFunction(stack, "Api", api="rest", entry=PLAIN)
    assert [len(resources(stack, "AWS::ApiGateway::Account")) for stack in stacks] == [1, 1]


def stack_id(stack: Stack, construct) -> str:
    return stack.get_logical_id(construct.node.default_child)


@pytest.mark.parametrize("api, timeout", [("http", 30), ("rest", 29)])
def test_a_function_timeout_up_to_the_integration_timeout_is_accepted(stack: Stack, api: str, timeout: int) -> None:
    ApiFunction(stack, "Api", api=api, entry=PLAIN, timeout=Duration.seconds(timeout))
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {"Timeout": timeout})


def test_alarms(stack: Stack) -> None:
    http_api = ApiFunction(stack, "Http", entry=PLAIN)
    rest_api = ApiFunction(stack, "Rest", api="rest", entry=PLAIN, timeout=Duration.seconds(29))
    for built, latency_ms in ((http_api, 8000), (rest_api, 23200)):
        assert {"server_errors", "client_error_rate", "latency"} <= set(built.alarms)
        assert watched_by(built) == {"FunctionErrors", "FunctionThrottles"}  # the stack's alarms
        latency = stack.resolve(built.alarms["latency"].node.default_child.threshold)
        assert latency == latency_ms  # 80 % of the function's timeout: 10 s by default, 29 s
    rate = stack.resolve(http_api.alarms["client_error_rate"].node.default_child.metrics)
    assert rate[0]["expression"] == "IF(requests >= 20, 100 * errors / requests, 0)"
    assert stack.resolve(http_api.alarms["client_error_rate"].node.default_child.threshold) == 10
    template_of(stack).has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "5xx", "Namespace": "AWS/ApiGateway", "Threshold": 1, "Statistic": "Sum"})


def test_access_log_retention(stack: Stack) -> None:
    from aws_cdk import aws_logs as logs

    built = ApiFunction(stack, "Api", entry=PLAIN, access_log_retention=logs.RetentionDays.THREE_MONTHS)
    (group,) = [r for lid, r in resources(stack, "AWS::Logs::LogGroup").items()
                if lid == stack_id(stack, built.access_log_group)]
    assert group["Properties"]["RetentionInDays"] == 90 and group["DeletionPolicy"] == "Retain"


WHERE = re.escape("ApiFunction 'Test/Api': ")


@pytest.mark.parametrize(("options", "message"), [
    ({"api": "soap"}, "api 'soap' must be 'http' or 'rest': did you mean"),
    ({"auth": "basic"}, "auth 'basic' must be 'cognito' or 'iam' or 'none': did you mean"),
    ({"auth": "none"}, "auth 'none' makes every route callable by anyone on the internet: pass "
                       "allow_public_api=True to confirm, or use 'cognito' or 'iam'"),
    ({"allow_public_api": True}, "allow_public_api True applies only to auth='none'"),
    ({"auth": "iam", "user_pool": "pool"}, "user_pool 'given' applies only to auth='cognito'"),
    ({"auth": "iam", "self_sign_up": True}, "self_sign_up True applies only to the user pool ApiFunction creates "
                                            "(auth='cognito' without user_pool=)"),
    ({"user_pool": "pool", "feature_plan": cognito.FeaturePlan.PLUS},
     "feature_plan 'PLUS' applies only to the user pool ApiFunction creates"),
    ({"routes": []}, "routes [] must name at least one route"),
    ({"routes": ["GET orders"]}, "routes 'GET orders' must have a path that starts with '/'"),
    ({"routes": ["GET  /orders"]}, "routes 'GET  /orders' must be 'METHOD /path', e.g. 'GET /orders/{id}'"),
    ({"routes": ["FETCH /orders"]}, "routes 'FETCH /orders' has method 'FETCH': use one of GET, POST, PUT, PATCH, "
                                    "DELETE, HEAD, OPTIONS, ANY"),
    ({"routes": ["get /orders"]}, "routes 'get /orders' has method 'get'"),
    ({"routes": ["GET /orders/"]}, "routes 'GET /orders/' must have a path that starts with '/' and has no empty "
                                   "segment or trailing '/'"),
    ({"routes": ["GET /a/{rest+}/b"]}, "routes 'GET /a/{rest+}/b' has the greedy variable {rest+} before the last "
                                       "segment"),
    ({"routes": ["GET /or%20ders"]}, "routes 'GET /or%20ders' has the segment 'or%20ders': use letters, digits"),
    ({"routes": ["GET /orders/{order-id}"]}, "routes 'GET /orders/{order-id}' has the segment '{order-id}'"),
    ({"routes": ["GET /orders", "GET /orders"]}, "routes 'GET /orders' is given twice"),
    ({"routes": ["GET /orders/{id}", "DELETE /orders/{orderId}"]},
     "routes ['{id}', '{orderId}'] name different variables at the same place under '/orders': use one name"),
    ({"throttle_rate_limit": -1}, "throttle_rate_limit -1 must be 0 or more requests per second"),
    ({"throttle_burst_limit": 0}, "throttle_burst_limit 0 must be 1 or more requests"),
    ({"throttle_burst_limit": 2.5}, "throttle_burst_limit 2.5 must be an int, given float"),
    ({"domain_name": "api.example.com"}, "domain_name 'api.example.com' and certificate go together"),
    ({"timeout": Duration.seconds(31)}, "timeout 31 seconds is longer than the 30 s that an HTTP API waits for the "
                                        "function: callers would get 504 while it still runs; use at most 30 s"),
    ({"api": "rest", "timeout": Duration.seconds(30)}, "timeout 30 seconds is longer than the 29 s that a REST API "
                                                       "waits for the function"),
    ({"function_url_auth": "AWS_IAM"}, "function_url_auth 'AWS_IAM' would give the function a second, direct door "
                                       "that bypasses the API's authorization and throttling"),
    ({"web_acl_arn": WEB_ACL}, f"web_acl_arn '{WEB_ACL}' applies only to api='rest': AWS WAF cannot protect an "
                               "HTTP API"),
    ({"cors": ApiCors(allow_origins=[])}, "cors.allow_origins [] must name at least one origin"),
    ({"cors": ApiCors(allow_origins=["app.example.com"])}, "cors.allow_origins 'app.example.com' must be '*' or "
                                                           "'https://host[:port]'"),
    ({"cors": ApiCors(allow_origins=["*"], allow_credentials=True)},
     "cors.allow_credentials True cannot go with the origin '*'"),
    ({"cors": ApiCors(allow_origins=["*"], allow_methods=["FETCH"])}, "cors.allow_methods 'FETCH' must be 'GET' or"),
    ({"cors": ApiCors(allow_origins=["*"], max_age=Duration.days(2))},
     "cors.max_age 2 days must be between 0 and 86400 seconds inclusive"),
    ({"api": "rest", "cors": ApiCors(allow_origins=["https://a.example.com", "https://b.example.com"],
                                     allow_credentials=True)},
     "cors.allow_origins ['https://a.example.com', 'https://b.example.com'] cannot all be answered with credentials "
     "on a REST API: its own error answers (401, 403, 429, 5XX) carry one static Access-Control-Allow-Origin, and "
     "browsers refuse '*' with credentials; name one origin, or use api='http', which answers each allowed origin"),
    ({"api": "rest", "cors": ApiCors(allow_origins=["*"]), "environment": {"CORS_ALLOW_ORIGINS": "*"}},
     "environment 'CORS_ALLOW_ORIGINS' is set by ApiFunction from cors= for the function of a REST API"),
])
def test_bad_configuration_is_refused(stack: Stack, options: dict, message: str) -> None:
    if options.get("user_pool") == "pool":
        options = {**options, "user_pool": cognito.UserPool.from_user_pool_id(stack, "Pool", "eu-west-1_abcdefghi")}
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ApiFunction(stack, "Api", entry=PLAIN, **options)


def test_custom_domain_checks(regional: Stack) -> None:
    elsewhere = acm.Certificate.from_certificate_arn(
        regional, "UsEast1", CERTIFICATE.replace("eu-west-1", "us-east-1"))
    with pytest.raises(ConfigurationError) as refused:
        ApiFunction(regional, "Api", entry=PLAIN, domain_name="API.example.com", certificate=elsewhere)
    assert refused.value.errors == [
        "ApiFunction 'Test/Api': domain_name 'API.example.com' must be a lower-case host name such as "
        "'api.example.com'",
        f"ApiFunction 'Test/Api': certificate '{CERTIFICATE.replace('eu-west-1', 'us-east-1')}' is in us-east-1: a "
        "regional custom domain needs its certificate in the API's region (eu-west-1)",
    ]


def test_every_broken_rule_is_reported_at_once(stack: Stack) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ApiFunction(stack, "Api", entry=PLAIN, auth="none", routes=["GET /x", "GET /x"], throttle_burst_limit=0)
    assert len(refused.value.errors) == 3


def test_access_logs_match_the_stage(stack: Stack) -> None:
    """The stage writes to the construct's own log group, kept a year by default."""
    built = ApiFunction(stack, "Api", entry=PLAIN)
    template_of(stack).has_resource("AWS::Logs::LogGroup", {
        "Properties": {"RetentionInDays": 365}, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    assert built.access_log_group is not None
    template_of(stack).has_resource_properties("AWS::ApiGatewayV2::Stage", {
        "AccessLogSettings": {"DestinationArn": Match.any_value(), "Format": Match.string_like_regexp("requestId")}})
