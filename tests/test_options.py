"""Options checked before their values: unknown names get the closest valid ones, wrong types a rule naming
the expected type, each with the construct path (not a TypeError or AttributeError from inside)."""

from __future__ import annotations

import re

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_dynamodb as dynamodb

from constructs_lib import (
    AlbFunction, ApiFunction, ConfigurationError, FanOut, QueueWorker, ScheduledFunction, ServerlessFunction,
    StreamConsumer, ThumbnailPipeline, TopicSubscriber, VpcFunction,
)
from tests.helpers import PLAIN, make_app


@pytest.mark.parametrize("props, message", [
    ({"timeout": 1000}, "timeout 1000 must be a Duration (e.g. Duration.seconds(30)), given int"),
    ({"memory_size": "512"}, "memory_size '512' must be an int, given str"),
    ({"memory_size": True}, "memory_size True must be an int, given bool"),
    ({"environment": {"TABLE": 3}}, "environment 'TABLE' must map to a str, given int"),
    ({"environment": "TABLE=x"}, "environment 'TABLE=x' must be a mapping of names to str values, given str"),
    ({"powertools": "yes"}, "powertools 'yes' must be a bool, given str"),
    ({"layers": "arn:aws:lambda:us-east-1:111111111111:layer:x:1"}, "layers 'arn:aws:lambda:us-east-1:111111111111:layer:x:1' must be a list of layers, given str"),
    ({"max_event_age": 3600}, "max_event_age 3600 must be a Duration"),
    ({"timeout": Duration.millis(1500)}, "timeout 1 second 500 millis must be whole seconds"),
    ({"max_event_age": Duration.millis(90_500)}, "max_event_age 90500 millis must be whole seconds"),
])
def test_wrong_types_are_refused_with_the_type_expected(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(f"ServerlessFunction 'Test/Fn': {message}")):
        ServerlessFunction(stack, "Fn", entry=PLAIN, **props)


def test_every_wrong_type_is_reported_at_once(stack: Stack) -> None:
    with pytest.raises(ConfigurationError) as raised:
        ServerlessFunction(stack, "Fn", entry=PLAIN, timeout=30, memory_size="1024", snap_start=1)
    assert [error.split(": ", 1)[1].split()[0] for error in raised.value.errors] == [
        "memory_size", "timeout", "snap_start"]


@pytest.mark.parametrize("construct, props, message", [
    (QueueWorker, {"batchsize": 5}, "QueueWorker 'Test/It': batchsize 'given' is not an option of this construct "
                                    "or of its function: did you mean batch_size?"),
    (ScheduledFunction, {"schedule": "rate(1 day)", "memmory_size": 512}, "did you mean memory_size?"),
    (StreamConsumer, {"stream": None, "batch_sizes": 5}, "StreamConsumer 'Test/It': batch_sizes 'given'"),
    (AlbFunction, {"time_out": Duration.seconds(3)}, "did you mean timeout?"),
    (ApiFunction, {"rootes": ["GET /"]}, "did you mean routes?"),
    (TopicSubscriber, {"filterpolicy": {}}, "did you mean filter_policy?"),
    (VpcFunction, {"allow_internets": True}, "did you mean allow_internet?"),
    (ThumbnailPipeline, {"size": [128]}, "did you mean sizes"),
    (ThumbnailPipeline, {"handler": "x.y"}, "handler 'given' is set by ThumbnailPipeline"),
    (ThumbnailPipeline, {"sizes": 128}, "sizes 128 must be a list of widths in pixels (e.g. [128, 512]), given int"),
    (ThumbnailPipeline, {"sizes": ["128"]}, "sizes '128' must be an int (pixels)"),
    (ServerlessFunction, {"entry": PLAIN, "memorysize": 512}, None),
])
def test_unknown_options_name_the_construct_and_the_closest_options(stack: Stack, construct, props, message) -> None:
    if construct is ServerlessFunction:  # its own signature: Python's TypeError already names the option
        with pytest.raises(TypeError, match="memorysize"):
            construct(stack, "It", **props)
        return
    if construct is StreamConsumer:
        props["stream"] = dynamodb.Table(
            stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            stream=dynamodb.StreamViewType.NEW_IMAGE)
    entry = {} if construct is ThumbnailPipeline else {"entry": PLAIN}
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        construct(stack, "It", **entry, **props)


def test_a_fan_out_worker_is_checked_as_a_queue_worker(stack: Stack) -> None:
    fan_out = FanOut(stack, "Uploads")
    with pytest.raises(ConfigurationError, match=re.escape(
            "QueueWorker 'Test/Uploads/Catalog': batchsize 'given' is not an option") + ".*batch_size"):
        fan_out.add_worker("Catalog", entry=PLAIN, batchsize=5)


@pytest.mark.parametrize("construct", [QueueWorker, ApiFunction, AlbFunction, ScheduledFunction, TopicSubscriber,
                                       VpcFunction, ThumbnailPipeline, StreamConsumer])
def test_every_pattern_checks_the_types_of_its_function_options_first(construct) -> None:
    """Some patterns read the function's timeout before creating it: a wrong type is reported, not a crash."""
    stack = Stack(make_app(), "Test", env=Environment(region="us-east-1"))
    props: dict = {} if construct is ThumbnailPipeline else {"entry": PLAIN}
    if construct is ScheduledFunction:
        props["schedule"] = "rate(1 day)"
    if construct is StreamConsumer:
        props["stream"] = dynamodb.Table(
            stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            stream=dynamodb.StreamViewType.NEW_IMAGE)
    with pytest.raises(ConfigurationError) as raised:
        construct(stack, "It", timeout=1000, memory_size="512", **props)
    assert raised.value.errors == [
        f"{construct.__name__} 'Test/It': timeout 1000 must be a Duration (e.g. Duration.seconds(30)), given int",
        f"{construct.__name__} 'Test/It': memory_size '512' must be an int, given str",
    ]
