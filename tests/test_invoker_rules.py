"""The invokers' DeployRules on what the breaking and keeping stacks of tests/deploy_rule_cases.py do not show: a
permission for another pool or log group, one the filter does not wait for, filters on one log group from
several stacks, a loop through two functions, a processor behind an alias, and Lambda's default timeout."""

from __future__ import annotations

import pytest

from constructs_lib.rules import invoker_rules, model

FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {"Role": "arn:aws:iam::111122223333:role/r",
                                                             "Code": {"ZipFile": "x"}, "Handler": "index.handler",
                                                             "Runtime": "python3.13"}}


def function(**props) -> dict:
    return {**FUNCTION, "Properties": {**FUNCTION["Properties"], **props}}


def permission(function_id: str, principal: str, source: object = None) -> dict:
    props = {"Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
             "Principal": principal}
    return {"Type": "AWS::Lambda::Permission", "Properties": props if source is None else {**props, "SourceArn": source}}


def hits(check, *templates: dict) -> list[tuple[str, str, str]]:
    app = model.App([model.Stack(f"S{i}", template) for i, template in enumerate(templates)])
    return [(hit.stack.path, hit.logical_id or "", hit.detail) for hit in check(app)]


def arn(logical_id: str) -> dict:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


@pytest.mark.parametrize("source, reported", [(None, False), (arn("Users"), False), (arn("Others"), True)])
def test_a_trigger_permission_must_let_this_pool_in(source, reported: bool) -> None:
    template = {"Resources": {
        "Users": {"Type": "AWS::Cognito::UserPool", "Properties": {"LambdaConfig": {
            "PreTokenGenerationConfig": {"LambdaArn": arn("Fn"), "LambdaVersion": "V2_0"}}}},
        "Others": {"Type": "AWS::Cognito::UserPool"},
        "Fn": function(), "Allow": permission("Fn", "cognito-idp.amazonaws.com", source)}}
    found = hits(invoker_rules.cognito_trigger_permissions, template)
    assert found == ([("S0", "Users", "its PreTokenGenerationConfig trigger invokes Fn ($LATEST), which has no "
                                      "lambda:InvokeFunction permission for cognito-idp.amazonaws.com from this user "
                                      "pool")] if reported else [])


def subscription(group: object, function_id: str, **extra) -> dict:
    return {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {
        "LogGroupName": group, "FilterPattern": "", "DestinationArn": arn(function_id)}, **extra}


def test_a_filter_must_wait_for_a_permission_of_its_log_group() -> None:
    template = {"Resources": {
        "Orders": {"Type": "AWS::Logs::LogGroup"}, "Audit": {"Type": "AWS::Logs::LogGroup"}, "Fn": function(),
        "ForAudit": permission("Fn", {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]},
                               arn("Audit")),
        "ForOrders": permission("Fn", "logs.amazonaws.com", arn("Orders")),
        "Early": subscription({"Ref": "Orders"}, "Fn"),
        "Waits": subscription({"Ref": "Audit"}, "Fn", DependsOn=["ForAudit"]),
    }}
    assert hits(invoker_rules.subscription_permissions, template) == [
        ("S0", "Early", "may be created before ForOrders, the permission that lets logs.amazonaws.com invoke Fn "
                        "($LATEST): it does not depend on it")]


def test_filters_on_one_log_group_are_counted_across_stacks() -> None:
    owner = {"Resources": {"Orders": {"Type": "AWS::Logs::LogGroup"}, "Fn": function(),
                           "One": subscription({"Ref": "Orders"}, "Fn"), "Two": subscription({"Ref": "Orders"}, "Fn")},
             "Outputs": {"Group": {"Value": {"Ref": "Orders"}, "Export": {"Name": "OrdersGroup"}}}}
    other = {"Resources": {"Fn": function(), "Three": subscription({"Fn::ImportValue": "OrdersGroup"}, "Fn")}}
    found = hits(invoker_rules.subscription_limit, owner, other)
    assert [(stack, logical_id) for stack, logical_id, _ in found] == [("S0", "One"), ("S0", "Two"), ("S1", "Three")]
    assert found[0][2] == "is one of 3 subscription filters (One, Two, Three) on the log group Orders"
    named = {"Resources": {"Fn": function(), **{name: subscription("/legacy/orders", "Fn") for name in ("A", "B")}}}
    assert hits(invoker_rules.subscription_limit, named, named) != []  # one literal name, whatever the stack


def test_a_loop_through_two_functions_is_found_and_a_chain_is_not() -> None:
    chain = {
        "A": function(LoggingConfig={"LogGroup": {"Ref": "ALogs"}}), "ALogs": {"Type": "AWS::Logs::LogGroup"},
        "B": function(FunctionName="reader"), "Worker": {"Type": "AWS::Logs::LogGroup"},
        "ReadsWorker": subscription({"Ref": "Worker"}, "A"), "ReadsA": subscription({"Ref": "ALogs"}, "B"),
    }
    assert hits(invoker_rules.subscription_loops, {"Resources": chain}) == []
    closed = {**chain, "ReadsB": subscription("/aws/lambda/reader", "A")}
    found = hits(invoker_rules.subscription_loops, {"Resources": closed})
    assert {logical_id for _, logical_id, _ in found} == {"ReadsA", "ReadsB"}


@pytest.mark.parametrize("timeout, reported", [(None, False), (300, False), ("301", True)])
def test_a_processor_behind_an_alias_is_judged_by_its_functions_timeout(timeout, reported: bool) -> None:
    props = {} if timeout is None else {"Timeout": timeout}
    template = {"Resources": {
        "Fn": function(**props),
        "Live": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "1",
                                                               "Name": "live"}},
        "Stream": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {
            "ExtendedS3DestinationConfiguration": {"ProcessingConfiguration": {"Enabled": True, "Processors": [
                {"Type": "Lambda", "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": {"Ref": "Live"}}]}]}}}},
    }}
    found = hits(invoker_rules.firehose_processor_timeouts, template)
    assert found == ([("S0", "Stream", "transforms with Fn (alias live), whose timeout is 301 s: Firehose waits 300 s "
                                       "for an invocation")] if reported else [])
