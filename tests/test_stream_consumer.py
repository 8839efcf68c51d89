"""StreamConsumer: Kinesis and DynamoDB sources, failure destinations, grants, synth-time checks."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns

from constructs_lib import ConfigurationError, StreamConsumer
from tests.helpers import PLAIN, role_statements, template_of


def table_with_stream(stack: Stack) -> dynamodb.Table:
    return dynamodb.Table(
        stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    )


def mapping_props(stack: Stack) -> dict:
    (mapping,) = template_of(stack).find_resources("AWS::Lambda::EventSourceMapping").values()
    return mapping["Properties"]


def test_defaults_on_a_dynamodb_stream(stack: Stack) -> None:
    table = table_with_stream(stack)
    consumer = StreamConsumer(stack, "Consumer", table=table, entry=PLAIN)
    assert mapping_props(stack) == {
        "EventSourceArn": stack.resolve(table.table_stream_arn),
        "FunctionName": stack.resolve(consumer.function.function.function_name),
        "StartingPosition": "LATEST",
        "BatchSize": 100,
        "ParallelizationFactor": 1,
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 3,
        "MaximumRecordAgeInSeconds": 86400,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "DestinationConfig": {"OnFailure": {"Destination": stack.resolve(consumer.on_failure.queue_arn)}},
        "MetricsConfig": {"Metrics": ["EventCount"]},  # the mapping's own metrics, on by default
    }
    template = template_of(stack)
    template.resource_count_is("AWS::IAM::Policy", 0)  # the function's role holds its statements inline
    statements = role_statements(template, stack.get_logical_id(consumer.function.role.node.default_child))
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream",
            "sqs:SendMessage"} <= actions
    assert not any(a.startswith("dynamodb:Put") or a.startswith("dynamodb:Update") for a in actions)
    queue = template.find_resources("AWS::SQS::Queue")[stack.get_logical_id(consumer.on_failure.node.default_child)]
    assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_every_option_on_a_kinesis_stream(stack: Stack) -> None:
    stream = kinesis.Stream(stack, "Stream", encryption=kinesis.StreamEncryption.MANAGED)
    topic = sns.Topic(stack, "Discarded")
    consumer = StreamConsumer(
        stack, "Consumer", stream=stream, entry=PLAIN, starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=500, max_batching_window=Duration.seconds(10), parallelization_factor=4,
        bisect_batch_on_error=False, retry_attempts=10, max_record_age=Duration.hours(2), on_failure=topic,
        filters=[lambda_.FilterCriteria.filter({"data": {"kind": lambda_.FilterRule.is_equal("order")}})],
        report_batch_item_failures=False,
    )
    props = mapping_props(stack)
    assert consumer.on_failure is topic
    assert props["StartingPosition"] == "TRIM_HORIZON"
    assert props["BatchSize"] == 500 and props["MaximumBatchingWindowInSeconds"] == 10
    assert props["ParallelizationFactor"] == 4 and props["BisectBatchOnFunctionError"] is False
    assert props["MaximumRetryAttempts"] == 10 and props["MaximumRecordAgeInSeconds"] == 7200
    assert props["DestinationConfig"] == {"OnFailure": {"Destination": stack.resolve(topic.topic_arn)}}
    assert props["FilterCriteria"] == {"Filters": [{"Pattern": '{"data":{"kind":["order"]}}'}]}
    assert "FunctionResponseTypes" not in props
    assert props["EventSourceArn"] == stack.resolve(stream.stream_arn)
    template = template_of(stack)
    assert not template.find_resources("AWS::SQS::Queue")
    statements = role_statements(template, stack.get_logical_id(consumer.function.role.node.default_child))
    assert any("kinesis:GetRecords" in s["Action"] for s in statements)
    assert {"Action": "sns:Publish", "Effect": "Allow", "Resource": stack.resolve(topic.topic_arn)} in statements


def test_a_bucket_receives_discarded_batches(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Discarded")
    StreamConsumer(stack, "Consumer", table=table_with_stream(stack), entry=PLAIN, on_failure=bucket)
    assert mapping_props(stack)["DestinationConfig"] == {
        "OnFailure": {"Destination": stack.resolve(bucket.bucket_arn)}}


def test_an_imported_table_with_a_stream_is_accepted(stack: Stack) -> None:
    arn = "arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/2026-01-01T00:00:00.000"
    table = dynamodb.Table.from_table_attributes(stack, "Imported", table_name="t", table_stream_arn=arn)
    StreamConsumer(stack, "Consumer", table=table, entry=PLAIN)
    assert mapping_props(stack)["EventSourceArn"] == arn


def test_the_mapping_targets_the_alias_when_there_is_one(stack: Stack) -> None:
    consumer = StreamConsumer(stack, "Consumer", table=table_with_stream(stack), entry=PLAIN,
                              provisioned_concurrency=1)
    assert mapping_props(stack)["FunctionName"] == stack.resolve(consumer.function.alias.function_name)


WHERE = re.escape("StreamConsumer 'Test/Consumer': ")


@pytest.mark.parametrize("props, message", [
    ({"batch_size": 0}, "batch_size 0 must be between 1 and 10000 inclusive"),
    ({"batch_size": 10_001}, "batch_size 10001 must be between 1 and 10000 inclusive"),
    ({"max_batching_window": Duration.seconds(301)}, "max_batching_window 5 minutes 1 second must be between 0 and 300"),
    ({"parallelization_factor": 0}, "parallelization_factor 0 must be between 1 and 10 inclusive"),
    ({"parallelization_factor": 11}, "parallelization_factor 11 must be between 1 and 10 inclusive"),
    ({"retry_attempts": -1}, "retry_attempts -1 must be between 0 and 10000 inclusive"),
    ({"retry_attempts": 10_001}, "retry_attempts 10001 must be between 0 and 10000 inclusive"),
    ({"max_record_age": Duration.seconds(59)}, "max_record_age 59 seconds must be between 60 and 604800 seconds"),
    ({"max_record_age": Duration.days(8)}, "max_record_age 8 days must be between 60 and 604800 seconds"),
    ({"on_failure": "somewhere"}, "on_failure 'str' must be an SQS queue, SNS topic or S3 bucket"),
    ({"starting_position": lambda_.StartingPosition.AT_TIMESTAMP},
     "starting_position 'AT_TIMESTAMP' is for Kinesis streams only"),
])
def test_each_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        StreamConsumer(stack, "Consumer", table=table_with_stream(stack), entry=PLAIN, **props)


def test_exactly_one_source(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("stream None and table: give exactly one")):
        StreamConsumer(stack, "Consumer", entry=PLAIN)
    with pytest.raises(ConfigurationError, match=re.escape("and table: give exactly one")):
        StreamConsumer(stack, "Both", entry=PLAIN, table=table_with_stream(stack), stream=kinesis.Stream(stack, "S"))


def test_a_table_without_a_stream_is_refused(stack: Stack) -> None:
    table = dynamodb.Table(stack, "Plain", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING))
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("table 'Test/Plain' has no stream: enable one")):
        StreamConsumer(stack, "Consumer", table=table, entry=PLAIN)
