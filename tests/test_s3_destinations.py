"""The destinations FanOut and ThumbnailPipeline give S3: only the bucket, of its owner's account, may deliver, and
a key defined in the app lets S3 use it (DeployRules runs in every synth: DR-S3-NOTIFY-KEY would refuse it)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs

from constructs_lib.resources.s3_destinations import queue_destination
from tests.helpers import template_of


def test_a_queue_with_a_key_of_the_app_lets_s3_use_the_key(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    queue = sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key)
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, queue_destination(bucket, queue))
    template = template_of(stack)
    (key_policy,) = [r["Properties"]["KeyPolicy"] for r in template.find_resources("AWS::KMS::Key").values()]
    assert any(s.get("Principal") == {"Service": "s3.amazonaws.com"} and "kms:GenerateDataKey*" in s["Action"]
               for s in key_policy["Statement"])
    (policy,) = [r["Properties"]["PolicyDocument"] for r in template.find_resources("AWS::SQS::QueuePolicy").values()]
    (send,) = policy["Statement"]
    assert send["Action"] == "sqs:SendMessage" and set(send["Condition"]) == {"ArnLike", "StringEquals"}


def test_an_imported_queue_keeps_its_owners_policy(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads")
    queue = sqs.Queue.from_queue_arn(stack, "Queue", "arn:aws:sqs:us-east-1:111122223333:uploads")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, queue_destination(bucket, queue))
    template = template_of(stack)
    template.resource_count_is("AWS::SQS::QueuePolicy", 0)
    (notifications,) = template.find_resources("Custom::S3BucketNotifications").values()
    (configuration,) = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert configuration["QueueArn"] == "arn:aws:sqs:us-east-1:111122223333:uploads"
