"""ThumbnailPipeline: resources, secure defaults, least-privilege grants, filters and the loop refusal."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match

from constructs_lib import ConfigurationError, FanOut, ThumbnailPipeline
from tests.helpers import role_statements, template_of, watched_by


def statements(template) -> list[dict]:
    """The statements of the thumbnail function's role."""
    return [statement for role_id in template.find_resources("AWS::IAM::Role")
            if "Thumbnails" in role_id or "PipeFunctionRole" in role_id
            for statement in role_statements(template, role_id)]


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
    ThumbnailPipeline(stack, "Pipe", prefix="uploads/", sizes=[512, 128])
    found = {tuple(s["Action"]) if isinstance(s["Action"], list) else (s["Action"],): s["Resource"]
             for s in statements(template_of(stack))}
    assert found[("s3:GetObject", "s3:GetObjectVersion")]["Fn::Join"][1][1] == "/uploads/*"
    # thumbnails only under their size prefixes: never where an upload would trigger the function again
    writes = found[("s3:PutObject",)]
    assert [w["Fn::Join"][1][1] for w in writes] == ["/512/*", "/128/*"]
    assert all(w["Fn::Join"][1][0]["Fn::GetAtt"][0].startswith("PipeThumbnails") for w in writes)
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
        ({"suffixes": [".jpeg", "jpeg"]}, "suffixes 's3:ObjectCreated:* *.jpeg and s3:ObjectCreated:* *jpeg' "
                                          "overlap: S3 refuses two notifications of one bucket for the same event "
                                          "type and keys"),
    ],
)
def test_rule(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ThumbnailPipeline(stack, "Pipe", **props)


def test_old_versions_uploads_and_logs_expire(stack: Stack) -> None:
    ThumbnailPipeline(stack, "Pipe", noncurrent_version_expiration=Duration.days(10), log_expiration=Duration.days(90))
    buckets = template_of(stack).find_resources("AWS::S3::Bucket")
    for name, expiration in (("PipeSource", None), ("PipeThumbnails", None), ("PipeAccessLogs", 90)):
        (bucket,) = [b["Properties"] for k, b in buckets.items() if k.startswith(name)]
        assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
        rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
        expire = rules["ExpireOldVersionsAndUploads"]
        assert expire["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
        assert expire["NoncurrentVersionExpiration"]["NoncurrentDays"] == (30 if name == "PipeAccessLogs" else 10)
        assert expire.get("ExpirationInDays") == expiration
        assert rules["RemoveExpiredDeleteMarkers"]["ExpiredObjectDeleteMarker"] is True


def test_access_logs_are_delivered_under_a_bucket_policy_not_an_acl(stack: Stack) -> None:
    """In an app without feature flags, aws-cdk-lib would grant S3's log delivery with the LogDeliveryWrite
    ACL; the library writes the bucket policy S3 recommends instead, ACLs disabled."""
    pipe = ThumbnailPipeline(stack, "Pipe")
    template = template_of(stack)
    logs_id = stack.get_logical_id(pipe.access_logs.node.default_child)
    logs_bucket = template.find_resources("AWS::S3::Bucket")[logs_id]["Properties"]
    assert "AccessControl" not in logs_bucket
    assert logs_bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    (policy,) = [p["Properties"]["PolicyDocument"]["Statement"] for p in
                 template.find_resources("AWS::S3::BucketPolicy").values()
                 if p["Properties"]["Bucket"] == {"Ref": logs_id}]
    delivery = [s for s in policy if s.get("Principal") == {"Service": "logging.s3.amazonaws.com"}]
    assert {json.dumps(s["Condition"]["ArnLike"]["aws:SourceArn"]) for s in delivery} == {
        json.dumps(stack.resolve(bucket.bucket_arn)) for bucket in (pipe.source_bucket, pipe.thumbnail_bucket)}
    assert all(s["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}} for s in delivery)
    source = template.find_resources("AWS::S3::Bucket")[stack.get_logical_id(pipe.source_bucket.node.default_child)]
    assert source["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": logs_id}, "LogFilePrefix": "source/"}


def test_the_notification_handler_of_aws_cdk_lib_keeps_its_logs_a_year(stack: Stack) -> None:
    ThumbnailPipeline(stack, "Pipe")
    template = template_of(stack)
    (handler_id, handler), = [(k, f) for k, f in template.find_resources("AWS::Lambda::Function").items()
                              if k.startswith("BucketNotificationsHandler")]
    log_group_id = handler["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert template.find_resources("AWS::Logs::LogGroup")[log_group_id]["Properties"]["RetentionInDays"] == 365
    assert handler["Properties"]["MemorySize"] == 128  # Lambda's default, written down


@pytest.mark.parametrize("props, message", [
    ({"noncurrent_version_expiration": Duration.hours(12)}, "noncurrent_version_expiration 12 hours must be a whole"),
    ({"log_expiration": Duration.hours(36)}, "log_expiration 1 day 12 hours must be a whole number of days, 1 or more"),
])
def test_lifecycle_durations_are_whole_days(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(f"ThumbnailPipeline 'Test/Pipe': {message}")):
        ThumbnailPipeline(stack, "Pipe", **props)


def test_through_a_queue_bursts_wait_and_poison_rests_in_the_dead_letter_queue(stack: Stack) -> None:
    pipe = ThumbnailPipeline(stack, "Pipe", via="queue", batch_size=2, max_concurrency=4)
    template = template_of(stack)
    queue = stack.get_logical_id(pipe.queue.node.default_child)
    (notifications,) = template.find_resources("Custom::S3BucketNotifications").values()
    configs = notifications["Properties"]["NotificationConfiguration"]
    assert "LambdaFunctionConfigurations" not in configs
    assert {json.dumps(c["QueueArn"]) for c in configs["QueueConfigurations"]} == {
        json.dumps({"Fn::GetAtt": [queue, "Arn"]})}
    (mapping,) = template.find_resources("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["BatchSize"] == 2
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": 4}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert pipe.failures is pipe.worker.dead_letter_queue and pipe.function is pipe.worker.function
    layers = stack.resolve(pipe.function.function.node.default_child.layers)
    assert any("RecordsLayer" in json.dumps(layer) for layer in layers)  # s3_records, for the handler
    assert watched_by(pipe) == {"FunctionErrors", "FunctionThrottles", "QueueOldestMessage", "DeadLetterQueueNotEmpty"}
    # The queue's mapping invokes synchronously: Lambda's own asynchronous settings, no S3 invoke permission.
    template.resource_count_is("AWS::Lambda::EventInvokeConfig", 0)
    assert not template.find_resources("AWS::Lambda::Permission")


@pytest.mark.parametrize(("props", "message"), [
    ({"via": "carrier pigeon"}, "via 'carrier pigeon' must be 'direct' or 'queue'"),
    ({"batch_size": 5}, "batch_size 5 applies only to via='queue'"),
    ({"max_concurrency": 2}, "max_concurrency 2 applies only to via='queue'"),
])
def test_queue_options_need_the_queue(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        ThumbnailPipeline(stack, "Pipe", **props)


def test_through_a_queue_only_the_source_bucket_of_its_account_may_send(stack: Stack) -> None:
    """S3 user guide, granting permissions to publish event notifications: aws:SourceArn and aws:SourceAccount."""
    pipe = ThumbnailPipeline(stack, "Pipe", via="queue")
    template = template_of(stack)
    queue = stack.get_logical_id(pipe.queue.node.default_child)
    (policy_id, policy), = [(k, p) for k, p in template.find_resources("AWS::SQS::QueuePolicy").items()
                            if p["Properties"]["Queues"] == [{"Ref": queue}]]
    (send,) = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert send["Principal"] == {"Service": "s3.amazonaws.com"} and send["Action"] == "sqs:SendMessage"
    assert send["Resource"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert send["Condition"] == {
        "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [stack.get_logical_id(pipe.source_bucket.node.default_child),
                                                     "Arn"]}},
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    # S3 checks the destination when the notifications are written: after the policy.
    (notifications,) = template.find_resources("Custom::S3BucketNotifications").values()
    assert policy_id in notifications["DependsOn"]


def test_a_pipeline_sees_the_other_notifications_of_its_bucket(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads")
    ThumbnailPipeline(stack, "Pipe", source_bucket=bucket, prefix="images/")
    FanOut(stack, "Fan", source_bucket=bucket, suffixes=[".png"])
    with pytest.raises(RuntimeError) as refused:
        template_of(stack)
    assert re.search(WHERE + re.escape("suffixes 's3:ObjectCreated:* images/*.png' overlaps the notification of the "
                                       "same bucket to Test/Fan/Topic (s3:ObjectCreated:* *.png)"), str(refused.value))
    assert "[Test/Fan] FanOut 'Test/Fan': events and suffixes 's3:ObjectCreated:* *.png' overlaps the notification " \
           "of the same bucket to Test/Pipe/Function" in str(refused.value)
