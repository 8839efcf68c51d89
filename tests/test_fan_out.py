"""FanOut: bucket notifications -> encrypted topic -> one raw-delivery queue per worker; checks and alarms."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs_lib import ConfigurationError, FanOut
from constructs_lib.resources.queues import failure_queue
from constructs_lib.core.templates import refs
from tests.helpers import PLAIN, template_of, watched_by


def props(stack: Stack, kind: str) -> list[dict]:
    return [r.get("Properties", {}) for r in template_of(stack).find_resources(kind).values()]


def logical_id(stack: Stack, construct) -> str:
    return stack.get_logical_id(construct.node.default_child)


def test_the_bucket_publishes_to_an_encrypted_topic_only_it_may_publish_to(stack: Stack) -> None:
    fan = FanOut(stack, "Fan", prefix="incoming/", suffixes=[".csv", ".json"])
    (notifications,) = props(stack, "Custom::S3BucketNotifications")
    configs = notifications["NotificationConfiguration"]["TopicConfigurations"]
    assert [c["Events"] for c in configs] == [["s3:ObjectCreated:*"]] * 2
    assert sorted(tuple(sorted((r["Name"], r["Value"]) for r in c["Filter"]["Key"]["FilterRules"])) for c in configs) == [
        (("prefix", "incoming/"), ("suffix", ".csv")), (("prefix", "incoming/"), ("suffix", ".json"))]
    (topic,) = props(stack, "AWS::SNS::Topic")
    assert refs(topic["KmsMasterKeyId"]) == {logical_id(stack, fan.key)}
    (policy,) = props(stack, "AWS::SNS::TopicPolicy")
    (publish,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert publish["Principal"] == {"Service": "s3.amazonaws.com"}
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert refs(publish["Condition"]["ArnLike"]) == {logical_id(stack, fan.source_bucket)}
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in policy["PolicyDocument"]["Statement"])
    (key,) = props(stack, "AWS::KMS::Key")
    assert any(s.get("Principal") == {"Service": "s3.amazonaws.com"} and "kms:GenerateDataKey*" in s["Action"]
               for s in key["KeyPolicy"]["Statement"])
    # The notifications are written after the policy that lets S3 publish.
    (resource,) = template_of(stack).find_resources("Custom::S3BucketNotifications").values()
    assert any(d.startswith("FanTopicPolicy") for d in resource["DependsOn"])


def test_each_worker_gets_its_own_raw_queue_and_the_records_layer(stack: Stack) -> None:
    fan = FanOut(stack, "Fan")
    catalog = fan.add_worker("Catalog", entry=PLAIN)
    audit = fan.add_worker("Audit", entry=PLAIN, batch_size=5)
    subscriptions = props(stack, "AWS::SNS::Subscription")
    assert {s["Protocol"] for s in subscriptions} == {"sqs"} and all(s["RawMessageDelivery"] for s in subscriptions)
    assert {next(iter(refs(s["Endpoint"]))) for s in subscriptions} == {
        logical_id(stack, catalog.queue), logical_id(stack, audit.queue)}
    assert all(refs(s["RedrivePolicy"]) == {logical_id(stack, fan.undelivered)} for s in subscriptions)
    layer = stack.get_logical_id(fan.records_layer.node.default_child)
    for worker in (catalog, audit):
        layers = stack.resolve(worker.function.function.node.default_child.layers)
        assert {"Ref": layer} in layers
    assert fan.workers == {"Catalog": catalog, "Audit": audit}
    assert {"failed_deliveries", "undelivered_not_empty"} <= set(fan.alarms)
    # The workers' functions and queues: the stack's alarms.
    assert watched_by(audit) == {"FunctionErrors", "FunctionThrottles", "QueueOldestMessage", "DeadLetterQueueNotEmpty"}


def test_a_queue_consumed_elsewhere_can_subscribe(stack: Stack) -> None:
    fan = FanOut(stack, "Fan")
    queue = failure_queue(stack, "Elsewhere")
    fan.add_queue("Elsewhere", queue)
    (subscription,) = props(stack, "AWS::SNS::Subscription")
    assert refs(subscription["Endpoint"]) == {logical_id(stack, queue)} and subscription["RawMessageDelivery"]
    assert fan.queues == {"Elsewhere": queue}


def test_a_worker_may_filter_the_events(stack: Stack) -> None:
    fan = FanOut(stack, "Fan")
    fan.add_worker("Deletes", entry=PLAIN, filter_policy={
        "Records": sns.FilterOrPolicy.policy({"eventName": sns.FilterOrPolicy.filter(
            sns.SubscriptionFilter.string_filter(match_prefixes=["ObjectRemoved"]))})})
    (subscription,) = props(stack, "AWS::SNS::Subscription")
    assert subscription["FilterPolicyScope"] == "MessageBody"
    assert subscription["FilterPolicy"] == {"Records": {"eventName": [{"prefix": "ObjectRemoved"}]}}


def test_a_given_bucket_and_topic(stack: Stack) -> None:
    bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "my-uploads")
    topic = sns.Topic(stack, "Topic")
    fan = FanOut(stack, "Fan", source_bucket=bucket, topic=topic, events=[s3.EventType.OBJECT_REMOVED])
    assert fan.source_bucket is bucket and fan.topic is topic and fan.key is None
    template_of(stack).resource_count_is("AWS::S3::Bucket", 0)
    (policy,) = props(stack, "AWS::SNS::TopicPolicy")  # the given topic lets the bucket publish
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"} and "my-uploads" in str(statement["Condition"])


WHERE = re.escape("FanOut 'Test/Fan': ")


@pytest.mark.parametrize(("options", "message"), [
    ({"events": []}, "events [] must name at least one S3 event type"),
    ({"suffixes": [".jpg", "g"]}, "events and suffixes 's3:ObjectCreated:* *.jpg and s3:ObjectCreated:* *g' overlap: "
                                  "S3 refuses two notifications of one bucket for the same event type and keys"),
    ({"suffixes": [".csv", ".csv"]}, "events and suffixes 's3:ObjectCreated:* *.csv and s3:ObjectCreated:* *.csv' "
                                     "overlap"),
    ({"events": [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_CREATED_PUT], "prefix": "in/"},
     "events and suffixes 's3:ObjectCreated:* in/* and s3:ObjectCreated:Put in/*' overlap"),
    ({"suffixes": [""]}, "suffixes [''] must not hold an empty suffix"),
])
def test_bad_configuration_is_refused(stack: Stack, options: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(message)):
        FanOut(stack, "Fan", **options)


def test_distinct_filters_and_event_types_are_accepted(stack: Stack) -> None:
    FanOut(stack, "Fan", events=[s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED], suffixes=[".csv", ".json"])
    (notifications,) = props(stack, "Custom::S3BucketNotifications")
    assert len(notifications["NotificationConfiguration"]["TopicConfigurations"]) == 4


def test_workers_and_queues_are_refused_when_sns_cannot_deliver(stack: Stack) -> None:
    fan = FanOut(stack, "Fan")
    with pytest.raises(ConfigurationError, match=WHERE + re.escape(
            "fifo True cannot be: an SNS standard topic delivers to standard queues only")):
        fan.add_worker("Ordered", entry=PLAIN, fifo=True)
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("add_queue 'Fifo' is a FIFO queue")):
        fan.add_queue("Fifo", sqs.Queue(stack, "Fifo", fifo=True))
    fan.add_worker("Once", entry=PLAIN)
    with pytest.raises(ConfigurationError, match=WHERE + re.escape("add_worker 'Once' is already subscribed")):
        fan.add_worker("Once", entry=PLAIN)


def fifo_topics(stack: Stack) -> list[sns.ITopic]:
    """A FIFO topic as an app may give it: defined (its fifo), imported by ARN (a name ending in .fifo), or
    imported from a CfnTopic's reference (its FifoTopic)."""
    cfn_topic = sns.CfnTopic(stack, "Cfn", fifo_topic=True, topic_name="prices.fifo")
    return [sns.Topic(stack, "Ordered", fifo=True),
            sns.Topic.from_topic_arn(stack, "Imported", "arn:aws:sns:us-east-1:111122223333:orders.fifo"),
            sns.Topic.from_topic_arn(stack, "FromCfn", cfn_topic.attr_topic_arn)]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_fifo_topic_is_refused_s3_publishes_to_standard_topics_only(stack: Stack, which: int) -> None:
    with pytest.raises(ConfigurationError, match=WHERE + r"topic '.+' is a FIFO topic: S3 sends event notifications "
                       r"to standard topics only\. Give a standard topic, or none \(FanOut creates one\)"):
        FanOut(stack, "Fan", topic=fifo_topics(stack)[which])


