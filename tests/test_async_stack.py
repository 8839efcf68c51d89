"""The asynchronous-invocation demo: retries, event age, a destination of every kind, and a DLQ."""

from __future__ import annotations

from stacks.async_stack import AsyncStack
from tests.helpers import make_app, template_of


def test_retries_age_destinations_and_dead_letter_queue() -> None:
    stack = AsyncStack(make_app(demo=True), "AsyncInvocationDemo")
    template = template_of(stack)
    configs = {
        props["Properties"]["FunctionName"]["Ref"]: props["Properties"]
        for props in template.find_resources("AWS::Lambda::EventInvokeConfig").values()
    }
    assert len(configs) == 2
    to_queue_and_bus = configs[stack.get_logical_id(stack.to_queue_and_bus.function.node.default_child)]
    to_topic = configs[stack.get_logical_id(stack.to_topic.function.node.default_child)]
    for config in (to_queue_and_bus, to_topic):
        assert config["MaximumRetryAttempts"] == 2 and config["MaximumEventAgeInSeconds"] == 3600
    assert to_queue_and_bus["DestinationConfig"] == {
        "OnSuccess": {"Destination": stack.resolve(stack.bus.event_bus_arn)},
        "OnFailure": {"Destination": stack.resolve(stack.failures.queue_arn)},
    }
    assert to_topic["DestinationConfig"] == {
        "OnSuccess": {"Destination": stack.resolve(stack.confirmations.queue_arn)},
        "OnFailure": {"Destination": stack.resolve(stack.alerts.topic_arn)},
    }
    function = template.find_resources("AWS::Lambda::Function")[
        stack.get_logical_id(stack.to_queue_and_bus.function.node.default_child)]
    assert function["Properties"]["DeadLetterConfig"] == {"TargetArn": stack.resolve(stack.dead_letters.queue_arn)}
    topic = template.find_resources("AWS::SNS::Topic")[stack.get_logical_id(stack.alerts.node.default_child)]
    assert "KmsMasterKeyId" in topic["Properties"]
