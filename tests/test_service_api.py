"""ServiceApi: one API, many functions, each invoked only for its routes and with one permission for the API."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from aws_cdk import Duration, Stack, Validations
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from constructs_lib import ApiCors, ConfigurationError, ServiceApi
from constructs_lib.cli.scanners import cfn_lint
from constructs_lib.observability.alarms import watching
from constructs_lib.rules.lambda_policy_size import LIMIT as POLICY_LIMIT_BYTES
from tests.helpers import PLAIN, make_app, template_of

SERVICE_API = re.escape("ServiceApi 'Test/Api': ")


def integration_target(template, route_key: str) -> str:
    """The function (logical ID) whose integration serves a route of an HTTP API."""
    (route,) = [r for r in template.find_resources("AWS::ApiGatewayV2::Route").values()
                if r["Properties"]["RouteKey"] == route_key]
    integration_id = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
    integration = template.find_resources("AWS::ApiGatewayV2::Integration")[integration_id]
    return integration["Properties"]["IntegrationUri"]["Fn::GetAtt"][0]


def test_each_route_invokes_its_own_function_through_one_permission_each(stack: Stack) -> None:
    api = ServiceApi(stack, "Api")
    orders = api.add_function("Orders", routes=["GET /orders", "POST /orders"], entry=PLAIN)
    greeting = api.add_function("Greeting", routes=["GET /hello"], entry=PLAIN)
    template = template_of(stack)
    orders_id = stack.get_logical_id(orders.function.node.default_child)
    greeting_id = stack.get_logical_id(greeting.function.node.default_child)
    assert integration_target(template, "GET /orders") == orders_id
    assert integration_target(template, "POST /orders") == orders_id
    assert integration_target(template, "GET /hello") == greeting_id
    permissions = template.find_resources("AWS::Lambda::Permission")
    assert sorted(p["Properties"]["FunctionName"]["Fn::GetAtt"][0] for p in permissions.values()) == sorted(
        [orders_id, greeting_id])
    for permission in permissions.values():  # any stage, method and path of this API, no other API
        source = permission["Properties"]["SourceArn"]["Fn::Join"][1]
        assert {"Ref": stack.get_logical_id(api.api.node.default_child)} in source and source[-1] == "/*/*/*"
    # One API, stage, user pool, authorizer and access log group for both.
    counts = Counter(r["Type"] for r in template.to_json()["Resources"].values())
    assert (counts["AWS::ApiGatewayV2::Api"], counts["AWS::ApiGatewayV2::Stage"], counts["AWS::Cognito::UserPool"],
            counts["AWS::ApiGatewayV2::Authorizer"]) == (1, 1, 1, 1)
    assert set(api.functions) == {"Orders", "Greeting"}


def test_a_rest_api_gives_each_function_one_permission_under_the_api(stack: Stack) -> None:
    api = ServiceApi(stack, "Api", api="rest", auth="iam")
    for name, path in (("Orders", "/orders"), ("Items", "/orders/{id}/items")):
        api.add_function(name, routes=[f"GET {path}", f"POST {path}"], entry=PLAIN)
    template = template_of(stack)
    permissions = template.find_resources("AWS::Lambda::Permission")
    assert len(permissions) == 2  # not two per method
    assert len(template.find_resources("AWS::ApiGateway::Method", {"Properties": {"AuthorizationType": "AWS_IAM"}})
               ) == 4


def test_the_apis_alarms_and_its_functions_notify_its_topic(stack: Stack) -> None:
    topic = sns.Topic(stack, "Alarms", enforce_ssl=True)
    api = ServiceApi(stack, "Api", alarm_topic=topic)
    api.add_function("Orders", routes=["GET /orders"], entry=PLAIN)
    own = sns.Topic(stack, "Own", enforce_ssl=True)
    audit = api.add_function("Audit", routes=["GET /audit"], entry=PLAIN, alarm_topic=own)
    assert {"server_errors", "client_error_rate", "latency"} <= set(api.alarms)
    resolved = {name: stack.resolve(alarm.node.default_child.alarm_actions) for name, alarm in api.alarms.items()}
    topic_ref, own_ref = ({"Ref": stack.get_logical_id(t.node.default_child)} for t in (topic, own))
    assert resolved["server_errors"] == [topic_ref]
    # The functions' errors and throttles are the stack's alarms: those of the API's topic, and of the function's own.
    actions = [stack.resolve(alarm.node.default_child.alarm_actions) for alarm in watching(api.functions["Orders"])]
    assert actions == [[topic_ref], [topic_ref]]
    assert [stack.resolve(alarm.node.default_child.alarm_actions) for alarm in watching(audit)] == [[own_ref]] * 2
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("notify nobody"))


def test_without_a_topic_its_alarms_are_said_to_notify_nobody_once(stack: Stack) -> None:
    api = ServiceApi(stack, "Api")
    api.add_function("Orders", routes=["GET /orders"], entry=PLAIN)
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("notify nobody"))
    assert [w.id for w in warnings] == ["/Test/Api"]


@pytest.mark.parametrize("second, message", [
    (["GET /orders"], "Orders: routes 'GET /orders' is served by the function 'List' already"),
    (["GET /orders/{orderId}"], "routes ['{id}', '{orderId}'] name different variables at the same place under '/orders'"),
    (["FETCH /orders"], "routes 'FETCH /orders' has method 'FETCH'"),
    ([], "routes [] must name at least one route"),
])
def test_routes_are_checked_across_the_functions_of_the_api(stack: Stack, second, message) -> None:
    api = ServiceApi(stack, "Api")
    api.add_function("List", routes=["GET /orders", "GET /orders/{id}"], entry=PLAIN)
    with pytest.raises(ConfigurationError, match=SERVICE_API + re.escape(message)):
        api.add_function("Orders", routes=second, entry=PLAIN)


@pytest.mark.parametrize("props, message", [
    ({"timeout": 31}, "timeout 31 seconds is longer than the 30 s that an HTTP API waits for the function"),
    ({"tenancy": "per_tenant"}, "tenancy 'per_tenant' cannot be used here: ServiceApi (put a tenant-isolated function behind ApiFunction"),
    ({"function_url_auth": "iam"}, "function_url_auth 'iam' would give the function a second, direct door"),
    ({"on_succes": None}, "on_succes 'given' is not an option of this construct or of its function"),
])
def test_a_function_the_api_cannot_serve_is_refused(stack: Stack, props, message) -> None:
    from aws_cdk import Duration

    props = {k: Duration.seconds(v) if k == "timeout" else v for k, v in props.items()}
    with pytest.raises(ConfigurationError, match=SERVICE_API + re.escape(message)):
        ServiceApi(stack, "Api").add_function("Orders", routes=["GET /orders"], entry=PLAIN, **props)


def test_the_apis_own_options_are_checked_as_api_functions_are(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=SERVICE_API + re.escape(
            "auth 'none' makes every route callable by anyone on the internet")):
        ServiceApi(stack, "Api", auth="none")


def test_a_rest_function_behind_cors_gets_the_origins_to_answer_with(stack: Stack) -> None:
    api = ServiceApi(stack, "Api", api="rest", cors=ApiCors(allow_origins=["https://shop.example.com"]))
    orders = api.add_function("Orders", routes=["GET /orders"], entry=PLAIN)
    function = template_of(stack).to_json()["Resources"][stack.get_logical_id(orders.function.node.default_child)]
    assert function["Properties"]["Environment"]["Variables"]["CORS_ALLOW_ORIGINS"] == "https://shop.example.com"


def test_an_api_without_functions_fails_the_synth() -> None:
    app = make_app()
    ServiceApi(Stack(app, "Test"), "Api", auth="iam")
    with pytest.raises(Exception, match="ServiceApi has no function: give it one with add_function"):
        app.synth()


# --- many functions -------------------------------------------------------------------------------------------

FUNCTIONS, ROUTES_EACH = 25, 2


@pytest.fixture(scope="module")
def service_of_25_functions() -> Path:
    """An HTTP API of 50 routes over 25 functions, synthesized once, through DeployRules and cdk-nag's packs."""
    app = make_app()
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    stack = Stack(app, "Service")
    topic = sns.Topic(stack, "Alarms", enforce_ssl=True)
    api = ServiceApi(stack, "Api", alarm_topic=topic)
    for index in range(FUNCTIONS):
        api.add_function(f"Resource{index}", entry=PLAIN,
                         routes=[f"GET /resource{index}", f"PUT /resource{index}/{{id}}"])
    (template,) = Path(app.synth().directory).glob("Service.template.json")  # a finding fails the synth
    return template


