"""Default alarms of every construct, their SNS action, and the Dashboard."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from aws_cdk.assertions import Annotations, Match

from constructs_lib import (
    AlarmTopic,
    ConfigurationError,
    Dashboard,
    FirehoseTransform,
    LogSubscriber,
    QueueWorker,
    ScheduledFunction,
    ServerlessFunction,
    StreamConsumer,
    ThumbnailPipeline,
    UserPoolTrigger,
    route_alarms,
)
from constructs_lib.observability.alarms import watching
from constructs_lib.observability.stack_alarms import StackAlarms
from tests.helpers import PLAIN, make_app, template_of


def alarm_props(stack: Stack, alarm) -> dict:
    return template_of(stack).find_resources("AWS::CloudWatch::Alarm")[
        stack.get_logical_id(alarm.node.default_child)]["Properties"]


def test_function_defaults(stack: Stack) -> None:
    """The function's errors, throttles and dead-letter errors (the stack's FailedEvents queue is its dead-letter
    queue) are watched by the stack's alarms, each function a contributor; none of its own."""
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN)
    assert fn.alarms == {}
    stack_alarms = StackAlarms.of(stack).alarms
    assert set(stack_alarms) == {"FunctionErrors", "FunctionThrottles", "DeadLetterErrors"}
    assert watching(fn) == list(stack_alarms.values())
    errors = alarm_props(stack, stack_alarms["FunctionErrors"])
    (query,) = errors["Metrics"]
    assert query["Expression"] == {"Fn::Join": ["", [
        'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName = \'',
        stack.resolve(fn.function.function_name), "' GROUP BY FunctionName"]]}
    assert (query["Period"], query["ReturnData"]) == (300, True)
    assert (errors["Threshold"], errors["EvaluationPeriods"]) == (1, 1)
    assert errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert errors["TreatMissingData"] == "notBreaching"
    assert "AlarmActions" not in errors
    assert "SUM(Throttles)" in json.dumps(alarm_props(stack, stack_alarms["FunctionThrottles"]))
    assert "SUM(DeadLetterErrors)" in json.dumps(alarm_props(stack, stack_alarms["DeadLetterErrors"]))


def test_function_own_alarms(stack: Stack) -> None:
    """own_alarms=True: a metric alarm of the function's own for each."""
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, own_alarms=True)
    assert set(fn.alarms) == {"errors", "throttles", "dead_letter_errors"}
    errors = alarm_props(stack, fn.alarms["errors"])
    assert errors["Namespace"] == "AWS/Lambda" and errors["MetricName"] == "Errors"
    assert errors["Dimensions"] == [{"Name": "FunctionName", "Value": stack.resolve(fn.function.function_name)}]
    assert (errors["Threshold"], errors["Period"], errors["Statistic"]) == (1, 300, "Sum")
    assert errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert errors["TreatMissingData"] == "notBreaching"
    assert "AlarmActions" not in errors
    assert alarm_props(stack, fn.alarms["throttles"])["MetricName"] == "Throttles"
    assert stack.node.try_find_child("LibraryAlarms") is None and watching(fn) == []


