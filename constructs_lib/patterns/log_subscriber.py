"""LogSubscriber: a CloudWatch Logs log group -> subscription filter -> function (invoked asynchronously)."""

from __future__ import annotations

from typing import Iterator, Unpack

import jsii
from aws_cdk import Aws
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as destinations
from constructs import Construct, IConstruct, IValidation

from ..core import findings
from ..core.jsii_types import as_interface
from ..core.validation import Checks
from ..function.option_types import TEXT, check_types
from ..function.options import FunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import ServerlessFunction
from ..observability import alarms as alarm_kit

# CloudWatch Logs allows two subscription filters per log group (PutSubscriptionFilter), a quota it does not raise.
FILTERS_PER_LOG_GROUP = 2
MAX_FILTER_PATTERN = 1024  # characters (PutSubscriptionFilter's filterPattern)


class LogSubscriber(Construct):
    """A function that reads a log group's events as they arrive: log group -> subscription filter -> function.

    CloudWatch Logs invokes the function asynchronously with batches of events (gzip-compressed, base64-encoded:
    Powertools' ``CloudWatchLogsEvent`` decodes them); Lambda retries a failed batch twice, then keeps it in the
    stack's `FailedEvents` queue (or the ``on_failure`` / ``dead_letter_queue`` given), ``failures``. Its invoke
    permission lets logs.amazonaws.com invoke it for this log group of this account only (SourceArn and
    SourceAccount); the filter is created after the permission, which CloudWatch Logs checks when it creates it.

    Refused: a log group with two subscription filters already (CloudWatch Logs allows two; checked again at synth,
    when filters added afterwards are known too), and, at synth, a subscription that the function's own logs reach:
    a filter on its own log group, or a chain of filters from it back to this one (each event the function logs
    would invoke it again, without end).

    :param log_group: the log group to read (created in this app or imported, in the function's account).
    :param filter_pattern: which events (CloudWatch Logs filter pattern syntax, e.g. ``'{ $.level = "ERROR" }'``
        for JSON logs, ``'?ERROR ?Exception'`` for text); default "": every event.
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option, ``deployment``
        included (the filter then invokes the alias).

    Exposes ``log_group``, ``function`` (the ServerlessFunction), ``subscription_filter``, ``failures`` (None when the
    options named a failure target) and ``alarms``: the function's.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        log_group: logs.ILogGroup,
        filter_pattern: str = "",
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, LogSubscriber.__init__,
                               invoked_without_tenant_id_by="A CloudWatch Logs subscription filter")
        checks = Checks(self, "LogSubscriber")
        if not check_types(checks, {"filter_pattern": filter_pattern}, {"filter_pattern": TEXT}):
            checks.require(len(filter_pattern) <= MAX_FILTER_PATTERN, "filter_pattern", f"{filter_pattern[:40]}...",
                           f"is {len(filter_pattern)} characters long: CloudWatch Logs takes at most "
                           f"{MAX_FILTER_PATTERN}")
        existing = [f.node.path for f in subscription_filters(self.node.root, log_group)]
        checks.require(
            len(existing) < FILTERS_PER_LOG_GROUP, "log_group", log_group.node.path,
            f"has {len(existing)} subscription filters already ({', '.join(existing)}): CloudWatch Logs allows "
            f"{FILTERS_PER_LOG_GROUP} per log group, and refuses a third when it creates it",
        )
        checks.raise_if_any()

        self.log_group = log_group
        self.function = ServerlessFunction(self, "Function", **function_options)
        self.failures = self.function.failed_events.queue if self.function.failed_events else None
        self.subscription_filter = logs.SubscriptionFilter(
            self, "Filter", log_group=log_group, filter_pattern=logs.FilterPattern.literal(filter_pattern),
            destination=as_interface(logs.ILogSubscriptionDestination,
                                     destinations.LambdaDestination(self.function.invoke_target)),
        )
        permission = self.subscription_filter.node.find_child("CanInvokeLambda")
        assert isinstance(permission, lambda_.CfnPermission)  # what LambdaDestination makes, and the filter waits for
        permission.source_account = Aws.ACCOUNT_ID
        findings.skip(
            permission,
            f"Only CloudWatch Logs for the log group {log_group.node.path} of this account may invoke: SourceArn "
            "is the log group's ARN and SourceAccount this account, which CloudFormation resolves at deploy time; "
            "the rule reads only literal strings.",
            guard=["lambda_function_public_access_prohibited_check"],
        )
        self.alarms = dict(self.function.alarms)
        alarm_kit.warn_if_silent(self)
        self.node.add_validation(_SubscriptionRules(self))


def subscription_filters(root: IConstruct, log_group: logs.ILogGroup) -> Iterator[logs.CfnSubscriptionFilter]:
    """The subscription filters of the app on `log_group` (the same log group name, as a token or a literal)."""
    name = log_group.log_group_name
    for node in root.node.find_all():
        if isinstance(node, logs.CfnSubscriptionFilter) and node.log_group_name == name:
            yield node



def _logs_of(root: IConstruct) -> dict[str, str]:
    """What each library function of the app logs to: its ARN and its alias's (as tokens) -> its log group name."""
    written: dict[str, str] = {}
    for node in root.node.find_all():
        if isinstance(node, ServerlessFunction):
            written[node.function.function_arn] = node.log_group.log_group_name
            if node.alias is not None:
                written[node.alias.function_arn] = node.log_group.log_group_name
    return written


def _loop(root: IConstruct, subscriber: LogSubscriber) -> list[str]:
    """The subscription filters through which the subscriber's own logs reach it again (empty when none do)."""
    written = _logs_of(root)
    filters = [node for node in root.node.find_all() if isinstance(node, logs.CfnSubscriptionFilter)]
    function = subscriber.function
    own = {arn for arn, group in written.items() if group == function.log_group.log_group_name}
    start = function.log_group.log_group_name
    paths: dict[str, list[str]] = {start: []}  # log group name -> the filters that lead from the start to it
    pending = [start]
    while pending:
        group = pending.pop()
        for found in filters:
            if found.log_group_name != group:
                continue
            path = paths[group] + [found.node.path]
            if found.destination_arn in own:
                return path
            reached = written.get(found.destination_arn)
            if reached is not None and reached not in paths:
                paths[reached] = path
                pending.append(reached)
    return []


@jsii.implements(IValidation)
class _SubscriptionRules:
    """At synth, when every filter of the app is known: at most two on the log group, and no loop."""

    def __init__(self, subscriber: LogSubscriber) -> None:
        self.subscriber = subscriber

    def validate(self) -> list[str]:
        checks = Checks(self.subscriber, "LogSubscriber")
        root, group = self.subscriber.node.root, self.subscriber.log_group
        filters = [f.node.path for f in subscription_filters(root, group)]
        checks.require(
            len(filters) <= FILTERS_PER_LOG_GROUP, "log_group", group.node.path,
            f"has {len(filters)} subscription filters ({', '.join(filters)}): CloudWatch Logs allows "
            f"{FILTERS_PER_LOG_GROUP} per log group, and refuses a third when it creates it",
        )
        loop = _loop(root, self.subscriber)
        checks.require(
            not loop, "log_group", group.node.path,
            f"is reached by the function's own logs through {' -> '.join(loop)}: each event it logs would invoke "
            "it again, without end (Lambda's recursive loop detection does not cover CloudWatch Logs)",
        )
        return checks.errors
