"""The regulated profile's network: a library function given no VPC runs in the private subnets of its account's and
region's network (a stack of the app or stage), which has no route out and the VPC endpoints its functions' roles
say they call."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Environment, Stack, Stage
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from cdk_nag import NIST80053R5Checks

from constructs_lib import (
    ConfigurationError,
    QueueWorker,
    ServerlessFunction,
    VpcFunction,
    keep_out_of_network,
)
from constructs_lib.resources.endpoint_needs import needs
from constructs_lib.resources.function_network import FunctionNetwork
from tests.helpers import PLAIN, make_app, template_of
from tests.test_profile import pack_rules

REGULATED = {"constructs_lib:profile": "regulated", "constructs_lib:concurrency-quota": 1000}
EU = Environment(account="111111111111", region="eu-west-1")


def regulated_app() -> App:
    return make_app(**REGULATED)


def resources(stack: Stack, kind: str) -> dict[str, dict]:
    return template_of(stack).find_resources(kind)


def endpoint_services(network: Stack) -> dict[str, str]:
    """Each endpoint's service (the last part of its name) -> its type."""
    found = {}
    for endpoint in resources(network, "AWS::EC2::VPCEndpoint").values():
        name = json.dumps(endpoint["Properties"]["ServiceName"])
        found[name.rsplit(".", 1)[1].strip('"]}')] = endpoint["Properties"].get("VpcEndpointType", "Gateway")
    return found


def test_a_regulated_function_runs_in_the_networks_private_subnets_with_no_route_out() -> None:
    app = regulated_app()
    stack = Stack(app, "Service")
    function = ServerlessFunction(stack, "Fn", entry=PLAIN)
    network = app.node.find_child("RegulatedNetwork")
    assert isinstance(network, FunctionNetwork)
    (properties,) = [r["Properties"] for r in resources(stack, "AWS::Lambda::Function").values()]
    assert properties["VpcConfig"]["SubnetIds"] == [{"Fn::ImportValue": "RegulatedNetwork-Subnet1"},
                                                    {"Fn::ImportValue": "RegulatedNetwork-Subnet2"}]
    (group,) = resources(stack, "AWS::EC2::SecurityGroup").values()
    assert group["Properties"]["VpcId"] == {"Fn::ImportValue": "RegulatedNetwork-VpcId"}
    assert group["Properties"]["SecurityGroupEgress"] == [{
        "CidrIp": "0.0.0.0/0", "Description": "AWS APIs through the VPC's endpoints: its subnets have no other route "
        "out", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443}]
    assert "SecurityGroupIngress" not in group["Properties"]
    # Lambda creates the function's interfaces with its role when it creates the function: allowed, on its subnets.
    statements = json.dumps(template_of(stack).to_json())
    assert "ec2:CreateNetworkInterface" in statements and '"Fn::ImportValue": "RegulatedNetwork-Subnet1"' in statements
    # The network: private subnets in two zones, no internet gateway, NAT or route at all; its exports are the names
    # the function's stack imports, and that stack deploys after it.
    network_template = template_of(network)
    network_template.resource_count_is("AWS::EC2::Subnet", 2)
    for kind in ("AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::Route"):
        network_template.resource_count_is(kind, 0)
    network_template.resource_count_is("AWS::EC2::FlowLog", 1)
    exports = {o["Export"]["Name"] for o in network_template.to_json()["Outputs"].values()}
    assert exports == {"RegulatedNetwork-VpcId", "RegulatedNetwork-Subnet1", "RegulatedNetwork-Subnet2",
                       "RegulatedNetwork-RouteTable1", "RegulatedNetwork-RouteTable2"}
    assert network in stack.dependencies
    assert function.function.is_bound_to_vpc


