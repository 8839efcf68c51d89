"""A minimal regional AWS WAF web ACL: AWS managed rule groups that carry no fee of their own, and its requests
logged to CloudWatch Logs (in a log group whose name starts with "aws-waf-logs-", as AWS WAF requires).

Cost (AWS WAF pricing): a web ACL a month, a rule a month for each rule group, and a price per million requests;
the log group's ingestion and storage as CloudWatch Logs prices them. ``python -m constructs_lib.cost`` prices it.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Fn, Names, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from .log_groups import new_log_group

# (name, WCU): the baseline rule groups, within the 1,500 WCU a web ACL has before it is charged more. The common
# rule set blocks request bodies over 8 KB (SizeRestrictions_BODY), among others: give a web ACL of your own to
# let larger bodies through.
MANAGED_RULE_GROUPS = (("AWSManagedRulesCommonRuleSet", 700), ("AWSManagedRulesKnownBadInputsRuleSet", 200))
# What AWS WAF writes to the logs in full but these: credentials and sessions stay out of the logs.
REDACTED_HEADERS = ("authorization", "cookie")
# AWS WAF logs only to a log group whose name starts with this ("Sending web ACL traffic logs to CloudWatch Logs").
LOG_GROUP_PREFIX = "aws-waf-logs-"


def managed_web_acl(scope: Construct, construct_id: str, *, what: str) -> wafv2.CfnWebACL:
    """A regional web ACL (``construct_id``) that allows what AWS's managed rule groups do not block, with CloudWatch
    metrics, sampled requests and logs. `what`: what it protects, for its description."""
    acl = wafv2.CfnWebACL(
        scope, construct_id, scope="REGIONAL", description=f"Protects {what}"[:256],
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=_visibility(Names.unique_id(scope)[-128:]),
        rules=[
            wafv2.CfnWebACL.RuleProperty(
                name=name, priority=priority, override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name)),
                visibility_config=_visibility(name),
            )
            for priority, (name, _) in enumerate(MANAGED_RULE_GROUPS)
        ],
    )
    _log(scope, f"{construct_id}Logs", acl)
    return acl


def _log(scope: Construct, construct_id: str, acl: wafv2.CfnWebACL) -> None:
    stack = Stack.of(scope)
    # Kept on delete with the logs, so its name has this stack's own ID (a stack made again gets another).
    name = Fn.join("", [LOG_GROUP_PREFIX, Names.unique_id(scope)[-64:], "-", Fn.select(2, Fn.split("/", stack.stack_id))])
    group = new_log_group(
        scope, construct_id, log_group_name=name, retention=logs.RetentionDays.ONE_YEAR,
        removal_policy=RemovalPolicy.RETAIN,
        without_key_because="CloudWatch Logs encrypts every log group at rest; the web ACL's logs hold requests' "
                            "metadata and headers, with authorization and cookie headers redacted.")
    # AWS WAF takes the log group's ARN without the ":*" that CloudFormation's Arn attribute ends with.
    arn = stack.format_arn(service="logs", resource="log-group", resource_name=group.log_group_name,
                           arn_format=ArnFormat.COLON_RESOURCE_NAME)
    wafv2.CfnLoggingConfiguration(
        scope, f"{construct_id}Configuration", resource_arn=acl.attr_arn, log_destination_configs=[arn],
        redacted_fields=[wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": header})
                         for header in REDACTED_HEADERS],
    ).node.add_dependency(group)


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True)
