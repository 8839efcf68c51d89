"""The 2025 controls: event source mapping controls of QueueWorker and StreamConsumer (SQS provisioned pollers,
the mapping's metrics and their alarms) and the function-level ones (tenant isolation, inline code), each rule
checked with its message, in apps without feature flags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match

from constructs_lib import (
    AlbFunction, ApiFunction, ConfigurationError, FunctionStep, QueueWorker, ScheduledFunction, ServerlessFunction,
    StreamConsumer, TopicSubscriber, VpcFunction,
)
from tests.helpers import PLAIN, template_of
from tests.tenancy_app import tenancy_app
from constructs_lib.cli.scanners import cfn_lint

INLINE = "def handler(event, context):\n    return {'ok': True}\n"
DIRECT = "Only its owner invokes it, synchronously"


def resources(stack: Stack, kind: str) -> list[dict]:
    return list(template_of(stack).find_resources(kind).values())


# --- event source mappings ------------------------------------------------------------------------------------


def test_provisioned_pollers_are_written_as_lambda_takes_them(stack: Stack) -> None:
    QueueWorker(stack, "Small", entry=PLAIN, provisioned_pollers=(2, 50))
    # aws-cdk-lib refuses a maximum over 2,000; Lambda takes up to 10,000 for SQS: written by an override.
    QueueWorker(stack, "Large", entry=PLAIN, provisioned_pollers=(10, 10_000))
    configs = [m["Properties"]["ProvisionedPollerConfig"] for m in resources(stack, "AWS::Lambda::EventSourceMapping")]
    assert configs == [{"MinimumPollers": 2, "MaximumPollers": 50}, {"MinimumPollers": 10, "MaximumPollers": 10_000}]


def test_mapping_metrics_are_on_by_default_and_can_be_turned_off(stack: Stack) -> None:
    QueueWorker(stack, "Worker", entry=PLAIN)
    StreamConsumer(stack, "Consumer", stream=kinesis.Stream(stack, "Stream"), entry=PLAIN, metrics=False)
    worker, consumer = resources(stack, "AWS::Lambda::EventSourceMapping")
    assert worker["Properties"]["MetricsConfig"] == {"Metrics": ["EventCount"]}
    assert "MetricsConfig" not in consumer["Properties"]


def test_a_quiet_source_alarms_only_when_asked(stack: Stack) -> None:
    worker = QueueWorker(stack, "Worker", entry=PLAIN, expect_events_within=Duration.minutes(30))
    quiet = QueueWorker(stack, "Quiet", entry=PLAIN)
    assert "no_events" not in quiet.alarms
    template_of(stack).has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/Lambda", "MetricName": "PolledEventCount", "Statistic": "Sum", "Period": 1800,
        "Dimensions": [{"Name": "EventSourceMappingUUID",
                        "Value": stack.resolve(worker.event_source_mapping.event_source_mapping_id)}],
        "ComparisonOperator": "LessThanThreshold", "Threshold": 1, "TreatMissingData": "breaching",
    })
    assert worker.alarms["no_events"].node.scope is worker


def test_dropped_records_alarm_where_the_failure_destination_has_none(stack: Stack) -> None:
    stream = kinesis.Stream(stack, "Stream")
    to_topic = StreamConsumer(stack, "ToTopic", stream=stream, entry=PLAIN, on_failure=sns.Topic(stack, "Failures"))
    to_queue = StreamConsumer(stack, "ToQueue", stream=stream, entry=PLAIN)  # its queue has an alarm
    assert "records_dropped" in to_topic.alarms and "records_dropped" not in to_queue.alarms
    template_of(stack).has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "DroppedEventCount", "Threshold": 1, "TreatMissingData": "notBreaching",
        "Dimensions": [{"Name": "EventSourceMappingUUID",
                        "Value": stack.resolve(to_topic.event_source_mapping.event_source_mapping_id)}],
    })


WORKER = re.escape("QueueWorker 'Test/Worker': ")


@pytest.mark.parametrize("props, message", [
    ({"provisioned_pollers": (1, 10)}, "provisioned_pollers minimum 1 must be between 2 and 200 inclusive"),
    ({"provisioned_pollers": (201, 300)}, "provisioned_pollers minimum 201 must be between 2 and 200 inclusive"),
    ({"provisioned_pollers": (2, 10_001)}, "provisioned_pollers maximum 10001 must be between 2 and 10000 inclusive"),
    ({"provisioned_pollers": (20, 10)}, "provisioned_pollers (20, 10) must have minimum <= maximum"),
    ({"provisioned_pollers": 5}, "provisioned_pollers 5 must be (minimum, maximum), e.g. (2, 200)"),
    ({"provisioned_pollers": (2, 10), "max_concurrency": 5},
     "max_concurrency 5 cannot be given with provisioned_pollers: Lambda takes either ScalingConfig"),
    ({"expect_events_within": Duration.hours(1), "metrics": False},
     "expect_events_within 1 hour needs metrics=True: the alarm watches the mapping's PolledEventCount metric"),
    ({"expect_events_within": Duration.seconds(90)},
     "expect_events_within 1 minute 30 seconds must be whole minutes, from 1 minute to 1 day"),
    ({"expect_events_within": Duration.days(2)}, "expect_events_within 2 days must be whole minutes"),
])
def test_each_mapping_control_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=WORKER + re.escape(message)):
        QueueWorker(stack, "Worker", entry=PLAIN, **props)


# --- tenant isolation -----------------------------------------------------------------------------------------


def test_a_tenant_isolated_function(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, tenancy="per_tenant", no_failure_target=DIRECT)
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {"TenancyConfig": {
        "TenantIsolationMode": "PER_TENANT"}})
    assert fn.tenancy == "per_tenant"


FN = re.escape("ServerlessFunction 'Test/Fn': ")


@pytest.mark.parametrize("props, message", [
    ({"tenancy": "per-tenant"}, "tenancy 'per-tenant' must be 'per_tenant': did you mean 'per_tenant'?"),
    ({"snap_start": True}, "snap_start True cannot be used with tenancy='per_tenant': Lambda offers no SnapStart"),
    ({"provisioned_concurrency": 2},
     "provisioned_concurrency 2 cannot be used with tenancy='per_tenant': Lambda keeps no environments ready"),
    ({"function_url_auth": "AWS_IAM"},
     "function_url_auth 'AWS_IAM' cannot be used with tenancy='per_tenant': a function URL cannot pass the tenant id"),
])
def test_what_lambda_rules_out_with_tenant_isolation_is_refused(stack: Stack, props: dict, message: str) -> None:
    options = {"tenancy": "per_tenant", **props}
    with pytest.raises(ConfigurationError, match=FN + re.escape(message)):
        ServerlessFunction(stack, "Fn", entry=PLAIN, no_failure_target=DIRECT, **options)


TRIGGERS = [
    (QueueWorker, {}, "An SQS event source mapping"),
    (StreamConsumer, {"stream": "stream"}, "A stream's event source mapping"),
    (ScheduledFunction, {"schedule": "rate(1 hour)"}, "EventBridge"),
    (TopicSubscriber, {"topic": "topic"}, "An SNS subscription"),
    (AlbFunction, {}, "An Application Load Balancer"),
    (ApiFunction, {"api": "http"}, "An HTTP API (it cannot set X-Amz-Tenant-Id; use api='rest')"),
]


@pytest.mark.parametrize("pattern, props, invoker", TRIGGERS, ids=[t[0].__name__ for t in TRIGGERS])
def test_a_trigger_that_passes_no_tenant_id_refuses_tenancy(stack: Stack, pattern, props: dict, invoker: str) -> None:
    given = {"stream": kinesis.Stream(stack, "Stream"), "topic": sns.Topic(stack, "Topic")}
    props = {key: given.get(value, value) if isinstance(value, str) else value for key, value in props.items()}
    message = (f"{pattern.__name__} 'Test/P': tenancy 'per_tenant' cannot be used here: {invoker} invokes the "
               "function without a tenant id, and Lambda refuses every invocation of a tenant-isolated function")
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        pattern(stack, "P", entry=PLAIN, tenancy="per_tenant", **props)


def test_a_workflow_step_refuses_a_tenant_isolated_function(stack: Stack) -> None:
    fn = ServerlessFunction(stack, "Fn", entry=PLAIN, tenancy="per_tenant", no_failure_target=DIRECT)
    message = ("FunctionStep 'Test/Step': tenancy 'per_tenant' cannot be used here: A Step Functions Lambda task "
               "invokes the function without a tenant id")
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        FunctionStep(stack, "Step", function=fn)


def test_a_function_only_invoked_directly_may_be_tenant_isolated(stack: Stack) -> None:
    VpcFunction(stack, "P", entry=PLAIN, tenancy="per_tenant", no_failure_target=DIRECT)
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {"TenancyConfig": Match.any_value()})


def test_a_rest_api_maps_the_tenant_id_header(stack: Stack) -> None:
    ApiFunction(stack, "Api", api="rest", entry=PLAIN, tenancy="per_tenant", routes=["GET /orders", "POST /orders"])
    template = template_of(stack)
    methods = [m["Properties"] for m in resources(stack, "AWS::ApiGateway::Method")
               if m["Properties"]["HttpMethod"] != "OPTIONS"]
    assert len(methods) == 2
    (validator_id,) = template.find_resources("AWS::ApiGateway::RequestValidator", {"Properties": {
        "ValidateRequestParameters": True}})
    for method in methods:
        assert method["Integration"]["RequestParameters"] == {
            "integration.request.header.X-Amz-Tenant-Id": "method.request.header.x-tenant-id"}
        assert method["RequestParameters"] == {"method.request.header.x-tenant-id": True}  # required: 400 without
        assert method["RequestValidatorId"] == {"Ref": validator_id}


def test_a_tenant_id_from_the_cognito_user_needs_no_request_parameter(stack: Stack) -> None:
    ApiFunction(stack, "Api", api="rest", entry=PLAIN, tenancy="per_tenant",
                tenant_id_from="context.authorizer.claims.sub")
    (method,) = [m["Properties"] for m in resources(stack, "AWS::ApiGateway::Method")]
    assert method["Integration"]["RequestParameters"] == {
        "integration.request.header.X-Amz-Tenant-Id": "context.authorizer.claims.sub"}
    assert "RequestParameters" not in method and resources(stack, "AWS::ApiGateway::RequestValidator") == []


API = re.escape("ApiFunction 'Test/Api': ")


@pytest.mark.parametrize("props, message", [
    ({"tenant_id_from": "method.request.header.x-tenant"}, "tenant_id_from 'method.request.header.x-tenant' "
     "applies only with tenancy='per_tenant'"),
    ({"tenancy": "per_tenant", "tenant_id_from": "method.request.header.custom:tenant"},
     "tenant_id_from 'method.request.header.custom:tenant' must be an API Gateway mapping expression"),
    ({"tenancy": "per_tenant", "tenant_id_from": "request.header.x"}, "tenant_id_from 'request.header.x' must be"),
    ({"tenancy": "per_tenant", "tenant_id_from": "method.request.path.tenant", "routes": ["GET /t/{tenant}", "GET /x"]},
     "tenant_id_from 'method.request.path.tenant' names a path parameter that routes /x do not have"),
])
def test_each_tenant_id_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=API + re.escape(message)):
        ApiFunction(stack, "Api", api="rest", entry=PLAIN, **props)


def test_the_tenancy_app_passes_deploy_rules_and_cfn_lint() -> None:
    assembly = tenancy_app().synth()  # DeployRules runs in the synth: a tenant-isolated function behind a
    (template,) = Path(assembly.directory).glob("*.template.json")  # trigger without a tenant id fails it
    assert cfn_lint([template]) == {"cfn-lint": [], "cfn-lint-serverless": []}
    functions = [f["Properties"] for f in json.loads(template.read_text())["Resources"].values()
                 if f["Type"] == "AWS::Lambda::Function"]
    assert sum("TenancyConfig" in f for f in functions) == 2


# --- inline code ----------------------------------------------------------------------------------------------


def test_inline_code_is_written_into_the_template(stack: Stack) -> None:
    ServerlessFunction(stack, "Fn", inline=INLINE, no_failure_target=DIRECT)
    template_of(stack).has_resource_properties("AWS::Lambda::Function", {
        "Code": {"ZipFile": INLINE}, "Handler": "index.handler"})


@pytest.mark.parametrize("props, message", [
    ({"entry": PLAIN}, "inline 'given' and entry: give exactly one of entry, image and inline"),
    ({"entry": PLAIN.parent / "with_requirements"},
     "inline 'given' cannot include function dependencies: entry's requirements.txt would be ignored"),
    ({"handler": "app.handler"}, "handler 'app.handler' must be 'index.<function>' with inline code"),
    ({"inline": "  \n"}, "inline '  \\n' must be the handler's source code"),
    ({"inline": "x = 1\n" * 200_000}, "inline 'of 1,400,002 bytes in the template' exceeds the 1,048,576 bytes"),
])
def test_each_inline_rule_is_checked(stack: Stack, props: dict, message: str) -> None:
    options = {"inline": INLINE, **props}
    with pytest.raises(ConfigurationError, match=FN + re.escape(message)):
        ServerlessFunction(stack, "Fn", no_failure_target=DIRECT, **options)
