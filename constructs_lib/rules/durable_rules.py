"""What Lambda durable functions need of their triggers and their role (developer guide, "Lambda durable
functions"): a template shows every one of these."""

from __future__ import annotations

import json
from typing import Any, Iterator, Optional

from ..core.templates import Props, as_list, dig, joined_parts, mapping, ref_of, refs
from .model import DENIES_AT_RUN_TIME, FAILS_AT_RUN_TIME, App, Hit, Rule, Stack, number
from .policies import allows, function_role, managed_policies, role_fully_known, role_statements
from .targets import Target, invoked_target, lambda_target, show_target

GUIDE = "https://docs.aws.amazon.com/lambda/latest/dg/"
SYNCHRONOUS_CAP_SECONDS = 15 * 60
# Services whose permission to invoke a function means a synchronous invocation (they wait for the answer).
SYNCHRONOUS_PRINCIPALS = ("apigateway.amazonaws.com", "elasticloadbalancing.amazonaws.com")
CHECKPOINT_ACTIONS = ("lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState")
# The AWS managed policy aws-cdk-lib and SAM attach to the roles they make for durable functions: both actions on '*'.
DURABLE_MANAGED_POLICY = "service-role/AWSLambdaBasicDurableExecutionRolePolicy"


def durable_functions(stack: Stack) -> dict[str, Props]:
    """The durable functions of a template, by logical id: their DurableConfig."""
    return {logical_id: config for logical_id, resource in stack.of_type("AWS::Lambda::Function")
            if (config := mapping(dig(resource, "Properties", "DurableConfig"))) is not None}


def _triggers(app: App) -> Iterator[tuple[Stack, str, str, Target]]:
    """(stack, logical id, what, target) of everything a template wires to invoke a function."""
    sources: dict[str, tuple[str, tuple[str, ...], Optional[str]]] = {
        # type: (what, where the function is, where a separate qualifier is)
        "AWS::Lambda::Permission": ("permission", ("FunctionName",), None),
        "AWS::Lambda::EventSourceMapping": ("event source mapping", ("FunctionName",), None),
        "AWS::Lambda::Url": ("function URL", ("TargetFunctionArn",), "Qualifier"),
        "AWS::SNS::Subscription": ("SNS subscription", ("Endpoint",), None),
        "AWS::Scheduler::Schedule": ("schedule", ("Target", "Arn"), None),
    }
    for resource_type, (what, path, qualifier) in sources.items():
        for stack, logical_id, resource in app.of_type(resource_type):
            props = resource.get("Properties", {})
            target = invoked_target(stack, dig(props, *path), props.get(qualifier) if qualifier else None)
            if target is not None:
                yield stack, logical_id, what, target
    for stack, logical_id, resource in app.of_type("AWS::Events::Rule"):
        for rule_target in as_list(dig(resource, "Properties", "Targets")):
            target = lambda_target(stack, dig(rule_target, "Arn"))
            if target is not None:
                yield stack, logical_id, "EventBridge rule", target
    for stack, logical_id, resource in app.of_type("AWS::StepFunctions::StateMachine"):
        props = resource.get("Properties", {})
        definition = [props.get("DefinitionString"), props.get("Definition"),
                      *dict(props.get("DefinitionSubstitutions") or {}).values()]
        for named in sorted(refs(definition)):
            target = lambda_target(stack, {"Ref": named})
            if target is not None:
                yield stack, logical_id, "state machine", target


def unqualified_triggers(app: App) -> Iterator[Hit]:
    for stack, logical_id, what, target in _triggers(app):
        if target.function in durable_functions(stack) and target.qualifier is None:
            yield Hit(stack, logical_id, f"this {what} names durable function {show_target(target)} by its "
                                         "unqualified ARN")


