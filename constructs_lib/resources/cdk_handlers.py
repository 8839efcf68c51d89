"""aws-cdk-lib's own deploy-time handlers (custom resource providers) in the library's stacks, tidied:
their logs get a log group with retention (Lambda's own group would keep them for ever), their memory
is stated, and the scanner checks written for application functions are answered with the reason.
"""

from __future__ import annotations

from aws_cdk import CfnResource, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from ..core import findings
from .log_groups import new_log_group

FUNCTION_TYPE = "AWS::Lambda::Function"
LAMBDA_DEFAULT_MEMORY_MB = 128
# aws-cdk-lib's singleton that writes bucket notifications (Custom::S3BucketNotifications) at deploy time.
NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"


def tidy_bucket_notifications_handler(scope: IConstruct) -> None:
    """Tidies the stack's bucket-notifications handler, once aws-cdk-lib has made it."""
    handler = Stack.of(scope).node.try_find_child(NOTIFICATIONS_HANDLER_ID)
    if handler is not None:
        tidy_cdk_handler(handler, "configures bucket notifications when the stack is deployed",
                         state_default_memory=True)


def tidy_cdk_handler(handler: IConstruct, what_it_does: str, *, state_default_memory: bool = False) -> None:
    """Once per handler (a stack's singleton): a log group kept one year, and the findings that do not
    apply to a deploy-time handler suppressed. `state_default_memory`: the handler leaves MemorySize to
    Lambda's default, which is then written down (the same 128 MB)."""
    assert isinstance(handler, Construct)  # as every node of an app
    if handler.node.try_find_child("LogGroup") is not None:
        return
    function = next(c for c in handler.node.find_all() if isinstance(c, CfnResource)
                    and c.cfn_resource_type == FUNCTION_TYPE)
    log_group = new_log_group(
        handler, "LogGroup", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.DESTROY,
        without_key_because="CloudWatch Logs encrypts every log group at rest; this one holds only the logs of a "
        "deploy-time handler.")
    function.add_property_override("LoggingConfig", {"LogGroup": log_group.log_group_name})
    if state_default_memory:
        function.add_property_override("MemorySize", LAMBDA_DEFAULT_MEMORY_MB)
    who = f"aws-cdk-lib's own handler, which {what_it_does}"
    findings.skip(function, f"{who}: CloudFormation invokes it synchronously, as a custom resource; it has "
                  "no asynchronous events to keep.", checkov=["CKV_AWS_116"])
    findings.skip(function, f"{who}: it reaches only AWS APIs and needs no private network.",
                  checkov=["CKV_AWS_117"], guard=["lambda_inside_vpc_check"])
    findings.skip(function, f"{who}: it runs only during deployments; reserving concurrency for it would "
                  "take from the account's pool.", checkov=["CKV_AWS_115"])
    findings.skip(function, f"{who}: aws-cdk-lib sets its role, which has no X-Ray permissions; it runs "
                  "only during deployments.", cfn_lint=["WS1000"])
    findings.skip(function, f"{who}: its logs go to {log_group.node.path} through LoggingConfig, kept one "
                  "year; the rule looks only for a group named /aws/lambda/<function>.", cfn_lint=["WS1004"])
    role = handler.node.try_find_child("Role")
    if role is not None:
        findings.acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            f"{who}: aws-cdk-lib attaches this AWS managed policy to its role; the handler runs only during "
            "deployments.",
        )