def overlap(owner: str, own: str, other: str) -> str:
    return (re.escape(f"[Test/{owner}] FanOut 'Test/{owner}': events and suffixes '{own}' overlaps the notification "
                      f"of the same bucket to ") + ".+" + re.escape(f"({other}): S3 refuses two notifications of one "
                                                                  "bucket for the same event type and keys"))


def test_two_fan_outs_on_one_bucket_must_not_overlap(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads")
    FanOut(stack, "All", source_bucket=bucket)
    FanOut(stack, "Images", source_bucket=bucket, prefix="images/", events=[s3.EventType.OBJECT_CREATED_PUT])
    with pytest.raises(RuntimeError) as refused:
        template_of(stack)
    assert re.search(overlap("All", "s3:ObjectCreated:* *", "s3:ObjectCreated:Put images/*"), str(refused.value))
    assert re.search(overlap("Images", "s3:ObjectCreated:Put images/*", "s3:ObjectCreated:* *"), str(refused.value))
    assert "to Test/Images/Topic (" in str(refused.value) and "to Test/All/Topic (" in str(refused.value)


def test_a_plain_notification_added_after_the_fan_out_is_seen(stack: Stack) -> None:
    fan = FanOut(stack, "Fan", suffixes=[".csv"])
    fan.source_bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(stack, "All")))
    with pytest.raises(RuntimeError, match=overlap("Fan", "s3:ObjectCreated:* *.csv", "s3:ObjectCreated:* *")):
        template_of(stack)


