"""Workflow and FunctionStep in an app without context: what Step Functions, IAM, CloudWatch Logs, EventBridge,
S3 and Pipes check when CloudFormation creates each resource and at the first execution, and every synth-time rule
with its message."""

from __future__ import annotations

import json

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from aws_cdk.assertions import Annotations, Match, Template

from constructs_lib import ConfigurationError, Deployment, FunctionStep, ServerlessFunction, Workflow, route_alarms
from constructs_lib.patterns.workflow.function_step import TRANSIENT_ERRORS
from tests.helpers import PLAIN, template_of

SYNC = "Only the workflow invokes it, synchronously."


def function(stack: Stack, name: str = "Fn", **options) -> ServerlessFunction:
    return ServerlessFunction(stack, name, entry=PLAIN, no_failure_target=SYNC, **options)


def definition_of(template: Template) -> dict:
    """The state machine's definition, with each intrinsic function written as its JSON."""
    (machine,) = template.find_resources("AWS::StepFunctions::StateMachine").values()
    body = machine["Properties"]["DefinitionString"]
    if isinstance(body, str):
        return json.loads(body)
    parts = body["Fn::Join"][1]
    return json.loads("".join(part if isinstance(part, str) else json.dumps(json.dumps(part))[1:-1] for part in parts))


def role_statements(template: Template, role_prefix: str) -> list[dict]:
    return [statement for logical_id, policy in template.find_resources("AWS::IAM::Policy").items()
            if logical_id.startswith(role_prefix) for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def test_a_standard_workflow_logs_traces_and_times_out_by_default(stack: Stack) -> None:
    Workflow(stack, "Flow", definition=FunctionStep(stack, "Step", function=function(stack)))
    template = template_of(stack)
    template.has_resource_properties("AWS::StepFunctions::StateMachine", {
        "StateMachineType": "STANDARD",
        "TracingConfiguration": {"Enabled": True},
        "LoggingConfiguration": {"Level": "ALL", "IncludeExecutionData": False, "Destinations": [
            {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [Match.string_like_regexp("^FlowLogGroup"),
                                                                        "Arn"]}}}]},
    })
    assert definition_of(template)["TimeoutSeconds"] == 3600
    (group,) = template.find_resources("AWS::Logs::LogGroup", {"Properties": {"LogGroupName": Match.any_value()}}
                                       ).values()
    # One vended-logs resource policy covers /aws/vendedlogs/ groups; a name is at most 512 characters.
    # The group is retained, so its name ends in the stack's GUID: a stack deleted and created again does
    # not meet the old group's name (ResourceAlreadyExistsException); an update keeps it.
    separator, (prefix, guid) = group["Properties"]["LogGroupName"]["Fn::Join"]
    assert separator == "" and prefix.startswith("/aws/vendedlogs/states/") and prefix.endswith("-")
    assert guid == {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}
    assert len(prefix) + 36 <= 512
    assert group["Properties"]["RetentionInDays"] == 365 and group["DeletionPolicy"] == "Retain"


