"""FunctionStep: a Step Functions task that invokes one function (its alias when it has one), retrying Lambda's
transient errors with backoff and jitter."""

from __future__ import annotations

import weakref
from typing import Any, Mapping, Optional, Union

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from ...core.validation import Checks, is_unresolved, seconds_of
from ...function.serverless_function import ServerlessFunction
from ...function.tenancy import refuse_without_tenant_id

# Step Functions' best practice: retry Lambda's transient service errors; a throttled invocation is reported as
# Lambda.TooManyRequestsException (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
TRANSIENT_ERRORS = (
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
RETRY_INTERVAL = Duration.seconds(2)  # the page's example: 2 s, 6 attempts, backoff rate 2
RETRY_BACKOFF_RATE = 2
# Lambda's Init phase may take 10 s on a cold start before the handler's own timeout runs
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
INIT_MARGIN_SECONDS = 10
LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3

FunctionLike = Union[ServerlessFunction, lambda_.IFunction]

# Every FunctionStep by the ARN token its task invokes: Workflow reads what it knows of the function.
_STEPS: "weakref.WeakValueDictionary[str, FunctionStep]" = weakref.WeakValueDictionary()


class FunctionStep(tasks.LambdaInvoke):
    """A task that invokes a function synchronously and passes on what it returns.

    It invokes the function's alias when the function has one (a ``ServerlessFunction`` with ``deployment``,
    provisioned concurrency or SnapStart): never ``$LATEST`` while a canary runs. The workflow's role may invoke
    exactly that ARN, nothing else of the function.

    Lambda's transient errors (``Lambda.ClientExecutionTimeoutException``, ``Lambda.ServiceException``,
    ``Lambda.AWSLambdaException``, ``Lambda.SdkClientException``) and throttles (``Lambda.TooManyRequestsException``)
    are retried: 2 s, then doubling, with full jitter so that throttled executions do not retry in step. Errors
    the handler raises are not retried: catch them with ``add_catch`` (a compensation) or ``add_retry``.

    The task passes the function's answer only (``payload_response_only``): Lambda's response metadata would count
    against Step Functions' 256 KiB payload and be logged. Shape what moves on with ``result_selector``
    (fields of the answer), ``result_path`` (where the answer goes in the state, e.g. ``"$.charge"`` keeps the
    input) and ``output_path``.

    :param function: a ``ServerlessFunction`` or any ``lambda_.IFunction`` (an alias or version is invoked as given).
    :param payload: what the function receives (default: the state's input, after ``input_path``).
    :param input_path: the part of the state input the task reads (default ``"$"``).
    :param result_selector: a JSON template over the function's answer (``{"id.$": "$.id"}``) (default: all of it).
    :param result_path: where the answer goes in the state input (default ``"$"``: it replaces the input;
        ``None`` discards it and passes the input on).
    :param output_path: the part of the state that moves on (default ``"$"``).
    :param task_timeout: how long the task waits (default: no limit of its own; the function's timeout ends it).
        At most the function's timeout plus Lambda's 10 s Init phase: longer waits for nothing.
    :param retry_attempts: retries of a transient Lambda error or throttle, 0 or more (default 6).
    :param comment: the state's comment.
    :param state_name: the state's name in the definition (default: the construct id).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: FunctionLike,
        payload: Optional[sfn.TaskInput] = None,
        input_path: Optional[str] = None,
        result_selector: Optional[Mapping[str, Any]] = None,
        result_path: Optional[str] = "$",
        output_path: Optional[str] = None,
        task_timeout: Optional[Duration] = None,
        retry_attempts: int = 6,
        comment: Optional[str] = None,
        state_name: Optional[str] = None,
    ) -> None:
        self.target: lambda_.IFunction = (
            function.invoke_target if isinstance(function, ServerlessFunction) else function
        )
        """What the task invokes: the alias when the function has one, else the function."""
        checked = _function_of(function)
        self.function_timeout: Optional[float] = _timeout_of(checked)
        """The invoked function's timeout in seconds, when the app states it."""
        self.reserved_concurrency: Optional[int] = _reserved_concurrency_of(checked)
        """The invoked function's reserved concurrency, when the app states it."""
        super().__init__(
            scope,
            construct_id,
            lambda_function=self.target,
            payload=payload,
            payload_response_only=True,
            retry_on_service_exceptions=False,  # retried below, throttles and jitter included
            input_path=input_path,
            result_selector=result_selector,
            result_path=sfn.JsonPath.DISCARD if result_path is None else result_path,
            output_path=output_path,
            task_timeout=sfn.Timeout.duration(task_timeout) if task_timeout is not None else None,
            comment=comment,
            state_name=state_name,
        )
        checks = Checks(self, "FunctionStep")
        checks.require(is_unresolved(retry_attempts) or retry_attempts >= 0, "retry_attempts", retry_attempts,
                       "must be 0 or more (States Language: MaxAttempts)")
        _check_task_timeout(checks, task_timeout, self.function_timeout)
        if isinstance(function, ServerlessFunction):  # aws-cdk-lib's LambdaInvoke task passes no TenantId
            refuse_without_tenant_id(checks, function.tenancy, "A Step Functions Lambda task")
        checks.raise_if_any()
        if retry_attempts:
            self.add_retry(
                errors=list(TRANSIENT_ERRORS), interval=RETRY_INTERVAL, max_attempts=retry_attempts,
                backoff_rate=RETRY_BACKOFF_RATE, jitter_strategy=sfn.JitterType.FULL,
            )
        _STEPS[self.target.function_arn] = self

    # aws-cdk-lib grants an unqualified function and every qualifier of it ("<arn>:*"); the definition invokes one
    # ARN, so the role may invoke that one (jsii lets a subclass override this protected property).
    @property
    def _task_policies(self) -> Optional[list[iam.PolicyStatement]]:
        return [iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.target.function_arn])]

    @_task_policies.setter
    def _task_policies(self, _value: Optional[list[iam.PolicyStatement]]) -> None:
        pass  # aws-cdk-lib's constructor sets its own list: the property above answers instead

    @property
    def function_path(self) -> str:
        """The construct path of what the task invokes."""
        return self.target.node.path


