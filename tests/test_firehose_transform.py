"""FirehoseTransform: a Direct PUT stream encrypted at rest, whose role may invoke this function and write to this
bucket only, created after that role's policy; records the function fails go under processing-failed/; the
buffering hints, prefix and timeout Firehose accepts; alarms on processing and delivery success."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from constructs_lib import ConfigurationError, Deployment, FirehoseBuffer, FirehoseTransform
from constructs_lib.core.templates import refs
from tests.helpers import PLAIN, template_of, watched_by


def logical_id(stack: Stack, construct) -> str:
    return stack.get_logical_id(construct.node.default_child)


def of_type(template: dict, kind: str) -> list[tuple[str, dict]]:
    return [(k, r) for k, r in template["Resources"].items() if r["Type"] == kind]


def parameters(destination: dict) -> dict:
    (processor,) = destination["ProcessingConfiguration"]["Processors"]
    assert processor["Type"] == "Lambda"
    return {p["ParameterName"]: p["ParameterValue"] for p in processor["Parameters"]}


def test_records_are_transformed_then_delivered_and_failures_kept_apart(stack: Stack) -> None:
    clicks = FirehoseTransform(stack, "Clicks", entry=PLAIN)
    template = template_of(stack).to_json()
    ((stream_id, stream),) = of_type(template, "AWS::KinesisFirehose::DeliveryStream")
    props = stream["Properties"]
    assert props["DeliveryStreamType"] == "DirectPut"
    assert props["DeliveryStreamEncryptionConfigurationInput"] == {"KeyType": "AWS_OWNED_CMK"}
    destination = props["ExtendedS3DestinationConfiguration"]
    assert destination["Prefix"] == "records/!{timestamp:yyyy/MM/dd/HH}/"
    assert destination["ErrorOutputPrefix"] == "!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/"
    assert destination["BufferingHints"] == {"IntervalInSeconds": 300, "SizeInMBs": 5}
    assert refs(destination["BucketARN"]) == {logical_id(stack, clicks.bucket)}
    assert parameters(destination) == {
        "LambdaArn": {"Fn::GetAtt": [logical_id(stack, clicks.function.function), "Arn"]},
        "RoleArn": {"Fn::GetAtt": [logical_id(stack, clicks.role), "Arn"]},
        "BufferIntervalInSeconds": "60", "BufferSizeInMBs": "1"}
    # Firehose assumes the role when it creates the stream: the role and its policy come first.
    role_policy = logical_id(stack, clicks.role.node.find_child("DefaultPolicy"))
    assert role_policy in stream["DependsOn"]
    ((_, function),) = of_type(template, "AWS::Lambda::Function")
    assert function["Properties"]["Timeout"] == 60
    # Firehose invokes synchronously: no failure destination, and Lambda's own asynchronous settings.
    assert of_type(template, "AWS::Lambda::EventInvokeConfig") == []
    assert {"processing_success", "delivery_success"} <= set(clicks.alarms)
    assert watched_by(clicks) == {"FunctionErrors", "FunctionThrottles"}
    alarms = {r["Properties"]["MetricName"]: r["Properties"] for _, r in of_type(template, "AWS::CloudWatch::Alarm")
              if "MetricName" in r["Properties"]}  # not the stack's alarms (Metrics Insights queries)
    for metric in ("ExecuteProcessing.Success", "DeliveryToS3.Success"):
        assert alarms[metric]["ComparisonOperator"] == "LessThanThreshold" and alarms[metric]["Threshold"] == 1
        assert alarms[metric]["Dimensions"] == [{"Name": "DeliveryStreamName", "Value": {"Ref": stream_id}}]


def test_the_streams_role_may_do_what_firehose_needs_here_only(stack: Stack) -> None:
    clicks = FirehoseTransform(stack, "Clicks", entry=PLAIN)
    template = template_of(stack).to_json()
    ((_, role),) = [(k, r) for k, r in of_type(template, "AWS::IAM::Role")
                    if r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
                    == {"Service": "firehose.amazonaws.com"}]
    (policy,) = [r["Properties"]["PolicyDocument"]["Statement"] for _, r in of_type(template, "AWS::IAM::Policy")
                 if refs(r["Properties"]["Roles"]) == {logical_id(stack, clicks.role)}]
    granted = {action: refs(s["Resource"]) for s in policy
               for action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    bucket, function, logs = (logical_id(stack, c) for c in (clicks.bucket, clicks.function.function,
                                                               clicks.error_log_group))
    assert granted == {
        **{action: {bucket} for action in ("s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject",
                                           "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject")},
        "lambda:InvokeFunction": {function}, "lambda:GetFunctionConfiguration": {function},
        "logs:PutLogEvents": {logs},
    }
    assert role["Properties"]["Description"] == "Firehose stream of Test/Clicks"
    # Firehose invokes an unqualified LambdaArn as $LATEST: the policy names that qualified ARN too.
    (invoke,) = [s for s in policy if "lambda:InvokeFunction" in s["Action"]]
    assert {"Fn::Join": ["", [{"Fn::GetAtt": [function, "Arn"]}, ":$LATEST"]]} in invoke["Resource"]
    # Firehose's guide ("Grant Firehose access to an Amazon S3 destination"): the role is assumed for this
    # account's streams only (sts:ExternalId is the account Firehose acts for).
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "AWS::AccountId"}}}


def test_a_given_bucket_with_a_key_a_fractional_buffer_and_an_alias(stack: Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    bucket = s3.Bucket(stack, "Archive", encryption_key=key, enforce_ssl=True)
    clicks = FirehoseTransform(stack, "Clicks", destination_bucket=bucket, entry=PLAIN,
                               buffer=FirehoseBuffer(Duration.seconds(0), 0.2),
                               delivery_buffer=FirehoseBuffer(Duration.minutes(15), 128),
                               deployment=Deployment.all_at_once())
    assert clicks.bucket is bucket and clicks.access_logs is None
    template = template_of(stack).to_json()
    ((_, stream),) = of_type(template, "AWS::KinesisFirehose::DeliveryStream")
    destination = stream["Properties"]["ExtendedS3DestinationConfiguration"]
    assert destination["EncryptionConfiguration"] == {
        "KMSEncryptionConfig": {"AWSKMSKeyARN": {"Fn::GetAtt": [logical_id(stack, key), "Arn"]}}}
    assert destination["BufferingHints"] == {"IntervalInSeconds": 900, "SizeInMBs": 128}
    found = parameters(destination)
    assert (found["BufferIntervalInSeconds"], found["BufferSizeInMBs"]) == ("0", "0.2")
    assert refs(found["LambdaArn"]) == {logical_id(stack, clicks.function.alias)}
    statements = [s for _, r in of_type(template, "AWS::IAM::Policy")
                  if refs(r["Properties"]["Roles"]) == {logical_id(stack, clicks.role)}
                  for s in r["Properties"]["PolicyDocument"]["Statement"]]
    assert any(set(s["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"} for s in statements)
    assert any("lambda:InvokeFunction" in s["Action"] and refs(s["Resource"]) == {logical_id(stack, clicks.function.alias)}
               for s in statements)


@pytest.mark.parametrize("options, message", [
    ({"timeout": Duration.minutes(6)}, "timeout 6 minutes is longer than the 5 minutes Firehose waits for its "
                                       "transformation"),
    ({"buffer": FirehoseBuffer(Duration.seconds(60), 4)}, "buffer '4 MB' size must be between 0.2 and 3 MB inclusive"),
    ({"buffer": FirehoseBuffer(Duration.seconds(901), 1)}, "buffer 15 minutes 1 second interval must be between 0 "
                                                           "and 900 seconds inclusive"),
    ({"delivery_buffer": FirehoseBuffer(Duration.seconds(60), 1.5)}, "delivery_buffer '1.5 MB' size must be a whole "
                                                                     "number of MB between 1 and 128 MB inclusive"),
    ({"prefix": "clicks/!{partitionKeyFromQuery:page}/"}, "uses the partitionKeyFromQuery namespace, which needs "
                                                         "dynamic partitioning"),
    ({"prefix": "!{firehose:error-output-type}/"}, "uses !{firehose:error-output-type}, which Firehose allows only "
                                                   "in the error output prefix"),
    ({"prefix": "processing-failed/clicks/"}, "would mix delivered records with failed ones"),
    ({"prefix": "p" * 1025}, "must be at most 1024 characters"),
])
def test_what_firehose_refuses_is_refused(stack: Stack, options: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=r"FirehoseTransform 'Test/Clicks': .*" + re.escape(message)):
        FirehoseTransform(stack, "Clicks", entry=PLAIN, **options)
