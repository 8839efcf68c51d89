"""Workflow: a Step Functions state machine with the library's defaults: its own log group and role, X-Ray, alarms,
and a queue where failed executions are recorded."""

from __future__ import annotations

from typing import Any, Optional

from aws_cdk import Aws, Duration, Fn, Names, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from ...core import findings
from ...core.jsii_types import as_interface
from ...core.validation import Checks, seconds_of
from ...observability import alarms as alarm_kit
from ...resources.queues import failure_queue
from ...resources.log_groups import new_log_group
from . import definition as asl
from . import starts

KINDS = {"standard": sfn.StateMachineType.STANDARD, "express": sfn.StateMachineType.EXPRESS}
# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html: an Express execution runs at most
# 5 minutes, a Standard one at most a year.
LONGEST_SECONDS = {"standard": 365 * 24 * 3600, "express": 5 * 60}
LONGEST_WORDS = {"standard": "365 days", "express": "5 minutes"}
LONGEST_WHY = {"standard": "a Standard execution runs at most one year", "express": "an Express execution runs at "
               "most 5 minutes, then fails with States.Timeout"}
DEFAULT_TIMEOUT = {"standard": Duration.hours(1), "express": Duration.minutes(5)}
# CloudWatch Logs gives log groups whose name starts with /aws/vendedlogs/ one resource policy for all vended
# logs, instead of a statement per group in a policy of at most 5,120 characters
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html).
LOG_GROUP_PREFIX = "/aws/vendedlogs/states/"
LOG_GROUP_NAME_MAX = 512
STACK_GUID_LENGTH = 36
UNSUPPORTED_RESOURCE_LEVEL = (
    "Step Functions' log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, "
    "ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray's trace upload "
    "(xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support no resource-level "
    "permissions: AWS's policies for them name '*' (step-functions/latest/dg/cw-logs.html, "
    "step-functions/latest/dg/concepts-xray-tracing.html)."
)