def test_the_role_trusts_step_functions_of_this_account_and_may_deliver_logs_and_traces(stack: Stack) -> None:
    Workflow(stack, "Flow", definition=FunctionStep(stack, "Step", function=function(stack)))
    template = template_of(stack)
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [{
        "Principal": {"Service": "states.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                      "ArnLike": {"aws:SourceArn": Match.any_value()}}}]}})
    statements = role_statements(template, "FlowStateMachineRole")
    delivery = next(s for s in statements if "logs:CreateLogDelivery" in s["Action"])
    # Step Functions' log delivery is authorized on '*' (Step Functions developer guide, cw-logs.html).
    assert delivery["Resource"] == "*" and set(delivery["Action"]) == {
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"}
    assert any("xray:PutTraceSegments" in s["Action"] for s in statements)


def test_the_role_may_invoke_exactly_what_the_definition_invokes(stack: Stack) -> None:
    plain = function(stack, "Plain")
    canary = function(stack, "Canary", deployment=Deployment.canary(10, 5))
    Workflow(stack, "Flow", definition=FunctionStep(stack, "A", function=plain).next(
        FunctionStep(stack, "B", function=canary)))
    template = template_of(stack)
    invokes = [s for s in role_statements(template, "FlowStateMachineRole") if s["Action"] == "lambda:InvokeFunction"]
    plain_id = stack.get_logical_id(plain.function.node.default_child)
    alias_id = stack.get_logical_id(canary.alias.node.default_child)
    assert [s["Resource"] for s in invokes] == [{"Fn::GetAtt": [plain_id, "Arn"]}, {"Ref": alias_id}]
    states = definition_of(template)["States"]
    # Never $LATEST while a canary runs: the task names the alias.
    assert alias_id in states["B"]["Resource"] and plain_id in states["A"]["Resource"]


def test_a_step_retries_lambdas_transient_errors_and_throttles_with_jitter(stack: Stack) -> None:
    Workflow(stack, "Flow", definition=FunctionStep(stack, "Step", function=function(stack), result_path="$.step"))
    (state,) = definition_of(template_of(stack))["States"].values()
    assert state["Retry"] == [{"ErrorEquals": list(TRANSIENT_ERRORS), "IntervalSeconds": 2, "MaxAttempts": 6,
                               "BackoffRate": 2, "JitterStrategy": "FULL"}]
    assert "Lambda.TooManyRequestsException" in TRANSIENT_ERRORS
    # payload_response_only: the function ARN is the resource, the state receives the function's answer only.
    assert "arn:aws:states" not in state["Resource"] and state["ResultPath"] == "$.step"


def test_express_workflows_have_no_failure_queue_events_do_not_exist_for_them(stack: Stack) -> None:
    flow = Workflow(stack, "Flow", kind="express", definition=sfn.Pass(stack, "Nothing"))
    template = template_of(stack)
    template.has_resource_properties("AWS::StepFunctions::StateMachine", {"StateMachineType": "EXPRESS"})
    assert definition_of(template)["TimeoutSeconds"] == 300
    assert flow.failures is None and flow.failure_rule is None
    template.resource_count_is("AWS::Events::Rule", 0)
    assert sorted(flow.alarms) == ["executions_aborted", "executions_failed", "executions_throttled",
                                   "executions_timed_out"]


def test_failed_executions_are_recorded_without_their_data(stack: Stack) -> None:
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    template = template_of(stack)
    machine = stack.get_logical_id(flow.state_machine.node.default_child)
    queue = stack.get_logical_id(flow.failures.node.default_child)
    template.has_resource_properties("AWS::Events::Rule", {
        "EventPattern": {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
                         "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"],
                                    "stateMachineArn": [{"Ref": machine}]}},
        "Targets": [{"Arn": {"Fn::GetAtt": [queue, "Arn"]}, "InputTransformer": {
            "InputPathsMap": Match.object_like({"detail-executionArn": "$.detail.executionArn",
                                                "detail-cause": "$.detail.cause"})}}]})
    (rule,) = template.find_resources("AWS::Events::Rule").values()
    assert "$.detail.input" not in json.dumps(rule)
    # EventBridge may send to the queue only for this rule (the queue policy SQS checks at delivery).
    template.has_resource_properties("AWS::SQS::QueuePolicy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
                           "Principal": {"Service": "events.amazonaws.com"},
                           "Condition": {"ArnEquals": {"aws:SourceArn": Match.any_value()}}})])}})


def test_execution_data_is_logged_and_recorded_only_when_asked(stack: Stack) -> None:
    Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"), include_execution_data=True)
    template = template_of(stack)
    template.has_resource_properties("AWS::StepFunctions::StateMachine", {
        "LoggingConfiguration": {"IncludeExecutionData": True}})
    (rule,) = template.find_resources("AWS::Events::Rule").values()
    assert "InputTransformer" not in rule["Properties"]["Targets"][0]


