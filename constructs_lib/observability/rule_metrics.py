"""The metrics EventBridge publishes for a rule, with the dimensions it publishes them under.

EventBridge user guide, "Monitoring Amazon EventBridge": metrics with only the ``RuleName`` dimension are
those of a rule on the default event bus; a rule on a custom bus has its metrics under ``EventBusName`` and
``RuleName``. A metric with the wrong set of dimensions does not exist: an alarm on it never fires.

The ``RuleName`` is the rule's own name: CloudFormation's ``Ref`` of a rule on a custom bus is
``<bus name>|<rule name>`` (its physical ID; the return values of AWS::Events::Rule call it the rule's ID), so
the name is the part after the ``|`` there.
"""

from __future__ import annotations

from typing import Optional

from aws_cdk import Duration, Fn, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events

from ..core.jsii_types import cfn_resource

NAMESPACE = "AWS/Events"
DEFAULT_BUS = "default"


def rule_metric(rule: events.Rule, metric_name: str, *, period: Duration, statistic: str) -> cloudwatch.Metric:
    """``metric_name`` (e.g. "FailedInvocations") of ``rule``, under the dimensions of the rule's bus."""
    dimensions = {"RuleName": rule.rule_name}
    bus = bus_name(cfn_resource(rule, events.CfnRule).event_bus_name)
    if bus is not None:
        dimensions = {"RuleName": Fn.select(1, Fn.split("|", rule.rule_name)), "EventBusName": bus}
    return cloudwatch.Metric(
        namespace=NAMESPACE, metric_name=metric_name, dimensions_map=dimensions, period=period, statistic=statistic,
    )


def bus_name(event_bus_name: Optional[str]) -> Optional[str]:
    """The name of a custom bus from a rule's ``EventBusName`` (a name or an ARN), or None for the default bus.

    A name known only at deploy time (an imported bus) is taken as a custom bus: a rule on the default bus
    leaves ``event_bus`` out."""
    if event_bus_name is None:
        return None
    if Token.is_unresolved(event_bus_name):
        return event_bus_name
    name = event_bus_name.rsplit("event-bus/", 1)[-1]  # arn:<partition>:events:<region>:<account>:event-bus/<name>
    return None if name == DEFAULT_BUS else name
