"""ThumbnailPipeline: resources, secure defaults, least-privilege grants, filters and the loop refusal."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match

from constructs_lib import ConfigurationError, ThumbnailPipeline
from tests.helpers import template_of


def statements(template) -> list[dict]:
    found = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if "Thumbnails" in str(policy["Properties"]["Roles"]) or "PipeFunctionRole" in str(policy["Properties"]["Roles"]):
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_defaults(stack: Stack) -> None:
    pipe = ThumbnailPipeline(stack, "Pipe")
    template = template_of(stack)
    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 3  # source, thumbnails, access logs
    for name in ("PipeSource", "PipeThumbnails"):
        (bucket,) = [b for k, b in buckets.items() if k.startswith(name)]
        props = bucket["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
            "SSEAlgorithm": "AES256"}
        assert "LoggingConfiguration" in props
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {"PolicyDocument": {"Statement": Match.array_with([Match.object_like(
            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}},
    )
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {"KeySchema": [{"AttributeName": "image_key", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
         "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}},
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"MemorySize": 512, "Timeout": 30, "Architectures": ["arm64"], "Environment": {"Variables": Match.object_like(
            {"THUMBNAIL_SIZES": "256", "SOURCE_PREFIX": "", "MAX_PIXELS": "50000000"})}},
    )
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {"DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [Match.string_like_regexp("PipeFailures"), "Arn"]}}}},
    )
    assert pipe.failures and pipe.table and pipe.function.function and pipe.access_logs


def test_notifications_filtered_by_prefix_and_suffix(stack: Stack) -> None:
    ThumbnailPipeline(stack, "Pipe", prefix="uploads/", suffixes=[".jpg", ".png"])
    (notifications,) = template_of(stack).find_resources("Custom::S3BucketNotifications").values()
    configs = notifications["Properties"]["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    filters = sorted(
        tuple(sorted((r["Name"], r["Value"]) for r in c["Filter"]["Key"]["FilterRules"])) for c in configs
    )
    assert filters == [(("prefix", "uploads/"), ("suffix", ".jpg")), (("prefix", "uploads/"), ("suffix", ".png"))]
    assert all(c["Events"] == ["s3:ObjectCreated:*"] for c in configs)


def test_grants_are_least_privilege(stack: Stack) -> None:
    ThumbnailPipeline(stack, "Pipe", prefix="uploads/")
    found = {tuple(s["Action"]) if isinstance(s["Action"], list) else (s["Action"],): s["Resource"]
             for s in statements(template_of(stack))}
    assert found[("s3:GetObject", "s3:GetObjectVersion")]["Fn::Join"][1][1] == "/uploads/*"
    assert found[("s3:PutObject",)]["Fn::Join"][1][0]["Fn::GetAtt"][0].startswith("PipeThumbnails")
    assert found[("dynamodb:PutItem",)]["Fn::GetAtt"][0].startswith("PipeMetadata")
    assert not any("s3:DeleteObject" in str(a) or "s3:*" in str(a) for a in found)


def test_imported_buckets_and_table(stack: Stack) -> None:
    source = s3.Bucket.from_bucket_name(stack, "Src", "my-uploads")
    thumbs = s3.Bucket.from_bucket_name(stack, "Dst", "my-thumbs")
    table = dynamodb.Table.from_table_name(stack, "T", "images")
    pipe = ThumbnailPipeline(stack, "Pipe", source_bucket=source, thumbnail_bucket=thumbs, table=table, sizes=[64, 512])
    template = template_of(stack)
    template.resource_count_is("AWS::S3::Bucket", 0)
    template.resource_count_is("AWS::DynamoDB::Table", 0)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Environment": {"Variables": Match.object_like(
            {"THUMBNAIL_BUCKET": "my-thumbs", "METADATA_TABLE": "images", "THUMBNAIL_SIZES": "64,512"})}},
    )
    template.has_resource_properties("Custom::S3BucketNotifications", {"BucketName": "my-uploads"})
    assert pipe.access_logs is None


def test_function_options_pass_through(stack: Stack) -> None:
    ThumbnailPipeline(stack, "Pipe", memory_size=1024, retry_attempts=1)
    template = template_of(stack)
    template.has_resource_properties("AWS::Lambda::Function", {"MemorySize": 1024})
    template.has_resource_properties("AWS::Lambda::EventInvokeConfig", {"MaximumRetryAttempts": 1})


WHERE = re.escape("ThumbnailPipeline 'Test/Pipe': ")


def test_same_bucket_without_prefix_is_a_loop(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Both")
    with pytest.raises(ConfigurationError, match=WHERE + "thumbnail_bucket 'the source bucket' would make a loop"):
        ThumbnailPipeline(stack, "Pipe", source_bucket=bucket, thumbnail_bucket=bucket)


def test_imported_same_bucket_by_name_is_a_loop(stack: Stack) -> None:
    a = s3.Bucket.from_bucket_name(stack, "A", "shared")
    b = s3.Bucket.from_bucket_name(stack, "B", "shared")
    with pytest.raises(ConfigurationError, match="would make a loop"):
        ThumbnailPipeline(stack, "Pipe", source_bucket=a, thumbnail_bucket=b)


def test_prefix_that_thumbnail_keys_also_match_is_a_loop(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Both")
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("prefix '2' would make a loop: thumbnail keys '256/2...'")):
        ThumbnailPipeline(stack, "Pipe", source_bucket=bucket, thumbnail_bucket=bucket, prefix="2", sizes=[256])


def test_same_bucket_with_separating_prefix_is_allowed(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Both")
    ThumbnailPipeline(stack, "Pipe", source_bucket=bucket, thumbnail_bucket=bucket, prefix="uploads/")
    template_of(stack).has_resource_properties(
        "AWS::Lambda::Function", {"Environment": {"Variables": Match.object_like({"SOURCE_PREFIX": "uploads/"})}}
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"sizes": []}, "sizes [] must name at least one thumbnail size"),
        ({"sizes": [8]}, "sizes 8 must be between 16 and 4096 pixels inclusive"),
        ({"sizes": [5000]}, "sizes 5000 must be between 16 and 4096 pixels inclusive"),
        ({"max_pixels": 0}, "max_pixels 0 must be 1 or more"),
        ({"entry": "elsewhere"}, "entry 'given' is set by ThumbnailPipeline"),
    ],
)
def test_rule(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ThumbnailPipeline(stack, "Pipe", **props)