def test_the_alarms_watch_executions_and_reach_the_topic(stack: Stack) -> None:
    topic = sns.Topic(stack, "Ops", enforce_ssl=True)
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"), alarm_topic=topic)
    template = template_of(stack)
    metrics = {a["Properties"]["MetricName"] for a in template.find_resources("AWS::CloudWatch::Alarm").values()}
    assert metrics == {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted", "ExecutionThrottled",
                       "ApproximateNumberOfMessagesVisible"}
    for alarm in template.find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": stack.get_logical_id(topic.node.default_child)}]
    assert len(flow.alarms) == 5


def test_route_alarms_reaches_a_workflows_alarms(stack: Stack) -> None:
    Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    route_alarms(stack, sns.Topic(stack, "Ops", enforce_ssl=True))
    for alarm in template_of(stack).find_resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"]


def test_silent_alarms_are_warned(stack: Stack) -> None:
    Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    Annotations.from_stack(stack).has_warning("/Test/Flow", Match.string_like_regexp("5 alarms notify nobody"))


# --- starts ------------------------------------------------------------------------------------------------------


def test_an_event_rule_starts_it_through_a_role_that_may_start_only_it(stack: Stack) -> None:
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    flow.start_on_event("Placed", event_pattern=events.EventPattern(source=["shop"]),
                        input=events.RuleTargetInput.from_event_path("$.detail"))
    flow.start_on_event("Nightly", schedule=events.Schedule.rate(Duration.days(1)))
    template = template_of(stack)
    machine = stack.get_logical_id(flow.state_machine.node.default_child)
    dead_letters = stack.get_logical_id(flow.start_dead_letters.node.default_child)
    template.has_resource_properties("AWS::Events::Rule", {"EventPattern": {"source": ["shop"]}, "Targets": [{
        "Arn": {"Ref": machine}, "InputPath": "$.detail", "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [dead_letters,
                                                                                                      "Arn"]}},
        "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}}]})
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [
        Match.object_like({"Principal": {"Service": "events.amazonaws.com"}})]}})
    (start,) = role_statements(template, "FlowStateMachineEventsRole")
    assert start == {"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine}}
    assert "start_dead_letters_not_empty" in flow.alarms


def test_an_upload_starts_it_through_eventbridge(stack: Stack) -> None:
    bucket = s3.Bucket(stack, "Uploads", enforce_ssl=True)
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    flow.start_on_upload("Csv", bucket, prefix="in/", suffix=".csv")
    template = template_of(stack)
    template.has_resource_properties("Custom::S3BucketNotifications", {
        "NotificationConfiguration": {"EventBridgeConfiguration": {}}})
    template.has_resource_properties("AWS::Events::Rule", {"EventPattern": {
        "source": ["aws.s3"], "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [{"Ref": stack.get_logical_id(bucket.node.default_child)}]},
                   "object": {"key": [{"wildcard": "in/*.csv"}]}}}})