def _synchronous(stack: Stack, logical_id: str, what: str) -> bool:
    """Whether this trigger waits for the function's answer (a state machine's Lambda task does, unless it
    invokes with InvocationType Event)."""
    if what in ("event source mapping", "function URL"):
        return True
    if what == "permission":
        return stack.props(logical_id).get("Principal") in SYNCHRONOUS_PRINCIPALS
    return what == "state machine" and '"InvocationType":"Event"' not in json.dumps(stack.props(logical_id))


def synchronous_cap(app: App) -> Iterator[Hit]:
    for stack, logical_id, what, target in _triggers(app):
        config = durable_functions(stack).get(target.function)
        timeout = number(dig(config, "ExecutionTimeout"))
        if timeout is not None and timeout > SYNCHRONOUS_CAP_SECONDS and _synchronous(stack, logical_id, what):
            yield Hit(stack, logical_id, f"this {what} invokes durable function {show_target(target)} "
                                         f"synchronously, and its ExecutionTimeout is {timeout:g} s")


def role_may_checkpoint(app: App) -> Iterator[Hit]:
    for stack in app.stacks:
        for function in durable_functions(stack):
            role = function_role(stack, function)
            if role is None or DURABLE_MANAGED_POLICY in managed_policies(stack, role) \
                    or not role_fully_known(stack, role):
                continue
            statements = role_statements(stack, role)
            for action in CHECKPOINT_ACTIONS:
                granted = [resource for s in statements if allows(s, action) for resource in as_list(s.get("Resource"))]
                if not any(_covers_executions(stack, function, resource) for resource in granted):
                    where = "on no resource" if not granted else "only on ARNs no execution of it has"
                    yield Hit(stack, function, f"its role {role} may call {action} {where}")


def _covers_executions(stack: Stack, function: str, resource: Any) -> bool:
    """Whether a policy's Resource may match this function's execution ARNs (NAME:VERSION/durable-execution/...):
    a reference alone is an unqualified function ARN, an alias's or a version's ARN, or another resource's,
    which never does; what the template cannot show (a literal, an Fn::Sub, an import) is given the benefit."""
    if ref_of(resource) is not None:
        return False
    parts = joined_parts(resource)
    if not parts:
        return True
    for before, after in zip(parts, parts[1:]):
        if ref_of(before) == function and isinstance(after, str) and after.startswith(":") and "*" in after:
            return True
    return not refs(resource)


def rules() -> list[Rule]:
    return [
        Rule("DR-DURABLE-QUALIFIED", DENIES_AT_RUN_TIME,
             "Lambda refuses to invoke a durable function by its unqualified ARN: every trigger must name a version "
             "or an alias.",
             GUIDE + "durable-invoking.html#durable-invoking-qualified-arns",
             "Publish a version and point the trigger at an alias (lambda_.Alias, or constructs_lib's durable=, "
             "whose triggers use its alias).", unqualified_triggers),
        Rule("DR-DURABLE-SYNCHRONOUS", FAILS_AT_RUN_TIME,
             "Lambda ends a synchronous invocation of a durable function after 15 minutes (an event source "
             "mapping's, the whole execution with it), whatever its ExecutionTimeout: longer executions must be "
             "invoked asynchronously.",
             GUIDE + "durable-invoking.html",
             "Keep the execution timeout at 15 minutes or less, or have the synchronous caller (event source "
             "mapping, state machine, API, load balancer, function URL) invoke with InvocationType Event, or call "
             "a plain function that starts the durable execution asynchronously.", synchronous_cap),
        Rule("DR-DURABLE-CHECKPOINT", DENIES_AT_RUN_TIME,
             "A durable function's role must allow lambda:CheckpointDurableExecution and "
             "lambda:GetDurableExecutionState on the function's qualified ARNs (NAME:*); an unqualified ARN never "
             "matches an execution.",
             GUIDE + "durable-security.html",
             "Allow both actions on Fn::Join ['', [function ARN, ':*']] (constructs_lib's durable= does).",
             role_may_checkpoint),
    ]
