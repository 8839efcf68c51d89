"""Choices the demo app makes for a first deployment: nothing that a new account refuses, every alarm
routed to a topic, HTTPS when a certificate is given."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import Environment

from stacks.alb_stack import AlbStack
from stacks.api_stack import ApiStack
from stacks.deployment_stack import DeploymentStack
from tests.conftest import templates_in
from tests.helpers import make_app, role_statements, template_of

CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"


def test_provisioned_concurrency_is_opt_in() -> None:
    """A new account's concurrency quota may be 10; provisioned concurrency must leave 100 unreserved."""
    default = template_of(DeploymentStack(make_app(demo=True), "SafeDeploymentDemo"))
    (alias,) = default.find_resources("AWS::Lambda::Alias").values()
    assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
    default.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)
    opted_in = template_of(DeploymentStack(
        make_app(demo=True, **{"constructs_lib:provisioned-concurrency": "2"}), "SafeDeploymentDemo"))
    (alias,) = opted_in.find_resources("AWS::Lambda::Alias").values()
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    (target,) = opted_in.find_resources("AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert (target["Properties"]["MinCapacity"], target["Properties"]["MaxCapacity"]) == (2, 10)


def test_every_alarm_of_every_demo_stack_notifies_a_topic(assembly: Path) -> None:
    for name, template in templates_in(assembly).items():
        (topic_id,) = [k for k in template["Resources"] if k.startswith("AlarmsTopic")
                       and template["Resources"][k]["Type"] == "AWS::SNS::Topic"]
        alarms = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"}
        assert alarms, name
        for logical_id, alarm in alarms.items():
            assert {"Ref": topic_id} in alarm["Properties"].get("AlarmActions", []), (name, logical_id)


@pytest.mark.parametrize("context, protocols", [
    ({}, {80: "HTTP"}),
    ({"constructs_lib:alb-certificate-arn": CERTIFICATE}, {443: "HTTPS", 80: "HTTP"}),
])
def test_the_load_balancer_demo_serves_https_when_given_a_certificate(context: dict, protocols: dict) -> None:
    template = template_of(AlbStack(make_app(demo=True, **context), "AlbFunctionDemo",
                                    env=Environment(region="us-east-1")))
    listeners = {l["Properties"]["Port"]: l["Properties"] for l in
                 template.find_resources("AWS::ElasticLoadBalancingV2::Listener").values()}
    assert {port: listener["Protocol"] for port, listener in listeners.items()} == protocols
    if 443 in listeners:
        assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"


def test_the_orders_api_may_read_and_write_only_its_table() -> None:
    stack = ApiStack(make_app(demo=True), "ApiDemo")
    template = template_of(stack)
    table = stack.get_logical_id(stack.orders.node.default_child)
    role = stack.get_logical_id(stack.api.function.role.node.default_child)
    granted = role_statements(template, role)
    (orders,) = [s for s in granted if table in str(s["Resource"])]
    assert sorted(orders["Action"]) == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
    assert [r["Properties"]["RouteKey"] for r in template.find_resources("AWS::ApiGatewayV2::Route").values()] == [
        "GET /orders", "GET /orders/{id}", "POST /orders"]
    template.has_resource_properties("AWS::Lambda::Function", {"Environment": {"Variables": {
        "TABLE_NAME": {"Ref": table}, "API_KIND": "http", "POWERTOOLS_SERVICE_NAME": "orders-api"}}})
