"""What a construct costs a stack with its defaults: exact resource counts (what bench/scale.py measures the time and
bytes of), and the stack's alarms that watch many functions and queues in one alarm each."""

from __future__ import annotations

from collections import Counter

from aws_cdk import Stack
from aws_cdk import aws_sns as sns

from constructs_lib import QueueWorker, ServerlessFunction, ServiceApi
from constructs_lib.observability.stack_alarms import FUNCTION_ERRORS, QUEUE_OLDEST_MESSAGE, StackAlarms
from tests.helpers import PLAIN, make_app, template_of

# Per stack, however many functions: the FailedEvents queue, its SSL-only policy and its alarm.
FAILED_EVENTS = {"AWS::SQS::Queue": 1, "AWS::SQS::QueuePolicy": 1, "AWS::CloudWatch::Alarm": 1}


def counts(stack: Stack) -> Counter[str]:
    return Counter(r["Type"] for r in template_of(stack).to_json()["Resources"].values())


def test_a_serverless_function_is_three_resources_and_joins_the_stacks_three_alarms(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", entry=PLAIN)
    # Function, role with its statements inline, log group; no EventInvokeConfig (Lambda's own asynchronous
    # settings, the stack's queue as dead-letter queue); errors, throttles and dead-letter errors in the stack's alarms.
    assert counts(stack) == Counter({"AWS::Lambda::Function": 1, "AWS::IAM::Role": 1, "AWS::Logs::LogGroup": 1}) + \
        Counter(FAILED_EVENTS) + Counter({"AWS::CloudWatch::Alarm": 3})


def test_more_functions_than_a_query_names_open_a_second_alarm_of_each_kind(stack: Stack) -> None:
    per_alarm = FUNCTION_ERRORS.names_per_alarm
    for n in range(per_alarm + 1):
        ServerlessFunction(stack, f"Fn{n}", entry=PLAIN)
    found = counts(stack)
    assert found["AWS::Lambda::Function"] == found["AWS::IAM::Role"] == found["AWS::Logs::LogGroup"] == per_alarm + 1
    assert found["AWS::CloudWatch::Alarm"] == 1 + 3 * 2
    assert sum(found.values()) == 3 * (per_alarm + 1) + 3 + 6
    # The longest query the alarms can be given fits in a MetricDataQuery's 2,048 characters.
    assert len(FUNCTION_ERRORS.query(["x" * 64] * per_alarm)) <= 2048 < len(FUNCTION_ERRORS.query(["x" * 64] * (
        per_alarm + 1)))


def test_a_queue_worker_is_eight_resources(stack: Stack) -> None:
    QueueWorker(stack, "Worker", entry=PLAIN)
    # Queue and dead-letter queue with their SSL-only policies, event source mapping, function, role, log group;
    # the stack's alarms: errors, throttles, the oldest message, the dead-letter queue not empty (no failure target:
    # the mapping invokes synchronously, so no FailedEvents queue).
    assert counts(stack) == Counter({
        "AWS::SQS::Queue": 2, "AWS::SQS::QueuePolicy": 2, "AWS::Lambda::EventSourceMapping": 1,
        "AWS::Lambda::Function": 1, "AWS::IAM::Role": 1, "AWS::Logs::LogGroup": 1, "AWS::CloudWatch::Alarm": 4,
    })


def test_a_service_api_function_is_six_resources() -> None:
    found = []
    for functions in (1, 2):
        stack = Stack(make_app(), "Test")
        api = ServiceApi(stack, "Api")
        for n in range(functions):
            api.add_function(f"Fn{n}", routes=[f"GET /f{n}"], entry=PLAIN)
        found.append(counts(stack))
    # Function, role, log group, invoke permission, integration, route; errors and throttles in the stack's alarms.
    assert found[1] - found[0] == Counter({
        "AWS::Lambda::Function": 1, "AWS::IAM::Role": 1, "AWS::Logs::LogGroup": 1, "AWS::Lambda::Permission": 1,
        "AWS::ApiGatewayV2::Integration": 1, "AWS::ApiGatewayV2::Route": 1,
    })


def test_own_alarms_keep_the_alarms_of_the_function_and_the_worker(stack: Stack) -> None:
    function = ServerlessFunction(stack, "Fn", entry=PLAIN, own_alarms=True)
    worker = QueueWorker(stack, "Worker", entry=PLAIN, own_alarms=True)
    assert set(function.alarms) == {"errors", "throttles", "dead_letter_errors"}
    assert {"errors", "throttles", "oldest_message_too_old", "dead_letter_queue_not_empty"} <= set(worker.alarms)
    assert stack.node.try_find_child("LibraryAlarms") is None


def test_each_function_is_a_contributor_and_a_topic_gets_the_alarms_of_its_functions(stack: Stack) -> None:
    topic = sns.Topic(stack, "Topic")
    ServerlessFunction(stack, "Quiet", entry=PLAIN)
    ServerlessFunction(stack, "Paged", entry=PLAIN, alarm_topic=topic)
    QueueWorker(stack, "Worker", entry=PLAIN)
    template = template_of(stack)
    alarms = StackAlarms.of(stack).alarms
    errors = [template.to_json()["Resources"][stack.get_logical_id(a.node.default_child)]["Properties"]
              for name, a in alarms.items() if name.startswith("FunctionErrors")]
    assert len(errors) == 2  # the topic's functions, and the others
    quiet, paged = sorted(errors, key=lambda p: "AlarmActions" in p)
    expression = quiet["Metrics"][0]["Expression"]["Fn::Join"][1]
    assert expression[0].startswith('SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName')
    assert expression[-1].endswith("GROUP BY FunctionName")
    refs = [part["Ref"] for part in expression if isinstance(part, dict)]
    assert len(refs) == 2 and all(ref.startswith(("Quiet", "Worker")) for ref in refs)
    assert "AlarmActions" not in quiet and paged["AlarmActions"] == [{"Ref": stack.get_logical_id(
        topic.node.default_child)}] == paged["OKActions"]
    oldest = alarms[QUEUE_OLDEST_MESSAGE.construct_id].node.default_child
    assert "ApproximateAgeOfOldestMessage" in str(stack.resolve(oldest.metrics))  # type: ignore[union-attr]
