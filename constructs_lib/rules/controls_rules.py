"""The controls Lambda added to event source mappings and functions in 2025: SQS provisioned mode (an event source
mapping's ProvisionedPollerConfig) and tenant isolation mode (a function's TenancyConfig). Their templates show
what AWS refuses: a mapping that asks for both provisioned pollers and a maximum concurrency, and a tenant-isolated
function behind a trigger that cannot pass a tenant id."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from ..core.templates import as_list, dig, joined_parts, mapping, ref_of
from .model import FAILS_AT_RUN_TIME, FAILS_DEPLOY, App, Hit, Rule, Stack, number
from .targets import Target, invoked_target, lambda_target, show_target

MAPPING_PAGE = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
                "aws-resource-lambda-eventsourcemapping.html")
TENANT_PAGE = "https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation-invoke.html"
SQS_MIN_POLLERS = 2
TENANT_ID_MAPPING = "integration.request.header.X-Amz-Tenant-Id"
LAMBDA_KINDS = ("AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version")


def _from_sqs(stack: Stack, source: Any) -> bool:
    """Whether a mapping's EventSourceArn is an SQS queue's: one of the template, or an ARN that says so."""
    queue = ref_of(source)
    if queue is not None:
        return stack.type_of(queue) == "AWS::SQS::Queue"
    text = source if isinstance(source, str) else "".join(p for p in joined_parts(source) if isinstance(p, str))
    return ":sqs:" in text


def sqs_pollers(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::Lambda::EventSourceMapping"):
        props = resource.get("Properties", {})
        pollers = props.get("ProvisionedPollerConfig")
        if pollers is None or not _from_sqs(stack, props.get("EventSourceArn")):
            continue
        if dig(props, "ScalingConfig", "MaximumConcurrency") is not None:
            yield Hit(stack, logical_id, "has both ProvisionedPollerConfig and ScalingConfig.MaximumConcurrency")
        for key in ("MinimumPollers", "MaximumPollers"):
            value = number(dig(pollers, key))
            if value is not None and value < SQS_MIN_POLLERS:
                yield Hit(stack, logical_id, f"asks for {value:g} {key} of an SQS queue")


def tenant_functions(stack: Stack) -> set[str]:
    return {logical_id for logical_id, resource in stack.of_type("AWS::Lambda::Function")
            if dig(resource, "Properties", "TenancyConfig", "TenantIsolationMode") == "PER_TENANT"}


def _in_uri(stack: Stack, uri: Any) -> Optional[Target]:
    """The function an API Gateway integration URI names: the ARN itself (HTTP API) or inside the
    .../functions/ARN/invocations join (REST API)."""
    target = lambda_target(stack, uri)
    if target is not None:
        return target
    for part in joined_parts(uri):
        if stack.type_of(ref_of(part)) in LAMBDA_KINDS:
            return lambda_target(stack, part)
    return None


def _callers(app: App) -> Iterator[tuple[Stack, str, str, Optional[Target]]]:
    """(stack, logical id, what, target) of every trigger of a template that cannot pass a tenant id."""
    for stack, logical_id, resource in app.of_type("AWS::Lambda::EventSourceMapping"):
        function = dig(resource, "Properties", "FunctionName")
        yield stack, logical_id, "event source mapping", invoked_target(stack, function, None)
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Permission"):
        principal = dig(resource, "Properties", "Principal")
        service = isinstance(principal, str) and principal.endswith(".amazonaws.com")
        if service and principal != "apigateway.amazonaws.com":
            target = invoked_target(stack, dig(resource, "Properties", "FunctionName"), None)
            yield stack, logical_id, f"permission for {principal}", target
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Url"):
        props = resource.get("Properties", {})
        target = lambda_target(stack, props.get("TargetFunctionArn"), props.get("Qualifier"))
        yield stack, logical_id, "function URL", target
    for stack, logical_id, resource in app.of_type("AWS::SNS::Subscription"):
        yield stack, logical_id, "SNS subscription", lambda_target(stack, dig(resource, "Properties", "Endpoint"))
    for stack, logical_id, resource in app.of_type("AWS::Events::Rule"):
        for rule_target in as_list(dig(resource, "Properties", "Targets")):
            yield stack, logical_id, "EventBridge rule", lambda_target(stack, dig(rule_target, "Arn"))
    for stack, logical_id, resource in app.of_type("AWS::Scheduler::Schedule"):
        yield stack, logical_id, "schedule", lambda_target(stack, dig(resource, "Properties", "Target", "Arn"))
    for stack, logical_id, resource in app.of_type("AWS::ApiGatewayV2::Integration"):
        yield stack, logical_id, "HTTP API integration", _in_uri(stack, dig(resource, "Properties", "IntegrationUri"))
    for stack, logical_id, resource in app.of_type("AWS::ApiGateway::Method"):
        integration = mapping(dig(resource, "Properties", "Integration")) or {}
        if TENANT_ID_MAPPING not in (mapping(integration.get("RequestParameters")) or {}):
            what = f"REST API method without {TENANT_ID_MAPPING}"
            yield stack, logical_id, what, _in_uri(stack, integration.get("Uri"))


def tenant_triggers(app: App) -> Iterator[Hit]:
    for stack, logical_id, what, target in _callers(app):
        if target is not None and target.function in tenant_functions(stack):
            yield Hit(stack, logical_id, f"this {what} invokes tenant-isolated function {show_target(target)}")


def rules() -> list[Rule]:
    return [
        Rule("DR-SQS-PROVISIONED-POLLERS", FAILS_DEPLOY,
             "An SQS event source mapping takes either ProvisionedPollerConfig or ScalingConfig (MaximumConcurrency), "
             "not both, and in provisioned mode at least 2 minimum and maximum pollers.",
             MAPPING_PAGE,
             "Drop max_concurrency (provisioned pollers bound the mapping's scaling), and ask for 2 or more pollers.",
             sqs_pollers),
        Rule("DR-LAMBDA-TENANT-TRIGGER", FAILS_AT_RUN_TIME,
             "Lambda runs a tenant-isolated function only for an invocation that names a tenant (X-Amz-Tenant-Id): "
             "event source mappings, function URLs, HTTP APIs and the services that invoke through a permission "
             "(S3, SNS, EventBridge, load balancers, ...) pass none, and a REST API passes one only when its "
             "integration maps a request value onto that header.",
             TENANT_PAGE,
             "Invoke it directly with a tenant id, or through a REST API whose integration maps a request value onto "
             "integration.request.header.X-Amz-Tenant-Id (constructs_lib's ApiFunction(api='rest', tenancy=...) does); "
             "behind other triggers, put a plain function that invokes it with the tenant's id.",
             tenant_triggers),
    ]
