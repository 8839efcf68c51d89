"""AlbFunction: load balancer, listeners, target group, permissions, security group, logs, checks."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2

from constructs_lib import AlbFunction, ConfigurationError, Deployment
from tests.helpers import PLAIN, make_app, template_of

CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"


@pytest.fixture
def stack() -> Stack:
    return Stack(make_app(), "Test", env=Environment(region="eu-west-1"))


def resources(stack: Stack, kind: str) -> list[dict]:
    return [r["Properties"] for r in template_of(stack).find_resources(kind).values()]


def test_defaults(stack: Stack) -> None:
    api = AlbFunction(stack, "Api", entry=PLAIN)
    (balancer,) = resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert balancer["Scheme"] == "internet-facing"
    attributes = {a["Key"]: a["Value"] for a in balancer["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    (listener,) = resources(stack, "AWS::ElasticLoadBalancingV2::Listener")
    assert (listener["Port"], listener["Protocol"]) == (80, "HTTP")
    (group,) = resources(stack, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["TargetType"] == "lambda"
    assert group["Targets"] == [{"Id": stack.resolve(api.function.function.function_arn)}]
    assert group["HealthCheckEnabled"] is True and group["HealthCheckPath"] == "/"
    assert "TargetGroupAttributes" not in group  # multi-value headers off
    (permission,) = resources(stack, "AWS::Lambda::Permission")
    assert permission["Principal"] == "elasticloadbalancing.amazonaws.com"
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    (security_group,) = resources(stack, "AWS::EC2::SecurityGroup")
    assert security_group["SecurityGroupIngress"] == [{
        "CidrIp": "0.0.0.0/0", "Description": "Listener port 80", "FromPort": 80, "IpProtocol": "tcp", "ToPort": 80}]
    (bucket,) = resources(stack, "AWS::S3::Bucket")
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    assert not resources(stack, "AWS::EC2::NatGateway")
    assert api.url.startswith("http://")
    assert {"target_5xx", "target_response_time", "errors", "throttles"} <= set(api.alarms)


def test_https_multi_value_internal_and_alias(stack: Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    certificate = acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE)
    api = AlbFunction(stack, "Api", entry=PLAIN, vpc=vpc, internet_facing=False, certificate=certificate,
                      multi_value_headers=True, health_check=False, deployment=Deployment.all_at_once())
    (balancer,) = resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert balancer["Scheme"] == "internal"
    listeners = {listener["Port"]: listener for listener in resources(stack, "AWS::ElasticLoadBalancingV2::Listener")}
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Port"] == "443"
    (group,) = resources(stack, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["TargetGroupAttributes"] == [{"Key": "lambda.multi_value_headers.enabled", "Value": "true"}]
    assert group["HealthCheckEnabled"] is False
    assert group["Targets"] == [{"Id": stack.resolve(api.function.alias.function_arn)}]
    alb_group = [g for g in resources(stack, "AWS::EC2::SecurityGroup") if "Load balancer" in g["GroupDescription"]]
    ingress = alb_group[0]["SecurityGroupIngress"]
    assert {rule["FromPort"] for rule in ingress} == {80, 443}
    assert [rule["CidrIp"] for rule in ingress] == [stack.resolve(vpc.vpc_cidr_block)] * 2, ingress
    assert api.url.startswith("https://")


def test_an_environment_agnostic_stack_is_refused() -> None:
    stack = Stack(make_app(), "Agnostic")
    with pytest.raises(ConfigurationError, match=re.escape(
            "AlbFunction 'Agnostic/Api': stack region 'unresolved' is needed: the access log bucket policy")):
        AlbFunction(stack, "Api", entry=PLAIN)


def test_function_network_options_are_refused(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(
            "AlbFunction 'Test/Api': vpc_subnets 'given' does not apply: the load balancer invokes the function")):
        AlbFunction(stack, "Api", entry=PLAIN, vpc_subnets=ec2.SubnetSelection())