class Workflow(Construct):
    """A Step Functions state machine of steps (``FunctionStep`` and any other state), secure and watched.

    - ``kind="standard"`` (default): exactly-once steps, up to a year, priced per state transition; ``"express"``:
      at-least-once, up to 5 minutes, priced per request and GB-second (for high-volume, short work).
    - Logs to a log group of its own (``/aws/vendedlogs/states/...``, kept one year): every event (level ALL), but
      without the executions' input and output unless ``include_execution_data=True``, so secrets in payloads are not
      logged unless asked. Standard executions keep their full history in Step Functions for 90 days anyway.
    - X-Ray tracing on; a role of its own, which may invoke exactly the ARNs its FunctionSteps invoke.
    - Alarms on executions failed, timed out, aborted and throttled, sent to ``alarm_topic`` or ``route_alarms``.
    - Standard: every failed, timed-out or aborted execution is recorded in the queue ``failures`` (an EventBridge
      rule on Step Functions' execution status changes; execution ARN, status, error and cause; its input and
      output only with ``include_execution_data``). Express workflows send no such events: their log group holds
      each failure, and the alarms tell.

    Start it with ``start_on_event`` (an EventBridge rule or schedule), ``start_on_upload`` (an S3 bucket, through
    EventBridge), ``start_from_queue`` (SQS through an EventBridge Pipe) or ``grant_start_execution`` (an API, a
    function, a role); each may start this workflow and nothing else.

    :param definition: the first state or a chain (``FunctionStep(...).next(...)``). Checked at synth: it renders,
        no step pulls a whole S3 object into the state (256 KiB limit), a Map state over a function with reserved
        concurrency has max_concurrency (else a warning).
    :param kind: ``"standard"`` (default) or ``"express"``.
    :param timeout: how long an execution may run before it fails with States.Timeout: up to a year for standard,
        5 minutes for express (default one hour standard, 5 minutes express: a stuck execution is noticed).
    :param include_execution_data: log the executions' input and output, and send them with failures (default False).
    :param log_retention: of the log group (default one year).
    :param log_removal_policy: of the log group (default RETAIN: logs outlive the workflow).
    :param create_alarms: create the alarms (default True).
    :param alarm_topic: an SNS topic told of every alarm's changes to ALARM and back to OK.
    :param comment: the definition's comment.

    Exposes ``state_machine``, ``role``, ``log_group``, ``failures`` (None for express), ``failure_rule``,
    ``alarms`` and ``kind``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        definition: sfn.IChainable,
        kind: str = "standard",
        timeout: Optional[Duration] = None,
        include_execution_data: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        log_removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        create_alarms: bool = True,
        alarm_topic: Optional[sns.ITopic] = None,
        comment: Optional[str] = None,
    ) -> None:
        super().__init__(scope, construct_id)
        checks = Checks(self, "Workflow")
        checks.require(kind in KINDS, "kind", kind, f"must be one of {', '.join(KINDS)}")
        checks.raise_if_any()
        timeout = timeout or DEFAULT_TIMEOUT[kind]
        given = seconds_of(timeout)
        checks.require(
            given is None or 1 <= given <= LONGEST_SECONDS[kind], "timeout", timeout,
            f"must be between 1 second and {LONGEST_WORDS[kind]}: {LONGEST_WHY[kind]} "
            "(https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html)",
        )
        graph = asl.render(self, checks, definition)
        if graph is not None:
            graph.timeout = timeout  # the definition's TimeoutSeconds
        graph_json: dict[str, Any] = dict(graph.to_graph_json()) if graph is not None else {}
        asl.check_payloads(checks, graph_json)
        checks.raise_if_any()
        assert graph is not None
        asl.warn_unbounded_maps(self, graph_json)

        self.kind = kind
        self._alarm_topic = alarm_topic
        self._create_alarms = create_alarms
        self._start_dead_letters: Optional[sqs.Queue] = None
        self.log_group = new_log_group(
            self, "LogGroup", log_group_name=_log_group_name(self),
            retention=log_retention, removal_policy=log_removal_policy,
            without_key_because="CloudWatch Logs encrypts every log group at rest; the workflow's log group holds "
            "no execution input or output unless include_execution_data=True.")
        definition_json = dict(graph_json)
        if comment is not None:
            definition_json["Comment"] = comment
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            # Rendered once above, and checked; the graph's permissions are added to the role below.
            definition_body=sfn.DefinitionBody.from_string(Stack.of(self).to_json_string(definition_json)),
            state_machine_type=KINDS[kind],
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL,
                                include_execution_data=include_execution_data),
        )
        for statement in graph.policy_statements:
            self.state_machine.add_to_role_policy(statement)
        graph.bind(self.state_machine)
        self.role = self.state_machine.role
        findings.acknowledge(self.role, "AwsSolutions-IAM5[Resource::*]", UNSUPPORTED_RESOURCE_LEVEL)

        self.failures: Optional[sqs.Queue] = None
        self.failure_rule: Optional[events.Rule] = None
        if kind == "standard":
            self.failures = failure_queue(self, "Failures")
            self.failure_rule = self._record_failures(self.failures, include_execution_data)
        self.alarms: alarm_kit.Alarms = {}
        if create_alarms:
            self._add_alarms(alarm_kit.state_machine_alarms(self, self.state_machine))
            if self.failures is not None:
                self._add_alarms({"failures_not_empty": alarm_kit.queue_not_empty(
                    self, "FailuresAlarm", self.failures, "Executions failed, timed out or were aborted")})
        alarm_kit.warn_if_silent(self)

    # --- starts ------------------------------------------------------------------------------------------------
    def start_on_event(self, construct_id: str, *, schedule: Optional[events.Schedule] = None,
                       event_pattern: Optional[events.EventPattern] = None,
                       event_bus: Optional[events.IEventBus] = None,
                       input: Optional[events.RuleTargetInput] = None) -> events.Rule:
        """Starts an execution for each event that matches ``event_pattern`` (on ``event_bus``, default the account's
        default bus) or on ``schedule``; the execution's input is ``input`` (default: the event). Deliveries are
        retried for 24 hours, then kept in ``start_dead_letters``.

        :param construct_id: the rule's id, under this workflow.
        :param schedule: when to start (exclusive with ``event_pattern``).
        :param event_pattern: which events start it.
        :param event_bus: the bus of ``event_pattern``.
        :param input: what the execution receives, e.g. ``events.RuleTargetInput.from_event_path("$.detail")``.
        """
        checks = Checks(self, "Workflow")
        checks.require((schedule is None) != (event_pattern is None), f"{construct_id}: schedule",
                       None if schedule is None else "given",
                       "and event_pattern: give exactly one of them")
        checks.require(event_bus is None or event_pattern is not None, f"{construct_id}: event_bus", "given",
                       "applies only to event_pattern: schedules run on the default bus")
        checks.raise_if_any()
        rule = events.Rule(self, construct_id, schedule=schedule, event_pattern=event_pattern, event_bus=event_bus,
                           description=f"Starts {self.state_machine.node.path}")
        self._target(rule, input)
        return rule

    def start_on_upload(self, construct_id: str, bucket: s3.IBucket, *, prefix: Optional[str] = None,
                        suffix: Optional[str] = None) -> events.Rule:
        """Starts an execution for each object created in ``bucket`` (under ``prefix``, ending with ``suffix``):
        S3 sends the bucket's events to EventBridge (turned on here) and a rule matches them; S3 cannot start a
        state machine itself. The execution receives the event (bucket, key, size: never the object).

        :param construct_id: the rule's id, under this workflow.
        :param bucket: the bucket.
        :param prefix: only keys starting with it.
        :param suffix: only keys ending with it.
        """
        return starts.on_upload(self, construct_id, self.state_machine, bucket, prefix, suffix, self._target)

    def start_from_queue(self, construct_id: str, queue: sqs.IQueue, *, batch_size: int = 1) -> starts.QueueStart:
        """Starts an execution for each batch of messages of ``queue``, through an EventBridge Pipe whose role may
        read that queue and start this workflow only. Pipes deletes a message once the execution has started (a
        standard workflow starts asynchronously); messages it cannot start go back to the queue, and to the queue's
        dead-letter queue after its ``max_receive_count``. The execution receives the batch (a list of SQS messages).

        :param construct_id: the pipe's id, under this workflow.
        :param queue: the queue; give it a dead-letter queue.
        :param batch_size: messages per execution, 1-10 (default 1).
        """
        start = starts.from_queue(self, construct_id, self.state_machine, queue, batch_size)
        if self._create_alarms:
            # The pipe's own failures (it cannot read the queue or start the workflow) show nowhere else: its
            # messages return to the queue (https://docs.aws.amazon.com/eventbridge/latest/userguide/
            # eb-pipes-monitoring.html: ExecutionFailed by PipeName, which the pipe's Ref is).
            failed = cloudwatch.Metric(namespace="AWS/EventBridge/Pipes", metric_name="ExecutionFailed",
                                       dimensions_map={"PipeName": start.pipe.ref}, statistic="Sum",
                                       period=Duration.minutes(5))
            self._add_alarms({f"{construct_id}_failed": alarm_kit.any_of(
                self, f"{construct_id}FailedAlarm", failed, f"Executions of the pipe {construct_id} failed")})
        return start

    def grant_start_execution(self, grantee: iam.IGrantable) -> iam.Grant:
        """Lets ``grantee`` (an API's role, a function, a user) start executions of this workflow, and nothing
        else (states:StartExecution on its ARN)."""
        return self.state_machine.grant_start_execution(grantee)

    @property
    def start_dead_letters(self) -> Optional[sqs.Queue]:
        """Where events that EventBridge could not deliver to this workflow rest (made by the first rule start)."""
        return self._start_dead_letters

    # --- helpers -----------------------------------------------------------------------------------------------
    def _target(self, rule: events.Rule, input: Optional[events.RuleTargetInput]) -> None:
        if self._start_dead_letters is None:
            self._start_dead_letters = failure_queue(self, "StartDeadLetters")
            if self._create_alarms:
                self._add_alarms({"start_dead_letters_not_empty": alarm_kit.queue_not_empty(
                    self, "StartDeadLettersAlarm", self._start_dead_letters, "Events that could not start the workflow")})
        rule.add_target(as_interface(events.IRuleTarget, targets.SfnStateMachine(
            self.state_machine, input=input, dead_letter_queue=self._start_dead_letters,
            retry_attempts=185, max_event_age=Duration.hours(24),
        )))

    def _record_failures(self, queue: sqs.Queue, include_execution_data: bool) -> events.Rule:
        rule = events.Rule(
            self, "FailureRule", description=f"Records failed executions of {self.node.path}",
            event_pattern=events.EventPattern(
                source=["aws.states"], detail_type=["Step Functions Execution Status Change"],
                detail={"status": ["FAILED", "TIMED_OUT", "ABORTED"],
                        "stateMachineArn": [self.state_machine.state_machine_arn]}),
        )
        fields = ("executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate", "error", "cause")
        record = None if include_execution_data else events.RuleTargetInput.from_object(
            {name: events.EventField.from_path(f"$.detail.{name}") for name in fields})
        rule.add_target(as_interface(events.IRuleTarget, targets.SqsQueue(
            queue, message=record, retry_attempts=185, max_event_age=Duration.hours(24))))
        reason = (f"The target is itself the queue of failed executions ({queue.node.path}), encrypted with SSE-SQS "
                  "and writable by this rule; EventBridge retries delivery for 24 hours, and a dead-letter queue of it "
                  "would be one more queue to watch for the same records.")
        findings.acknowledge(rule, "Serverless-EventBusDLQ", reason)
        findings.skip(rule, reason, cfn_lint=["ES4000"])
        return rule

    def _add_alarms(self, made: alarm_kit.Alarms) -> None:
        alarm_kit.notify(made, self._alarm_topic)
        self.alarms.update(made)


def _log_group_name(scope: Construct) -> str:
    """A name under /aws/vendedlogs/ (which keeps CloudWatch Logs' resource policy short), ending in the
    stack's GUID: the log group is retained, so a stack deleted and created again must not meet the old
    group's name (CreateLogGroup fails with ResourceAlreadyExistsException); the GUID never changes
    on update, so no update replaces the group."""
    stack_guid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
    unique = Names.unique_resource_name(
        scope, max_length=LOG_GROUP_NAME_MAX - len(LOG_GROUP_PREFIX) - 1 - STACK_GUID_LENGTH, separator="-")
    return Fn.join("", [f"{LOG_GROUP_PREFIX}{unique}-", stack_guid])