def test_a_queue_starts_it_through_a_pipe_whose_role_exists_first(stack: Stack) -> None:
    dead_letters = sqs.Queue(stack, "DeadLetters", enforce_ssl=True)
    queue = sqs.Queue(stack, "Orders", enforce_ssl=True,
                      dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=3))
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    start = flow.start_from_queue("FromOrders", queue)
    template = template_of(stack)
    machine = stack.get_logical_id(flow.state_machine.node.default_child)
    template.has_resource_properties("AWS::Pipes::Pipe", {
        "Source": {"Fn::GetAtt": [stack.get_logical_id(queue.node.default_child), "Arn"]},
        "Target": {"Ref": machine}, "SourceParameters": {"SqsQueueParameters": {"BatchSize": 1}},
        "TargetParameters": {"StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}}})
    template.has_resource_properties("AWS::IAM::Role", {"AssumeRolePolicyDocument": {"Statement": [{
        "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "pipes.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]}})
    statements = role_statements(template, "FlowFromOrdersRole")
    assert {"Action": "states:StartExecution", "Effect": "Allow", "Resource": {"Ref": machine}} in statements
    assert any("sqs:ReceiveMessage" in s["Action"] and "sqs:DeleteMessage" in s["Action"] for s in statements)
    (pipe,) = template.find_resources("AWS::Pipes::Pipe").values()
    policy = stack.get_logical_id(start.role.node.find_child("DefaultPolicy").node.default_child)
    assert policy in pipe["DependsOn"]  # Pipes checks the role's permissions when it creates the pipe
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("no dead-letter queue"))


def test_the_pipe_from_a_queue_is_alarmed_on_its_failed_executions_by_its_name(stack: Stack) -> None:
    topic = sns.Topic(stack, "Alarms", enforce_ssl=True)
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"), alarm_topic=topic)
    start = flow.start_from_queue("FromOrders", sqs.Queue(stack, "Orders", enforce_ssl=True))
    # EventBridge Pipes publishes ExecutionFailed by PipeName, the pipe's Ref (eb-pipes-monitoring.html).
    template_of(stack).has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/EventBridge/Pipes", "MetricName": "ExecutionFailed",
        "Dimensions": [{"Name": "PipeName", "Value": {"Ref": stack.get_logical_id(start.pipe)}}],
        "AlarmActions": [{"Ref": stack.get_logical_id(topic.node.default_child)}]})
    assert "FromOrders_failed" in flow.alarms


def test_a_queue_without_dead_letter_queue_is_warned(stack: Stack) -> None:
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    flow.start_from_queue("FromOrders", sqs.Queue(stack, "Orders", enforce_ssl=True))
    Annotations.from_stack(stack).has_warning("/Test/Flow/FromOrders", Match.string_like_regexp(
        "Test/Orders has no dead-letter queue: a message the pipe cannot start the workflow with returns"))


def test_grant_start_execution_grants_only_this_workflow(stack: Stack) -> None:
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    caller = iam.Role(stack, "Caller", assumed_by=iam.AccountRootPrincipal())
    flow.grant_start_execution(caller)
    (statement,) = role_statements(template_of(stack), "CallerDefaultPolicy")
    assert statement["Action"] == "states:StartExecution"
    assert statement["Resource"] == {"Ref": stack.get_logical_id(flow.state_machine.node.default_child)}


# --- checks at synth -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, timeout, message", [
    ("express", Duration.minutes(6), "Workflow 'Test/Flow': timeout 6 minutes must be between 1 second and 5 minutes: "
     "an Express execution runs at most 5 minutes, then fails with States.Timeout (https://docs.aws.amazon.com/"
     "step-functions/latest/dg/service-quotas.html)"),
    ("standard", Duration.days(366), "Workflow 'Test/Flow': timeout 366 days must be between 1 second and 365 days: "
     "a Standard execution runs at most one year"),
])
def test_timeouts_beyond_what_step_functions_runs_are_refused(stack: Stack, kind, timeout, message) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Workflow(stack, "Flow", kind=kind, timeout=timeout, definition=sfn.Pass(stack, "Nothing"))


def test_an_unknown_kind_is_refused(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match="Workflow 'Test/Flow': kind 'fast' must be one of standard, express"):
        Workflow(stack, "Flow", kind="fast", definition=sfn.Pass(stack, "Nothing"))


def test_a_task_timeout_beyond_the_functions_is_refused(stack: Stack) -> None:
    fn = function(stack, timeout=Duration.seconds(30))
    with pytest.raises(ConfigurationError, match=r"FunctionStep 'Test/Step': task_timeout 2 minutes is longer than "
                       r"the function's timeout \(30 s\) plus Lambda's 10 s Init phase = 40 s: Lambda stops the "
                       r"function by then"):
        FunctionStep(stack, "Step", function=fn, task_timeout=Duration.minutes(2))
    FunctionStep(stack, "Fits", function=fn, task_timeout=Duration.seconds(40))


