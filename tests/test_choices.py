"""Options with a fixed set of values: typed as Literal, so that a type checker flags a value outside it; at synth,
an unknown value gets one message naming the closest valid one, and none about the options that depend on it."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Literal, get_args, get_origin, get_type_hints

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam

from constructs_lib import (
    ApiCors, ApiFunction, ConfigurationError, ScheduledFunction, ServerlessFunction, ThumbnailPipeline,
)
from constructs_lib.function.options import FunctionOptions
from tests.helpers import PLAIN

WEB_ACL = "arn:aws:wafv2:us-east-1:111111111111:regional/webacl/acl/11111111-2222-3333-4444-555555555555"
ROLE = "arn:aws:iam::111111111111:role/caller"


def invokers(stack: Stack) -> list[iam.IPrincipal]:
    return [iam.Role.from_role_arn(stack, "Caller", ROLE)]


@pytest.mark.parametrize("build, message", [
    (lambda s: ScheduledFunction(s, "It", schedule="rate(1 day)", entry=PLAIN, via="schedular",  # type: ignore
                                 time_zone="Europe/Paris", flexible_window=Duration.minutes(5)),
     "ScheduledFunction 'Test/It': via 'schedular' must be 'rule' or 'scheduler': did you mean 'scheduler'?"),
    (lambda s: ApiFunction(s, "It", entry=PLAIN, api="REST", web_acl_arn=WEB_ACL),  # type: ignore
     "ApiFunction 'Test/It': api 'REST' must be 'http' or 'rest': did you mean 'rest'?"),
    (lambda s: ApiFunction(s, "It", entry=PLAIN, auth="IAM", allow_public_api=True, self_sign_up=True),  # type: ignore
     "ApiFunction 'Test/It': auth 'IAM' must be 'cognito' or 'iam' or 'none': did you mean 'iam'?"),
    (lambda s: ThumbnailPipeline(s, "It", via="queues", batch_size=5),  # type: ignore
     "ThumbnailPipeline 'Test/It': via 'queues' must be 'direct' or 'queue': did you mean 'queue'?"),
    (lambda s: ServerlessFunction(s, "It", entry=PLAIN, function_url_auth="AWS-IAM",  # type: ignore
                                  function_url_invokers=invokers(s)),
     "ServerlessFunction 'Test/It': function_url_auth 'AWS-IAM' must be 'AWS_IAM' or 'NONE': did you mean 'AWS_IAM'?"),
    (lambda s: ApiFunction(s, "It", entry=PLAIN, cors=ApiCors(allow_origins=["*"], allow_methods=["get"])),  # type: ignore
     "ApiFunction 'Test/It': cors.allow_methods 'get' must be 'GET' or 'POST' or 'PUT' or 'PATCH' or 'DELETE' or "
     "'HEAD' or 'OPTIONS' or 'ANY': did you mean 'GET'?"),
    (lambda s: ScheduledFunction(s, "It", schedule="rate(1 day)", entry=PLAIN, via=None),  # type: ignore
     "ScheduledFunction 'Test/It': via None must be 'rule' or 'scheduler', given NoneType"),
], ids=["ScheduledFunction.via", "ApiFunction.api", "ApiFunction.auth", "ThumbnailPipeline.via",
        "ServerlessFunction.function_url_auth", "ApiCors.allow_methods", "not a str"])
def test_an_unknown_choice_gets_one_message_with_the_closest_valid_one(
        stack: Stack, build: Callable[[Stack], Any], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        build(stack)
    assert raised.value.errors == [message]


# Every option with a fixed set of values, and the values (what the construct's checks accept).
CHOICES = [
    (ApiFunction, "api", {"http", "rest"}),
    (ApiFunction, "auth", {"cognito", "iam", "none"}),
    (ScheduledFunction, "via", {"rule", "scheduler"}),
    (ThumbnailPipeline, "via", {"direct", "queue"}),
    (ServerlessFunction, "function_url_auth", {"AWS_IAM", "NONE"}),
]


def literal_values(annotation: Any) -> set[Any]:
    """The values of a Literal, through Optional."""
    if get_origin(annotation) is Literal:
        return set(get_args(annotation))
    return set().union(*(literal_values(arg) for arg in get_args(annotation)))


@pytest.mark.parametrize("construct, option, values", CHOICES, ids=[f"{c.__name__}.{o}" for c, o, _ in CHOICES])
def test_options_with_a_fixed_set_of_values_are_literal_types(construct: type, option: str, values: set[str]) -> None:
    assert literal_values(get_type_hints(construct.__init__)[option]) == values
    if option in get_type_hints(FunctionOptions):  # and as a pattern's pass-through option
        assert literal_values(get_type_hints(FunctionOptions)[option]) == values
    assert inspect.signature(construct.__init__).parameters[option].kind is inspect.Parameter.KEYWORD_ONLY


def test_cors_methods_are_a_literal_type() -> None:
    methods = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
    assert literal_values(get_args(get_type_hints(ApiCors)["allow_methods"])[0]) == methods
