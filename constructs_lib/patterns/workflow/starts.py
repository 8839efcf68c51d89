"""How a workflow is started from an S3 upload (through EventBridge) and from an SQS queue (through an EventBridge
Pipe), each with a role or rule that may start this one workflow only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from aws_cdk import Annotations, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_pipes as pipes
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from ...core import findings
from ...core.jsii_types import as_interface
from ...core.validation import Checks
from ...resources.cdk_handlers import tidy_bucket_notifications_handler

SQS_MAX_BATCH = 10
NO_DEAD_LETTER_QUEUE = "constructs_lib:Workflow:queueWithoutDeadLetterQueue"
Target = Callable[[events.Rule, Optional[events.RuleTargetInput]], None]


def on_upload(workflow: Construct, construct_id: str, machine: sfn.StateMachine, bucket: s3.IBucket,
              prefix: Optional[str], suffix: Optional[str], target: Target) -> events.Rule:
    # S3 notifications reach Lambda, SQS and SNS only; EventBridge can start a state machine
    # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html).
    bucket.enable_event_bridge_notification()
    tidy_bucket_notifications_handler(workflow)
    if isinstance(bucket.node.default_child, s3.CfnBucket):
        findings.skip(bucket, "aws-cdk-lib's Custom::S3BucketNotifications resource sends this bucket's events to "
                      "EventBridge at deploy time; the rule reads only the bucket's own properties.",
                      guard=["s3_event_notifications_enabled_check"])
    key: Optional[list[object]] = None
    if prefix and suffix:
        key = [{"wildcard": f"{_escaped(prefix)}*{_escaped(suffix)}"}]
    elif prefix:
        key = [{"prefix": prefix}]
    elif suffix:
        key = [{"suffix": suffix}]
    detail: dict[str, object] = {"bucket": {"name": [bucket.bucket_name]}}
    if key is not None:
        detail["object"] = {"key": key}
    rule = events.Rule(
        workflow, construct_id, description=f"Starts {machine.node.path} on uploads",
        event_pattern=events.EventPattern(source=["aws.s3"], detail_type=["Object Created"], detail=detail),
    )
    target(rule, None)
    return rule


def _escaped(text: str) -> str:
    """EventBridge wildcard patterns escape their own '*' and '\\'."""
    return text.replace("\\", "\\\\").replace("*", "\\*")


@dataclass(frozen=True)
class QueueStart:
    """A pipe from a queue to a workflow, and the role it runs with."""

    pipe: pipes.CfnPipe
    role: iam.Role


def from_queue(workflow: Construct, construct_id: str, machine: sfn.StateMachine, queue: sqs.IQueue,
               batch_size: int) -> QueueStart:
    checks = Checks(workflow, "Workflow")
    checks.within(f"{construct_id}: batch_size", batch_size, 1, SQS_MAX_BATCH)
    checks.raise_if_any()
    scope = Construct(workflow, construct_id)
    stack = Stack.of(workflow)
    role = iam.Role(
        scope, "Role", description=f"Starts {machine.node.path} from {queue.node.path}",
        assumed_by=as_interface(iam.IPrincipal, iam.ServicePrincipal(
            "pipes.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": stack.account}})),
    )
    queue.grant_consume_messages(role)
    machine.grant_start_execution(role)
    # Pipes runs a standard workflow asynchronously only; an express one could also be awaited (REQUEST_RESPONSE),
    # which would hold each batch for the whole execution (https://docs.aws.amazon.com/eventbridge/latest/userguide/
    # eb-pipes-event-target.html).
    pipe = pipes.CfnPipe(
        scope, "Pipe", role_arn=role.role_arn, source=queue.queue_arn,
        target=machine.state_machine_arn,
        description=f"Starts {machine.node.path} from {queue.node.path}",
        source_parameters=pipes.CfnPipe.PipeSourceParametersProperty(
            sqs_queue_parameters=pipes.CfnPipe.PipeSourceSqsQueueParametersProperty(batch_size=batch_size)),
        target_parameters=pipes.CfnPipe.PipeTargetParametersProperty(
            step_function_state_machine_parameters=pipes.CfnPipe.PipeTargetStateMachineParametersProperty(
                invocation_type="FIRE_AND_FORGET")),
    )
    # Pipes checks the role's permissions when it creates the pipe: the policy must exist first.
    pipe.node.add_dependency(role)
    if isinstance(queue, sqs.Queue) and queue.dead_letter_queue is None:
        Annotations.of(scope).add_warning_v2(
            NO_DEAD_LETTER_QUEUE,
            f"{queue.node.path} has no dead-letter queue: a message the pipe cannot start the workflow with returns "
            "to the queue until its retention period ends, then is lost",
        )
    return QueueStart(pipe, role)