def test_a_plain_functions_default_timeout_counts(stack: Stack) -> None:
    fn = lambda_.Function(stack, "Plain", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
                          code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"))
    with pytest.raises(ConfigurationError, match=r"function's timeout \(3 s\)"):
        FunctionStep(stack, "Step", function=fn, task_timeout=Duration.seconds(20))


def test_negative_retries_are_refused(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match="FunctionStep 'Test/Step': retry_attempts -1 must be 0 or more "
                                                 r"\(States Language: MaxAttempts\)"):
        FunctionStep(stack, "Step", function=function(stack), retry_attempts=-1)


def test_a_definition_that_does_not_render_is_refused(stack: Stack) -> None:
    fn = function(stack)
    chain = FunctionStep(stack, "A", function=fn, state_name="Same").next(
        FunctionStep(stack, "B", function=fn, state_name="Same"))
    with pytest.raises(ConfigurationError, match="Workflow 'Test/Flow': definition 'A' does not render as a state "
                                                 "machine: State with name 'Same' occurs in both"):
        Workflow(stack, "Flow", definition=chain)


def test_a_state_aws_cdk_lib_would_reject_at_synth_is_refused_at_once(stack: Stack) -> None:
    with pytest.raises(ConfigurationError, match="definition 'Each' does not render as a state machine: Map state "
                                                 "must either have a non-empty iterator"):
        Workflow(stack, "Flow", definition=sfn.Map(stack, "Each"))


def test_a_step_that_passes_a_whole_s3_object_is_refused(stack: Stack) -> None:
    read = tasks.CallAwsService(stack, "ReadObject", service="s3", action="getObject",
                                parameters={"Bucket": "reports", "Key.$": "$.key"},
                                iam_resources=["arn:aws:s3:::reports/*"])
    with pytest.raises(ConfigurationError, match=r"Workflow 'Test/Flow': definition 'ReadObject' passes a whole S3 "
                       r"object \(s3:getObject's Body\) into the state: Step Functions fails an execution whose state "
                       r"exceeds 262,144 bytes \(256 KiB\) with States.DataLimitExceeded"):
        Workflow(stack, "Flow", definition=read)


def test_a_step_that_keeps_only_an_objects_metadata_passes(stack: Stack) -> None:
    read = tasks.CallAwsService(stack, "ReadObject", service="s3", action="getObject",
                                parameters={"Bucket": "reports", "Key.$": "$.key"},
                                iam_resources=["arn:aws:s3:::reports/*"], result_selector={"size.$": "$.ContentLength"})
    Workflow(stack, "Flow", definition=read)


def test_a_map_without_max_concurrency_over_a_reserved_function_is_warned(stack: Stack) -> None:
    fn = function(stack, reserved_concurrency=5)
    each = sfn.Map(stack, "Each", items_path="$.items").item_processor(FunctionStep(stack, "Step", function=fn))
    Workflow(stack, "Flow", definition=each)
    Annotations.from_stack(stack).has_warning("/Test/Flow", Match.string_like_regexp(
        "Map state 'Each' has no max_concurrency and runs 'Step', which invokes Test/Fn/Function with reserved "
        "concurrency 5: iterations above it are throttled"))


def test_a_bounded_map_is_not_warned(stack: Stack) -> None:
    fn = function(stack, reserved_concurrency=5)
    each = sfn.Map(stack, "Each", items_path="$.items", max_concurrency=5).item_processor(
        FunctionStep(stack, "Step", function=fn))
    Workflow(stack, "Flow", definition=each)
    Annotations.from_stack(stack).has_no_warning("*", Match.string_like_regexp("max_concurrency"))


def test_start_on_event_needs_exactly_one_trigger(stack: Stack) -> None:
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    with pytest.raises(ConfigurationError, match="Workflow 'Test/Flow': Both: schedule 'given' and event_pattern: "
                                                 "give exactly one of them"):
        flow.start_on_event("Both", schedule=events.Schedule.rate(Duration.hours(1)),
                            event_pattern=events.EventPattern(source=["shop"]))


def test_a_pipe_batch_above_sqs_maximum_is_refused(stack: Stack) -> None:
    flow = Workflow(stack, "Flow", definition=sfn.Pass(stack, "Nothing"))
    with pytest.raises(ConfigurationError, match="Workflow 'Test/Flow': Big: batch_size 11 must be between 1 and 10"):
        flow.start_from_queue("Big", sqs.Queue(stack, "Orders", enforce_ssl=True), batch_size=11)