def step_invoking(arn: str) -> Optional[FunctionStep]:
    """The FunctionStep whose task invokes `arn` (the token its definition holds), if any."""
    return _STEPS.get(arn)


def _function_of(function: FunctionLike) -> Optional[lambda_.Function]:
    if isinstance(function, ServerlessFunction):
        return function.function
    if isinstance(function, lambda_.Function):
        return function
    if isinstance(function, lambda_.Alias) and isinstance(function.version.lambda_, lambda_.Function):
        return function.version.lambda_
    return None


def _timeout_of(function: Optional[lambda_.Function]) -> Optional[float]:
    if function is None:
        return None
    if function.timeout is None:
        return LAMBDA_DEFAULT_TIMEOUT_SECONDS
    return seconds_of(function.timeout)


def _reserved_concurrency_of(function: Optional[lambda_.Function]) -> Optional[int]:
    if function is None:
        return None
    resource = function.node.default_child
    reserved = resource.reserved_concurrent_executions if isinstance(resource, lambda_.CfnFunction) else None
    return None if reserved is None or is_unresolved(reserved) else int(reserved)


def _check_task_timeout(checks: Checks, task_timeout: Optional[Duration], function_timeout: Optional[float]) -> None:
    given = seconds_of(task_timeout)
    if given is None or function_timeout is None:
        return
    longest = function_timeout + INIT_MARGIN_SECONDS
    checks.require(
        given <= longest, "task_timeout", task_timeout,
        f"is longer than the function's timeout ({function_timeout:g} s) plus Lambda's {INIT_MARGIN_SECONDS} s Init "
        f"phase = {longest:g} s: Lambda stops the function by then, so the task waits for nothing; shorten it or "
        "raise the function's timeout (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)",
    )

