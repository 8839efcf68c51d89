"""EdgeDistribution: distribution, Lambda@Edge in us-east-1 (same or another region), CloudFront
Functions, retention of edge versions, and the refusals of what Lambda@Edge cannot do."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from constructs_lib import ConfigurationError, Deployment, EdgeDistribution, EdgeHandler
from tests.helpers import PLAIN, make_app, template_of

REWRITE = "function handler(event) { return event.request; }"


def in_region(region: str) -> Stack:
    return Stack(make_app(), "Site", env=Environment(region=region))


def only(template: Template, kind: str) -> dict:
    (resource,) = template.find_resources(kind).values()
    return resource


def test_defaults_in_us_east_1() -> None:
    stack = in_region("us-east-1")
    bucket = s3.Bucket(stack, "Content")
    cdn = EdgeDistribution(stack, "Cdn", origin_bucket=bucket, origin_response=EdgeHandler(PLAIN),
                           viewer_request_function=REWRITE)
    template = template_of(stack)
    config = only(template, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["HttpVersion"] == "http2and3" and config["DefaultRootObject"] == "index.html"
    assert config["Logging"]["Bucket"] == stack.resolve(cdn.log_bucket.bucket_regional_domain_name)
    assert "OriginAccessControlId" in config["Origins"][0]
    edge = cdn.edge_functions["origin_response"]
    assert behavior["LambdaFunctionAssociations"] == [
        {"EventType": "origin-response", "LambdaFunctionARN": stack.resolve(edge.edge_arn)}]
    assert behavior["FunctionAssociations"] == [{
        "EventType": "viewer-request",
        "FunctionARN": stack.resolve(cdn.cloudfront_functions["viewer_request"].function_arn)}]
    function = only(template, "AWS::Lambda::Function")
    assert function["Properties"]["Runtime"] == "python3.13"
    assert function["Properties"]["MemorySize"] == 128 and function["Properties"]["Timeout"] == 5
    assert "Architectures" not in function["Properties"] and "Environment" not in function["Properties"]
    assert function["DeletionPolicy"] == "Retain"
    assert only(template, "AWS::Lambda::Version")["DeletionPolicy"] == "Retain"
    role = only(template, "AWS::IAM::Role")["Properties"]
    assumed_by = [s["Principal"]["Service"] for s in role["AssumeRolePolicyDocument"]["Statement"]]
    assert sorted(p for ps in assumed_by for p in ([ps] if isinstance(ps, str) else ps)) == [
        "edgelambda.amazonaws.com", "lambda.amazonaws.com"]
    assert only(template, "AWS::CloudFront::Function")["Properties"]["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    # The bucket stays private: only this distribution may read it.
    statements = [s for p in template.find_resources("AWS::S3::BucketPolicy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert any(s.get("Principal") == {"Service": "cloudfront.amazonaws.com"} and s["Action"] == "s3:GetObject"
               for s in statements)
    alarm = only(template, "AWS::CloudWatch::Alarm")["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Threshold"]) == ("AWS/CloudFront", "5xxErrorRate", 5)
    assert cdn.url.startswith("https://")


def test_edge_functions_of_another_region_go_to_a_us_east_1_stack() -> None:
    stack = in_region("eu-west-1")
    cdn = EdgeDistribution(stack, "Cdn", origin_bucket=s3.Bucket(stack, "Content"),
                           viewer_request=EdgeHandler(PLAIN), origin_request=EdgeHandler(PLAIN, timeout=Duration.seconds(30),
                                                                                       memory_size=1024))
    assembly = stack.node.root.synth()
    regions = {artifact.stack_name: artifact.environment.region for artifact in assembly.stacks}
    assert regions["Site"] == "eu-west-1"
    (edge_stack,) = [name for name, region in regions.items() if region == "us-east-1"]
    functions = Template.from_json(assembly.get_stack_by_name(edge_stack).template).find_resources(
        "AWS::Lambda::Function")
    assert sorted(f["Properties"]["MemorySize"] for f in functions.values()) == [128, 1024]
    assert not Template.from_json(assembly.get_stack_by_name("Site").template).find_resources(
        "AWS::CloudWatch::Alarm")  # CloudFront's metrics exist in us-east-1 only
    assert set(cdn.edge_functions) == {"viewer_request", "origin_request"}


def test_custom_domain_gets_tls_1_2() -> None:
    stack = in_region("us-east-1")
    certificate = acm.Certificate.from_certificate_arn(
        stack, "Cert", "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000")
    EdgeDistribution(stack, "Cdn", origin_bucket=s3.Bucket(stack, "Content"), certificate=certificate,
                     domain_names=["www.example.com"], web_acl_id="arn:aws:wafv2:us-east-1:111111111111:global/webacl/w/1")
    config = only(template_of(stack), "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["Aliases"] == ["www.example.com"]
    assert config["WebACLId"].startswith("arn:aws:wafv2")


WHERE = re.escape("EdgeDistribution 'Site/Cdn': ")


@pytest.mark.parametrize("handler, message", [
    (EdgeHandler(PLAIN, environment={"A": "1"}), "viewer_request.environment 'given' is refused: "
     "Lambda@Edge does not support environment variables: bake configuration into the bundle"),
    (EdgeHandler(PLAIN, vpc="vpc"), "viewer_request.vpc 'given' is refused: Lambda@Edge does not support a VPC"),
    (EdgeHandler(PLAIN, layers=[]), "viewer_request.layers 'given' is refused: Lambda@Edge does not support layers"),
    (EdgeHandler(PLAIN, architecture=lambda_.Architecture.ARM_64), "viewer_request.architecture 'arm64' is not "
     "supported: Lambda@Edge runs x86_64 functions only"),
    (EdgeHandler(PLAIN, dead_letter_queue="q"), "viewer_request.dead_letter_queue 'given' is refused"),
    (EdgeHandler(PLAIN, reserved_concurrency=5), "viewer_request.reserved_concurrency 'given' is refused"),
    (EdgeHandler(PLAIN, tracing=lambda_.Tracing.ACTIVE), "viewer_request.tracing 'given' is refused: "
     "Lambda@Edge does not support X-Ray active tracing"),
    (EdgeHandler(PLAIN, deployment=Deployment.canary()), "viewer_request.deployment 'given' is refused: "
     "Lambda@Edge does not support CodeDeploy traffic shifting"),
    (EdgeHandler(PLAIN, colour="blue"), "viewer_request.colour 'given' is not an EdgeHandler option"),
    (EdgeHandler(PLAIN, timeout=Duration.seconds(6)), "viewer_request.timeout 6 seconds must be between 1 and 5 "
     "seconds (Lambda@Edge's limit for viewer-request triggers)"),
    (EdgeHandler(PLAIN, memory_size=256), "viewer_request.memory_size 256 must be between 128 and 128 MB"),
])
def test_what_lambda_at_edge_cannot_do_is_refused(handler: EdgeHandler, message: str) -> None:
    stack = in_region("us-east-1")
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        EdgeDistribution(stack, "Cdn", origin_bucket=s3.Bucket(stack, "B"), viewer_request=handler)


def test_origin_limits_and_trigger_conflicts() -> None:
    stack = in_region("us-east-1")
    with pytest.raises(ConfigurationError) as raised:
        EdgeDistribution(
            stack, "Cdn", origin_bucket=s3.Bucket(stack, "B"),
            origin_response=EdgeHandler(PLAIN, timeout=Duration.seconds(31)),
            viewer_request=EdgeHandler(PLAIN), viewer_request_function=REWRITE,
            viewer_response_function="x" * 10_241,
            domain_names=["www.example.com"],
        )
    assert raised.value.errors == [
        "EdgeDistribution 'Site/Cdn': origin_response.timeout 31 seconds must be between 1 and 30 seconds "
        "(Lambda@Edge's limit for origin-response triggers) inclusive",
        "EdgeDistribution 'Site/Cdn': viewer_request_function 'given' and viewer_request: a trigger takes a "
        "Lambda@Edge handler or a CloudFront Function, not both",
        "EdgeDistribution 'Site/Cdn': viewer_response_function 'of 10241 bytes' exceeds CloudFront Functions' "
        "limit of 10240 bytes",
        "EdgeDistribution 'Site/Cdn': viewer_response_function 'given' must define 'function handler(event)'",
        "EdgeDistribution 'Site/Cdn': certificate None and domain_names go together: a custom domain needs its "
        "certificate",
    ]


def test_log_expiration_is_whole_days() -> None:
    stack = in_region("us-east-1")
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(
            "log_expiration 0 days must be a whole number of days, 1 or more")):
        EdgeDistribution(stack, "Cdn", origin_bucket=s3.Bucket(stack, "B"), log_expiration=Duration.days(0))


def test_an_environment_agnostic_stack_is_refused_for_lambda_at_edge() -> None:
    stack = Stack(make_app(), "Site")
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("stack region 'unresolved' is needed for Lambda@Edge")):
        EdgeDistribution(stack, "Cdn", origin_bucket=s3.Bucket(stack, "B"), viewer_request=EdgeHandler(PLAIN))
    # CloudFront Functions alone need no region.
    EdgeDistribution(stack, "Plain", origin_bucket=s3.Bucket(stack, "C"), viewer_request_function=REWRITE)