def test_function_destinations_and_dead_letter_queue(stack: Stack) -> None:
    failures, dlq = sqs.Queue(stack, "Failures"), sqs.Queue(stack, "Dlq")
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, on_failure=failures, dead_letter_queue=dlq, own_alarms=True)
    assert set(fn.alarms) == {"errors", "throttles", "destination_delivery_failures", "failure_queue_not_empty",
                              "dead_letter_errors", "dead_letter_queue_not_empty"}
    # By default, the queues of its own still have its alarms; the rest are the stack's.
    shared = ServerlessFunction(stack, "Shared", entry=PLAIN, on_failure=failures, dead_letter_queue=dlq)
    assert set(shared.alarms) == {"failure_queue_not_empty", "dead_letter_queue_not_empty"}
    assert {"FunctionErrors", "FunctionThrottles", "DestinationDeliveryFailures", "DeadLetterErrors"} == set(
        StackAlarms.of(stack).alarms)
    assert alarm_props(stack, fn.alarms["destination_delivery_failures"])["MetricName"] == "DestinationDeliveryFailures"
    # Lambda counts the events it could not write to the dead-letter queue as DeadLetterErrors.
    dead_letter_errors = alarm_props(stack, fn.alarms["dead_letter_errors"])
    assert (dead_letter_errors["Namespace"], dead_letter_errors["MetricName"]) == ("AWS/Lambda", "DeadLetterErrors")
    assert dead_letter_errors["Dimensions"] == [{"Name": "FunctionName", "Value": stack.resolve(fn.function.function_name)}]
    failure_queue = alarm_props(stack, fn.alarms["failure_queue_not_empty"])
    assert failure_queue["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert failure_queue["Dimensions"] == [{"Name": "QueueName", "Value": stack.resolve(failures.queue_name)}]
    assert (failure_queue["Threshold"], failure_queue["Statistic"]) == (1, "Maximum")
    dead = alarm_props(stack, fn.alarms["dead_letter_queue_not_empty"])
    assert dead["Dimensions"] == [{"Name": "QueueName", "Value": stack.resolve(dlq.queue_name)}]


def test_alarm_topic_and_opting_out(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, alarm_topic=topic)
    quiet = ServerlessFunction(stack, "Quiet", entry=PLAIN, create_alarms=False)
    assert len(watching(fn)) == 3 and watching(quiet) == []  # errors, throttles, dead-letter errors
    for alarm in watching(fn):
        props = alarm_props(stack, alarm)
        assert props["AlarmActions"] == [stack.resolve(topic.topic_arn)]
        assert props["OKActions"] == [stack.resolve(topic.topic_arn)]
    assert quiet.alarms == {}
    # The stack's FailedEvents queue alarm goes to the topic of the function that named one.
    (shared,) = getattr(stack.node.find_child("FailedEvents"), "alarms").values()
    assert alarm_props(stack, shared)["AlarmActions"] == [stack.resolve(topic.topic_arn)]
    assert len(template_of(stack).find_resources("AWS::CloudWatch::Alarm")) == 4


def test_pattern_alarms(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    job = ScheduledFunction(stack, "Job", schedule="rate(1 hour)", entry=PLAIN, alarm_topic=topic)
    worker = QueueWorker(stack, "Worker", entry=PLAIN, alarm_topic=topic)
    table = dynamodb.Table(stack, "T", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
                           stream=dynamodb.StreamViewType.NEW_IMAGE)
    consumer = StreamConsumer(stack, "Consumer", table=table, entry=PLAIN, alarm_topic=topic)
    pipeline = ThumbnailPipeline(stack, "Pipe", alarm_topic=topic)

    # The functions' errors and throttles, the queue's oldest message and the dead-letter queue: the stack's alarms.
    assert set(job.alarms) == {"failed_invocations", "target_dead_letter_queue_not_empty"}
    failed = alarm_props(stack, job.alarms["failed_invocations"])
    assert (failed["Namespace"], failed["MetricName"]) == ("AWS/Events", "FailedInvocations")
    assert failed["Dimensions"] == [{"Name": "RuleName", "Value": stack.resolve(job.rule.rule_name)}]

    assert worker.alarms == {}
    (oldest,) = [alarm_props(stack, alarm) for name, alarm in StackAlarms.of(stack).alarms.items()
                 if name.startswith("QueueOldestMessage")]
    assert "MAX(ApproximateAgeOfOldestMessage)" in json.dumps(oldest) and oldest["Threshold"] == 900

    assert set(consumer.alarms) == {"iterator_age", "on_failure_not_empty"}
    age = alarm_props(stack, consumer.alarms["iterator_age"])
    assert (age["MetricName"], age["Threshold"], age["Statistic"]) == ("IteratorAge", 300_000, "Maximum")

    assert "failure_queue_not_empty" in pipeline.alarms
    every = [*job.alarms.values(), *consumer.alarms.values(), *pipeline.alarms.values(),
             *StackAlarms.of(stack).alarms.values()]
    for alarm in every:
        assert alarm_props(stack, alarm)["AlarmActions"] == [stack.resolve(topic.topic_arn)]


def test_the_invokers_alarms_reach_their_topic_or_the_routed_one(stack: Stack) -> None:
    """UserPoolTrigger, LogSubscriber and FirehoseTransform route their alarms like every pattern: alarm_topic=,
    or route_alarms for the ones given none."""
    topic, routed = sns.Topic(stack, "Topic"), sns.Topic(stack, "Routed")
    pool = cognito.UserPool(stack, "Users")
    trigger = UserPoolTrigger(stack, "SignUp", user_pool=pool, operation="pre_sign_up", entry=PLAIN, alarm_topic=topic)
    logs_reader = LogSubscriber(stack, "Errors", log_group=logs.LogGroup(stack, "Logs"), entry=PLAIN)
    clicks = FirehoseTransform(stack, "Clicks", entry=PLAIN, alarm_topic=topic)
    route_alarms(stack, routed)

    assert set(clicks.alarms) == {"processing_success", "delivery_success"}
    processing = alarm_props(stack, clicks.alarms["processing_success"])
    assert (processing["Namespace"], processing["MetricName"], processing["ComparisonOperator"],
            processing["Threshold"]) == ("AWS/Firehose", "ExecuteProcessing.Success", "LessThanThreshold", 1)
    assert processing["Dimensions"] == [{"Name": "DeliveryStreamName",
                                         "Value": stack.resolve(clicks.delivery_stream.ref)}]
    for alarm in [*trigger.alarms.values(), *clicks.alarms.values(), *watching(trigger), *watching(clicks)]:
        assert alarm_props(stack, alarm)["AlarmActions"] == [stack.resolve(topic.topic_arn)]
    assert watching(logs_reader)
    for alarm in [*logs_reader.alarms.values(), *watching(logs_reader)]:
        assert alarm_props(stack, alarm)["AlarmActions"] == [stack.resolve(routed.topic_arn)]


def test_patterns_without_alarms(stack: Stack) -> None:
    worker = QueueWorker(stack, "Worker", entry=PLAIN, create_alarms=False)
    assert worker.alarms == {}
    assert not template_of(stack).find_resources("AWS::CloudWatch::Alarm")


def test_dashboard_draws_each_construct(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN)
    worker = QueueWorker(stack, "Worker", entry=PLAIN)
    Dashboard(stack, "Board", constructs=[fn, worker])
    (board,) = template_of(stack).find_resources("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(stack.resolve(board["Properties"]["DashboardBody"]))
    for title in ("Test/Fn: invocations", "Test/Fn: duration", "Test/Fn: concurrency", "Test/Fn: alarms",
                  "Test/Worker: invocations", "Test/Worker: alarms"):
        assert title in body
    assert body.count('\\"type\\":\\"alarm\\"') == 2
    for alarm in [*watching(fn), *watching(worker)]:  # the stack's alarms that watch each
        assert stack.get_logical_id(alarm.node.default_child) in body


def test_dashboard_rules(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match=re.escape("Dashboard 'Test/Empty': constructs [] must name at least")):
        Dashboard(stack, "Empty", constructs=[])
    with pytest.raises(ConfigurationError, match=re.escape("must be a ServerlessFunction or one of the library's")):
        Dashboard(stack, "Odd", constructs=[sqs.Queue(stack, "Q")])


FROM_THIS_ACCOUNTS_ALARMS = {
    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    "ArnLike": {"aws:SourceArn": {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":cloudwatch:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
        ":alarm:*"]]}},
}


def cloudwatch_statements(policy: dict) -> list[dict]:
    return [s for s in policy["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}]


def test_an_encrypted_alarm_topic_lets_cloudwatch_use_its_key(stack: Stack) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    topic = sns.Topic(stack, "Topic", master_key=key)
    QueueWorker(stack, "Worker", entry=PLAIN, alarm_topic=topic)  # notifies twice: function and pattern alarms
    (key_resource,) = template_of(stack).find_resources("AWS::KMS::Key").values()
    assert cloudwatch_statements(key_resource["Properties"]["KeyPolicy"]) == [{
        "Sid": "CloudWatchAlarmsUseTheKey", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Resource": "*",
    }]


def test_a_topic_with_its_own_policy_lets_cloudwatch_publish(stack: Stack) -> None:
    """enforce_ssl=True gives the topic a policy of its own, which replaces SNS's default policy: without a
    statement for cloudwatch.amazonaws.com, every alarm notification is dropped."""
    topic = sns.Topic(stack, "Topic", enforce_ssl=True)
    ServerlessFunction(stack, "Fn", entry=PLAIN, alarm_topic=topic)
    (policy,) = template_of(stack).find_resources("AWS::SNS::TopicPolicy").values()
    assert cloudwatch_statements(policy["Properties"]["PolicyDocument"]) == [{
        "Sid": "CloudWatchAlarmsPublish", "Action": "sns:Publish", "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Resource": stack.resolve(topic.topic_arn),
        "Condition": FROM_THIS_ACCOUNTS_ALARMS,
    }]


def test_a_policy_added_after_the_construct_still_gets_the_statement(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    ServerlessFunction(stack, "Fn", entry=PLAIN, alarm_topic=topic)
    topic.add_to_resource_policy(iam.PolicyStatement(
        principals=[iam.AccountRootPrincipal()], actions=["sns:Subscribe"], resources=[topic.topic_arn]))
    (policy,) = template_of(stack).find_resources("AWS::SNS::TopicPolicy").values()
    assert len(cloudwatch_statements(policy["Properties"]["PolicyDocument"])) == 1


def test_a_topic_without_a_policy_keeps_the_default_one(stack: Stack) -> None:
    """SNS's default policy already lets the account's alarms publish; adding a policy would replace it."""
    ServerlessFunction(stack, "Fn", entry=PLAIN, alarm_topic=sns.Topic(stack, "Topic"))
    template_of(stack).resource_count_is("AWS::SNS::TopicPolicy", 0)


def test_alarm_topic_is_encrypted_ssl_only_and_open_to_cloudwatch(stack: Stack) -> None:
    alarms = AlarmTopic(stack, "Alarms", emails=["ops@example.com"])
    template = template_of(stack)
    template.has_resource_properties("AWS::SNS::Topic", {
        "KmsMasterKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^AlarmsKey"), "Arn"]}})
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com"})
    (key,) = template.find_resources("AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert len(cloudwatch_statements(key["Properties"]["KeyPolicy"])) == 1
    assert {"Sid": "DenyGrantsExceptForAwsResources", "Effect": "Deny", "Principal": {"AWS": "*"},
            "Action": "kms:CreateGrant", "Resource": "*",
            "Condition": {"BoolIfExists": {"kms:GrantIsForAWSResource": "false",
                                           "aws:PrincipalIsAWSService": "false"}}} in statements
    (policy,) = template.find_resources("AWS::SNS::TopicPolicy").values()
    document = policy["Properties"]["PolicyDocument"]
    assert len(cloudwatch_statements(document)) == 1
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in document["Statement"])
    assert alarms.topic.master_key is alarms.key


def test_route_alarms_sends_every_library_alarm_of_a_scope_to_a_topic() -> None:
    app = make_app()
    stack = Stack(app, "Orders")
    alarms = AlarmTopic(stack, "Alarms")
    early = ServerlessFunction(stack, "Early", entry=PLAIN)
    route_alarms(stack, alarms.topic)
    worker = QueueWorker(stack, "Worker", entry=PLAIN)  # made after the call: routed all the same
    own = sns.Topic(stack, "Own")
    chosen = ServerlessFunction(stack, "Chosen", entry=PLAIN, alarm_topic=own)
    theirs = cloudwatch.Alarm(stack, "Theirs", metric=early.function.metric_errors(), threshold=5, evaluation_periods=1)
    routed = [stack.resolve(alarms.topic.topic_arn)]
    assert watching(early) and watching(worker) and watching(chosen)
    for alarm in [*watching(early), *watching(worker)]:
        props = alarm_props(stack, alarm)
        assert props["AlarmActions"] == props["OKActions"] == routed
    for alarm in watching(chosen):  # an alarm_topic of its own wins
        assert alarm_props(stack, alarm)["AlarmActions"] == [stack.resolve(own.topic_arn)]
    assert "AlarmActions" not in alarm_props(stack, theirs)  # the user's own alarms are theirs to route


def test_a_construct_whose_alarms_notify_nobody_is_warned_about_once(stack: Stack) -> None:
    QueueWorker(stack, "Silent", entry=PLAIN)
    ServerlessFunction(stack, "Heard", entry=PLAIN, alarm_topic=sns.Topic(stack, "Topic"))
    ServerlessFunction(stack, "Quiet", entry=PLAIN, create_alarms=False)
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("notify nobody"))
    assert [w.id for w in warnings] == ["/Test/Silent"]  # the pattern speaks for its function's alarms
    assert "4 alarms notify nobody" in str(warnings[0].entry.data)  # errors, throttles, queue age, DLQ


def test_routed_alarms_are_not_warned_about() -> None:
    app = make_app()
    stack = Stack(app, "Orders")
    QueueWorker(stack, "Worker", entry=PLAIN)
    route_alarms(app, AlarmTopic(stack, "Alarms").topic)
    assert Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("notify nobody")) == []
