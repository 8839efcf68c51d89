"""AlbFunction: load balancer, listeners, target group, permissions, security group, logs, checks."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2

from constructs_lib import AlbFunction, ConfigurationError, Deployment
from tests.helpers import PLAIN, make_app, template_of, watched_by

CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"


@pytest.fixture
def stack() -> Stack:
    return Stack(make_app(), "Test", env=Environment(region="eu-west-1"))


def resources(stack: Stack, kind: str) -> list[dict]:
    return [r["Properties"] for r in template_of(stack).find_resources(kind).values()]


def test_internet_facing_plain_http_is_refused_unless_asked_for(stack: Stack) -> None:
    """Secure by default: serving plain HTTP to the internet is a named, explicit choice."""
    with pytest.raises(ConfigurationError, match=re.escape(
            "AlbFunction 'Test/Api': certificate None leaves an internet-facing load balancer serving plain "
            "HTTP to anyone: give an ACM certificate (HTTPS on 443, port 80 redirects to it), or "
            "allow_plain_http=True to confirm")):
        AlbFunction(stack, "Api", entry=PLAIN)
    certificate = acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE)
    with pytest.raises(ConfigurationError, match=re.escape(
            "allow_plain_http True applies only to an internet-facing load balancer without a certificate")):
        AlbFunction(stack, "Https", entry=PLAIN, certificate=certificate, allow_plain_http=True)


def test_https_by_default_on_the_internet(stack: Stack) -> None:
    certificate = acm.Certificate.from_certificate_arn(stack, "Cert", CERTIFICATE)
    AlbFunction(stack, "Api", entry=PLAIN, certificate=certificate)
    listeners = {listener["Port"]: listener for listener in resources(stack, "AWS::ElasticLoadBalancingV2::Listener")}
    assert listeners[443]["Protocol"] == "HTTPS" and listeners[80]["DefaultActions"][0]["Type"] == "redirect"
    (security_group,) = resources(stack, "AWS::EC2::SecurityGroup")
    assert {(r["FromPort"], r["CidrIp"]) for r in security_group["SecurityGroupIngress"]} == {
        (443, "0.0.0.0/0"), (80, "0.0.0.0/0")}
    # Nothing to explain about plain HTTP: no listener serves it.
    for listener in template_of(stack).find_resources("AWS::ElasticLoadBalancingV2::Listener").values():
        assert "checkov" not in listener.get("Metadata", {})


def test_defaults(stack: Stack) -> None:
    api = AlbFunction(stack, "Api", entry=PLAIN, allow_plain_http=True)
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
        "SSEAlgorithm": "AES256"}  # the only encryption load balancer log delivery supports
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["ExpireOldVersionsAndUploads"]["ExpirationInDays"] == 365
    (balancer_resource,) = template_of(stack).find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    assert "DeletionProtection" not in str(balancer_resource["Properties"])  # opt-in: cdk destroy keeps working
    assert not resources(stack, "AWS::EC2::NatGateway")
    assert api.url.startswith("http://")
    assert {"target_5xx", "target_response_time"} <= set(api.alarms)
    assert watched_by(api) == {"FunctionErrors", "FunctionThrottles"}  # the stack's alarms


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


def test_deletion_protection_and_log_expiration(stack: Stack) -> None:
    AlbFunction(stack, "Api", entry=PLAIN, allow_plain_http=True, deletion_protection=True,
                log_expiration=Duration.days(90))
    (balancer,) = resources(stack, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in balancer["LoadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == "true"
    (bucket,) = resources(stack, "AWS::S3::Bucket")
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 90


def test_log_expiration_is_whole_days(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(
            "AlbFunction 'Test/Api': log_expiration 2 hours must be a whole number of days, 1 or more")):
        AlbFunction(stack, "Api", entry=PLAIN, allow_plain_http=True, log_expiration=Duration.hours(2))


def test_an_environment_agnostic_stack_is_refused() -> None:
    stack = Stack(make_app(), "Agnostic")
    with pytest.raises(ConfigurationError, match=re.escape(
            "AlbFunction 'Agnostic/Api': stack region 'unresolved' is needed: the access log bucket policy")):
        AlbFunction(stack, "Api", entry=PLAIN, allow_plain_http=True)


def test_function_network_options_are_refused(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(
            "AlbFunction 'Test/Api': vpc_subnets 'given' does not apply: the load balancer invokes the function")):
        AlbFunction(stack, "Api", entry=PLAIN, allow_plain_http=True, vpc_subnets=ec2.SubnetSelection())