def test_a_plain_notification_added_before_the_fan_out_is_seen(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(stack, "Reports")),
                                  s3.NotificationKeyFilter(prefix="reports/"))
    FanOut(stack, "Fan", source_bucket=bucket, prefix="reports/2026/")
    with pytest.raises(RuntimeError, match=overlap("Fan", "s3:ObjectCreated:* reports/2026/*",
                                                   "s3:ObjectCreated:* reports/*")) as refused:
        template_of(stack)
    assert "to Test/Reports (" in str(refused.value)


@pytest.mark.parametrize("named", [False, True])
def test_each_import_of_a_bucket_name_is_seen(stack: Stack, named: bool) -> None:
    """Each import writes its own notifications resource, to the same bucket as the bucket of that name."""
    bucket = s3.Bucket(stack, "Uploads", bucket_name="my-uploads") if named else \
        s3.Bucket.from_bucket_name(stack, "Uploads", "my-uploads")
    FanOut(stack, "Fan", source_bucket=bucket)
    elsewhere = Stack(stack.node.root, "Elsewhere")
    s3.Bucket.from_bucket_name(elsewhere, "SameUploads", "my-uploads").add_event_notification(
        s3.EventType.OBJECT_CREATED_PUT, s3n.SqsDestination(sqs.Queue(elsewhere, "Puts")))
    with pytest.raises(RuntimeError, match=overlap("Fan", "s3:ObjectCreated:* *", "s3:ObjectCreated:Put *")) as refused:
        template_of(stack)
    assert "to Elsewhere/Puts (" in str(refused.value)


def test_notifications_of_one_bucket_that_do_not_overlap_pass(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(stack, "Reports")),
                                  s3.NotificationKeyFilter(prefix="reports/"))
    FanOut(stack, "Images", source_bucket=bucket, prefix="images/")
    FanOut(stack, "Removed", source_bucket=bucket, events=[s3.EventType.OBJECT_REMOVED])
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.SqsDestination(sqs.Queue(stack, "Documents")),
                                  s3.NotificationKeyFilter(prefix="documents/"))
    (notifications,) = props(stack, "Custom::S3BucketNotifications")
    configuration = notifications["NotificationConfiguration"]
    assert len(configuration["TopicConfigurations"]) == 2 and len(configuration["QueueConfigurations"]) == 2