def test_an_api_of_50_routes_over_25_functions_passes_the_gates(service_of_25_functions: Path) -> None:
    assert cfn_lint([service_of_25_functions]) == {"cfn-lint": [], "cfn-lint-serverless": []}
    resources = json.loads(service_of_25_functions.read_text())["Resources"]
    counts = Counter(r["Type"] for r in resources.values())
    assert counts["AWS::ApiGatewayV2::Route"] == FUNCTIONS * ROUTES_EACH
    assert counts["AWS::Lambda::Permission"] == FUNCTIONS  # one per function, whatever its routes
    assert counts["AWS::ApiGatewayV2::Api"] == 1 and counts["AWS::ApiGatewayV2::Integration"] == FUNCTIONS
    assert len(resources) < 500  # CloudFormation's resources per stack
    # Each function's policy holds one statement, far below Lambda's limit.
    statement = max(len(json.dumps(r["Properties"])) for r in resources.values()
                    if r["Type"] == "AWS::Lambda::Permission")
    assert statement * 2 < POLICY_LIMIT_BYTES


def test_the_latency_alarm_follows_the_longest_function_timeout(stack: Stack) -> None:
    """Lambda stops a function at its timeout, so p99 latency never nears the 30 s integration timeout of an API
    whose functions stop at 10 s: the alarm's threshold is 80 % of the longest timeout of its functions."""
    api = ServiceApi(stack, "Api")
    threshold = api.alarms["latency"].node.default_child
    assert stack.resolve(threshold.threshold) == 24000  # no function yet: the integration timeout
    api.add_function("Quick", routes=["GET /quick"], entry=PLAIN, timeout=Duration.seconds(3))
    assert stack.resolve(threshold.threshold) == 2400
    api.add_function("Slow", routes=["GET /slow"], entry=PLAIN, timeout=Duration.seconds(20))
    api.add_function("Default", routes=["GET /default"], entry=PLAIN)
    template = template_of(stack)
    template.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "Latency", "Threshold": 16000,
        "AlarmDescription": "p99 latency over 80% of the longest timeout of its functions (20 s) (Test/Api)"})