def test_the_network_has_the_endpoints_its_functions_roles_let_them_call() -> None:
    app = regulated_app()
    stack = Stack(app, "Service")
    table = dynamodb.TableV2(stack, "Orders", partition_key=dynamodb.Attribute(
        name="id", type=dynamodb.AttributeType.STRING))
    writer = ServerlessFunction(stack, "Writer", entry=PLAIN)
    table.grant_read_write_data(writer.function)
    notifier = ServerlessFunction(stack, "Notifier", entry=PLAIN)
    sqs.Queue(stack, "Outbox", enforce_ssl=True).grant_send_messages(notifier.function)
    network = app.node.find_child("RegulatedNetwork")
    assert isinstance(network, Stack)
    # DynamoDB through a (free) gateway endpoint; SQS for the notifier's sends, X-Ray for the traces; nothing for
    # the logs and the failed-events queue, which Lambda writes from its own network.
    assert endpoint_services(network) == {"dynamodb": "Gateway", "sqs": "Interface", "xray": "Interface"}
    # One security group for the stack's functions: Lambda shares a network interface per group and subnet.
    (group,) = resources(stack, "AWS::EC2::SecurityGroup").values()
    assert group["Properties"]["GroupDescription"].startswith("Library functions in the regulated profile network")
    # Each interface endpoint answers HTTPS from the VPC's own range, as the template states it.
    for group in resources(network, "AWS::EC2::SecurityGroup").values():
        if "endpoint" in json.dumps(group).lower():
            assert group["Properties"]["SecurityGroupIngress"] == [{
                "CidrIp": "10.0.0.0/16", "Description": "The VPC's own address range", "FromPort": 443,
                "IpProtocol": "tcp", "ToPort": 443}]


def test_what_lambda_polls_for_a_function_needs_no_endpoint() -> None:
    app = regulated_app()
    QueueWorker(Stack(app, "Worker"), "Orders", entry=PLAIN)
    network = app.node.find_child("RegulatedNetwork")
    assert isinstance(network, Stack)
    assert endpoint_services(network) == {"xray": "Interface"}


def test_a_role_that_calls_a_service_the_network_cannot_reach_is_refused_at_synth() -> None:
    app = regulated_app()
    function = ServerlessFunction(Stack(app, "Service"), "Fn", entry=PLAIN)
    function.role.add_to_policy(iam.PolicyStatement(actions=["iot:Publish"], resources=["*"]))
    with pytest.raises(RuntimeError, match=r"Service/Fn/Function.*iot:Publish.*keep_out_of_network"):
        app.synth()


def test_each_account_and_region_of_a_stage_has_one_network() -> None:
    app = regulated_app()
    for name in ("One", "Two"):
        ServerlessFunction(Stack(app, name, env=EU), "Fn", entry=PLAIN)
    ServerlessFunction(Stack(app, "Virginia", env=Environment(account="111111111111", region="us-east-1")), "Fn",
                       entry=PLAIN)
    stage = Stage(app, "Beta", env=EU)
    ServerlessFunction(Stack(stage, "Service"), "Fn", entry=PLAIN)
    assert sorted(c.node.id for c in app.node.children if isinstance(c, FunctionNetwork)) == [
        "RegulatedNetwork-111111111111-eu-west-1", "RegulatedNetwork-111111111111-us-east-1"]
    (staged,) = [c for c in stage.node.children if isinstance(c, FunctionNetwork)]
    assert staged.stack_name == "Beta-RegulatedNetwork-111111111111-eu-west-1"
    # Apps that share an account and region name their networks apart.
    named = make_app(**REGULATED, **{"constructs_lib:network-name": "ShopNetwork"})
    ServerlessFunction(Stack(named, "Service", env=EU), "Fn", entry=PLAIN)
    assert [c.node.id for c in named.node.children if isinstance(c, FunctionNetwork)] == [
        "ShopNetwork-111111111111-eu-west-1"]


def test_a_scope_kept_out_of_the_network_answers_the_packs_rule_with_its_reason() -> None:
    app = make_app(**REGULATED, **{"@aws-cdk/core:validationReportJson": True})
    stack = Stack(app, "Service")
    with pytest.raises(ConfigurationError, match="reason"):
        keep_out_of_network(stack, "because")
    keep_out_of_network(stack, "Calls a partner's HTTPS API; its egress is inspected by the account's firewall.")
    function = ServerlessFunction(stack, "Fn", entry=PLAIN)
    assert app.node.try_find_child("RegulatedNetwork") is None
    assert not function.function.is_bound_to_vpc
    rules = pack_rules(app, NIST80053R5Checks)
    assert "CloudWatchAlarmAction" in rules and "LambdaInsideVPC" not in rules  # the pack ran; the rule answered


@pytest.mark.parametrize("profile", ["default", "regulated"])
def test_a_function_given_a_vpc_and_every_default_function_make_no_network(profile: str) -> None:
    app = make_app(**{**REGULATED, "constructs_lib:profile": profile})
    stack = Stack(app, "Service", env=EU)
    VpcFunction(stack, "Private", entry=PLAIN)
    if profile == "default":
        ServerlessFunction(stack, "Fn", entry=PLAIN)
    assert not [c for c in app.node.children if isinstance(c, FunctionNetwork)]


