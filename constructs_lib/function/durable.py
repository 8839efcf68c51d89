"""Durable: a function whose executions checkpoint their steps and may wait, in all, up to a year (Lambda
durable functions, developer guide "Lambda durable functions").

`Durable` is the value users pass as ``durable=``. What a durable ServerlessFunction gets beside it lives here:
the role's checkpoint permissions on this function's versions only, the alarms on the executions Lambda reports,
and the check, at synth, that no event source mapping invokes it with an execution timeout it would cut short.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import jsii
from aws_cdk import Annotations, CfnElement, Duration, Fn, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct, IConstruct, IValidation

from ..core import findings
from ..core.jsii_types import as_interface
from ..core.templates import refs
from ..core.validation import Checks, seconds_of, show
from ..observability import alarms as alarm_kit

MAX_EXECUTION_SECONDS = 31_622_400  # 366 days: DurableConfig.ExecutionTimeout's maximum
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 1, 90
DEFAULT_RETENTION_DAYS = 14  # Lambda's default
# An event source mapping waits for the whole execution, synchronously, and stops it after 15 minutes.
SYNCHRONOUS_CAP_SECONDS = 15 * 60
# Managed runtimes that offer durable execution (developer guide, "Supported runtimes for durable functions");
# for Python, 3.13 and newer. A container image may bring any runtime with the SDK.
PYTHON_MINIMUM = (3, 13)
OTHER_RUNTIMES = ("nodejs22.x", "nodejs24.x", "java17", "java21", "java25", "dotnet8", "dotnet10")
CHECKPOINT_ACTIONS = ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"]
# Lambda turns durable execution on only when it creates a function: the durable one is another resource.
FUNCTION_ID, DURABLE_FUNCTION_ID = "Function", "DurableFunction"
REPLACES = "constructs_lib:durable:replacesFunction"


@dataclass(frozen=True)
class Durable:
    """Durable execution for a function: its handler (written with the AWS Durable Execution SDK) checkpoints
    each step, so an execution survives failures, retries steps and waits (minutes to months) without paying
    for the time it waits. Versions are published and every trigger invokes the alias: Lambda refuses to invoke
    a durable function by its unqualified ARN.

    Lambda turns durable execution on only when it creates a function, so a durable function is a resource of
    its own (logical ID under ``DurableFunction``): adding ``durable=`` to a deployed ServerlessFunction, or
    removing it, replaces the function with a new one (new name, new versions). Let running executions finish
    before you deploy that change.

    :param execution_timeout: how long one execution may run in all, waits included: 1 second to 366 days,
        whole seconds. Each invocation of the function still stops at its ``timeout`` (at most 15 minutes); an
        event source mapping (SQS, Kinesis, DynamoDB streams) stops the whole execution after 15 minutes.
    :param retention: how long Lambda keeps an execution's history once it has ended: 1 to 90 whole days
        (default 14 days, Lambda's own).
    """

    execution_timeout: Duration
    retention: Duration = field(default_factory=lambda: Duration.days(DEFAULT_RETENTION_DAYS))

    def check(self, checks: Checks, runtime: lambda_.Runtime, image: Optional[Any]) -> None:
        """Adds every broken rule to `checks` (prop names prefixed with ``durable.``)."""
        given: dict[str, object] = {"durable.execution_timeout": self.execution_timeout,
                                    "durable.retention": self.retention}
        for prop, value in given.items():  # checked before they are read: a user may pass anything
            if not isinstance(value, Duration):
                checks.fail(prop, value, f"must be a Duration, given {type(value).__name__}")
                return
        seconds = seconds_of(self.execution_timeout)
        checks.within("durable.execution_timeout", self.execution_timeout, 1, MAX_EXECUTION_SECONDS,
                      "seconds (366 days)", seconds)
        checks.require(seconds is None or seconds.is_integer(), "durable.execution_timeout", self.execution_timeout,
                       "must be whole seconds")
        retention = seconds_of(self.retention)
        days = None if retention is None else retention / 86400
        checks.require(days is None or days.is_integer(), "durable.retention", self.retention, "must be whole days")
        checks.within("durable.retention", self.retention, MIN_RETENTION_DAYS, MAX_RETENTION_DAYS, "days", days)
        if image is None and not offers_durable(runtime):
            checks.fail(
                "runtime", runtime.name,
                "does not run durable functions: Lambda offers them on python3.13 and newer, "
                f"{', '.join(OTHER_RUNTIMES)} (or a container image); aws-cdk-lib accepts older runtimes, "
                "Lambda refuses them when it creates the function",
            )

    def config(self) -> lambda_.DurableConfig:
        return lambda_.DurableConfig(execution_timeout=self.execution_timeout, retention_period=self.retention)


def offers_durable(runtime: lambda_.Runtime) -> bool:
    python = re.fullmatch(r"python(\d+)\.(\d+)", runtime.name)
    if python:
        return (int(python.group(1)), int(python.group(2))) >= PYTHON_MINIMUM
    return runtime.name in OTHER_RUNTIMES


def durable_function_id(durable: Optional[Durable]) -> str:
    return DURABLE_FUNCTION_ID if durable is not None else FUNCTION_ID


def enable_durable(owner: Construct, durable: Durable, function: lambda_.Function, role: iam.Role,
                   alias: lambda_.Alias) -> iam.Policy:
    """What a durable function needs beside its DurableConfig: returns the role's checkpoint policy."""
    policy = checkpoint_policy(owner, function, role)
    # Triggers invoke the alias: it exists only once the role may checkpoint, so no first execution fails.
    alias.node.add_dependency(policy)
    owner.node.add_validation(_SynchronousCap(owner, durable, [function, alias]))
    Annotations.of(owner).add_info_v2(
        REPLACES,
        "Lambda turns durable execution on only when it creates a function: this durable function is a resource "
        f"of its own ({DURABLE_FUNCTION_ID}), so adding or removing durable= on a deployed function replaces it",
    )
    return policy


def checkpoint_policy(scope: Construct, function: lambda_.Function, role: iam.Role) -> iam.Policy:
    """CheckpointDurableExecution and GetDurableExecutionState on this function's qualified ARNs only
    (``...:function:NAME:*``): Lambda authorizes them against the execution's ARN, which extends a version's
    ARN; an unqualified function ARN never matches it. A policy of its own, beside the role: the function
    depends on its role, and this policy names the function."""
    qualified = Fn.join("", [function.function_arn, ":*"])
    policy = iam.Policy(
        scope, "DurableExecutionPolicy", roles=[as_interface(iam.IRole, role)],
        statements=[iam.PolicyStatement(actions=CHECKPOINT_ACTIONS, resources=[qualified])],
    )
    findings.acknowledge(
        policy, f"AwsSolutions-IAM5[Resource::{findings.token_text(Stack.of(scope), qualified)}]",
        "The durable executions of this function only: their ARNs extend a version's ARN "
        "(NAME:VERSION/durable-execution/...), and versions change with every deployment.",
    )
    return policy


def durable_alarms(scope: Construct, function: lambda_.Function) -> alarm_kit.Alarms:
    """Executions that ended failed or ran past their execution timeout, from the metrics Lambda publishes for
    durable executions (AWS/Lambda, by FunctionName)."""
    def metric(name: str) -> cloudwatch.Metric:
        return function.metric(name, period=alarm_kit.PERIOD, statistic="Sum")

    return {
        "durable_executions_failed": alarm_kit.any_of(
            scope, "DurableExecutionsFailedAlarm", metric("DurableExecutionFailed"), "Durable executions failed"),
        "durable_executions_timed_out": alarm_kit.any_of(
            scope, "DurableExecutionsTimedOutAlarm", metric("DurableExecutionTimedOut"),
            "Durable executions ran past their execution timeout"),
    }


# Services that invoke a function synchronously through a resource-based permission of it.
SYNCHRONOUS_PRINCIPALS = {"apigateway.amazonaws.com": "API Gateway",
                          "elasticloadbalancing.amazonaws.com": "a load balancer"}


@jsii.implements(IValidation)
class _SynchronousCap:
    """A synchronous invocation of a durable function ends after 15 minutes, the whole execution with it when an
    event source mapping invoked it (developer guide, "Invoking durable Lambda functions": "If your durable
    function needs to run longer than 15 minutes, it must be invoked asynchronously"): a longer execution timeout
    is never reached. Checked at synth, once every invoker of the stack exists: event source mappings, state
    machines (their Lambda tasks wait for the answer), function URLs, API Gateway and load balancers."""

    def __init__(self, owner: Construct, durable: Durable, targets: list[IConstruct]) -> None:
        self.owner, self.durable, self.targets = owner, durable, targets

    def validate(self) -> list[str]:
        seconds = seconds_of(self.durable.execution_timeout)
        if seconds is None or seconds <= SYNCHRONOUS_CAP_SECONDS:
            return []
        stack = Stack.of(self.owner)
        ids = {stack.get_logical_id(child) for child in (t.node.default_child for t in self.targets)
               if isinstance(child, CfnElement)}
        return [
            f"ServerlessFunction '{self.owner.node.path}': durable.execution_timeout "
            f"{show(self.durable.execution_timeout)} must be at most 15 minutes: {invoker} invokes this function "
            "synchronously, and Lambda ends a synchronous invocation after 15 minutes. Invoke it asynchronously "
            "(an EventBridge rule, SNS, S3, or Lambda's Invoke with InvocationType Event) for longer executions"
            for invoker in self._synchronous_invokers(stack, ids)
        ]

    @staticmethod
    def _synchronous_invokers(stack: Stack, ids: set[str]) -> list[str]:
        found: list[str] = []
        for node in stack.node.find_all():
            if isinstance(node, lambda_.CfnEventSourceMapping) and refs(stack.resolve(node.function_name)) & ids:
                found.append(f"event source mapping {node.node.path}")
            elif isinstance(node, lambda_.CfnUrl) and refs(stack.resolve(node.target_function_arn)) & ids:
                found.append(f"function URL {node.node.path}")
            elif isinstance(node, lambda_.CfnPermission) and node.principal in SYNCHRONOUS_PRINCIPALS \
                    and refs(stack.resolve(node.function_name)) & ids:
                found.append(f"{SYNCHRONOUS_PRINCIPALS[node.principal]} ({node.node.path})")
            elif isinstance(node, sfn.CfnStateMachine):
                definition = stack.resolve([node.definition_string, node.definition])
                if refs(definition) & ids and '"InvocationType":"Event"' not in json.dumps(definition):
                    found.append(f"state machine {node.node.path}")
        return found