LAMBDA_QUEUE = {"Fn::GetAtt": ["Failures", "Arn"]}
OWN_FUNCTION = {"Fn::GetAtt": ["Fn", "Arn"]}


@pytest.mark.parametrize("statement, services", [
    ({"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": LAMBDA_QUEUE}, set()),
    ({"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": {"Fn::GetAtt": ["Outbox", "Arn"]}}, {"sqs"}),
    ({"Effect": "Allow", "Action": "lambda:InvokeFunction",
      "Resource": {"Fn::Join": ["", [OWN_FUNCTION, ":*"]]}}, set()),
    ({"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeSubnets"], "Resource": "*"}, set()),
    ({"Effect": "Allow", "Action": ["kinesis:PutRecord", "cloudwatch:PutMetricData"], "Resource": "*"},
     {"kinesis-streams", "monitoring"}),
    ({"Effect": "Deny", "Action": ["sns:Publish"], "Resource": "*"}, set()),
    # Endpoints named otherwise than the IAM prefix, and a permission that is no request of its own.
    ({"Effect": "Allow", "Action": ["ses:SendEmail", "appconfig:GetLatestConfiguration", "iam:PassRole"],
      "Resource": "*"}, {"email", "appconfigdata"}),
])
def test_a_statement_needs_an_endpoint_unless_lambda_uses_its_resources(statement: dict, services: set) -> None:
    found = needs([statement], [LAMBDA_QUEUE, OWN_FUNCTION])
    assert set(found.interfaces) == services and not found.gateways and not found.unknown


def test_s3_and_dynamodb_go_through_gateways_and_what_no_endpoint_serves_is_named() -> None:
    found = needs([{"Effect": "Allow", "Action": ["s3:GetObject", "dynamodb:PutItem", "iot:Publish",
                                                  "execute-api:Invoke", "lambda:InvokeFunctionUrl"], "Resource": "*"},
                   {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}], [])
    assert found.gateways == {"s3", "dynamodb"}
    assert found.unknown == {"iot": "iot:Publish", "execute-api": "execute-api:Invoke",
                             "lambda": "lambda:InvokeFunctionUrl", "NotAction": "an Allow of every action but some "
                             "(NotAction)"}


def test_keys_that_encrypt_a_service_at_rest_need_no_endpoint_and_unreadable_policies_are_refused() -> None:
    """SQS calls KMS for a sender to a queue encrypted with a customer managed key; a managed policy the stack does
    not define (an AWS managed one) cannot be read, so what it allows cannot be served."""
    app = regulated_app()
    stack = Stack(app, "Service")
    sender = ServerlessFunction(stack, "Sender", entry=PLAIN)
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    sqs.Queue(stack, "Encrypted", encryption_master_key=key, enforce_ssl=True).grant_send_messages(sender.function)
    network = app.node.find_child("RegulatedNetwork")
    assert isinstance(network, Stack)
    assert endpoint_services(network) == {"sqs": "Interface", "xray": "Interface"}  # no kms
    app = regulated_app()
    reader = ServerlessFunction(Stack(app, "Service"), "Reader", entry=PLAIN)
    reader.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name("AmazonS3ReadOnlyAccess"))
    with pytest.raises(RuntimeError, match=r"Service/Reader/Function': its role allows what the managed policy .*"
                                           "AmazonS3ReadOnlyAccess.* allows, which it cannot read"):
        app.synth()


def test_the_regulated_demo_and_every_construct_app_pass_every_pack_with_their_functions_in_networks(
        regulated_templates: dict[str, dict], regulated_every_templates: dict[str, dict]) -> None:
    """Both synths ran the compliance packs (and the demo its four other plugins) and would have failed on any
    finding. What they made: every library function (those that stop recursive loops) runs in a network but the
    delivery pipeline's smoke test, kept out with its reason."""
    for templates, networks in ((regulated_templates, {"RegulatedNetwork-us-east-1"}),
                                (regulated_every_templates, {"RegulatedNetwork-111111111111-us-east-1"})):
        assert networks <= set(templates)
        functions = {f"{name}/{logical_id}": resource["Properties"] for name, template in templates.items()
                     for logical_id, resource in template["Resources"].items()
                     if resource["Type"] == "AWS::Lambda::Function"
                     and resource["Properties"].get("RecursiveLoop") == "Terminate"}
        outside = sorted(where for where, properties in functions.items() if "VpcConfig" not in properties)
        assert len(functions) > 20 and all("SmokeTests" in where for where in outside), outside
