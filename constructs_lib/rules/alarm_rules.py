"""Alarms on EventBridge and EventBridge Scheduler metrics: a metric is identified by its namespace, name and
every one of its dimensions, so an alarm on dimensions the service does not publish watches a metric that never
exists, and never fires."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Optional, cast

from ..core.templates import Props, as_list, dig, mapping
from .model import STAYS_SILENT, App, Hit, Rule, Stack

DEFAULT_BUS = "default"
SCHEDULE_GROUP = "ScheduleGroup"  # the one dimension of AWS/Scheduler's metrics, besides none (the account's)


def alarm_metrics(resource: Props) -> Iterator[Props]:
    """The metrics an alarm watches: its own (Namespace, MetricName, Dimensions), or those of its metric math."""
    props = mapping(resource.get("Properties")) or {}
    if "Namespace" in props:
        yield props
    for query in as_list(props.get("Metrics")):
        metric = mapping(dig(query, "MetricStat", "Metric"))
        if metric is not None:
            yield metric


def dimensions(metric: Props) -> dict[str, Any]:
    named = (mapping(d) or {} for d in as_list(metric.get("Dimensions")))
    return {d["Name"]: d.get("Value") for d in named if isinstance(d.get("Name"), str)}


@dataclass(frozen=True)
class Bus:
    """An event bus as a template names it: the default bus (None), or a custom one by name or by resource."""

    key: Optional[str]
    shown: str = DEFAULT_BUS

    @property
    def default(self) -> bool:
        return self.key is None

    def comparable(self, other: "Bus") -> bool:
        """Both named by name, or both by resource: a resource whose name the template does not state may
        have any name."""
        return str(self.key).split(":")[0] == str(other.key).split(":")[0]


def bus_of(app: App, stack: Stack, value: Any) -> Optional[Bus]:
    """The bus a rule's EventBusName (or a metric's EventBusName dimension) names; None when the template
    cannot tell (a parameter, an import of something outside the app)."""
    if value is None:
        return Bus(None)
    if isinstance(value, str):
        name = value.rsplit("event-bus/", 1)[-1]  # a name, or an event bus ARN
        return Bus(None) if name == DEFAULT_BUS else Bus(f"name:{name}", name)
    found = app.resource(stack, value)
    if found is None or found[0].type_of(found[1]) != "AWS::Events::EventBus":
        return None
    bus_stack, logical_id = found
    name = bus_stack.props(logical_id).get("Name")
    if isinstance(name, str):
        return Bus(f"name:{name}", logical_id)
    return Bus(f"resource:{bus_stack.path}:{logical_id}", logical_id)


def _rule(app: App, stack: Stack, value: Any) -> Optional[tuple[Stack, str]]:
    """The AWS::Events::Rule a RuleName dimension names: by reference, or by its literal Name in the app."""
    if isinstance(value, str):
        named = [(s, i) for s, i, r in app.of_type("AWS::Events::Rule") if dig(r, "Properties", "Name") == value]
        return named[0] if len(named) == 1 else None
    found = app.resource(stack, value)
    return found if found is not None and found[0].type_of(found[1]) == "AWS::Events::Rule" else None


def _rule_name_part(value: Any) -> tuple[Any, bool]:
    """What a RuleName dimension refers to, and whether it takes the part after '|' (``Fn::Select [1,
    Fn::Split ["|", X]]``): the rule's Ref on a custom bus is ``<bus>|<rule>``, its name the second part."""
    selected: Any = dig(value, "Fn::Select")
    if isinstance(selected, list) and len(cast(list[Any], selected)) == 2:
        index, source = cast(list[Any], selected)
        split: Any = dig(source, "Fn::Split")
        if index in (1, "1") and isinstance(split, list) and len(cast(list[Any], split)) == 2:
            separator, joined = cast(list[Any], split)
            if separator == "|":
                return joined, True
    return value, False


def events_alarm_dimensions(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::CloudWatch::Alarm"):
        for metric in alarm_metrics(resource):
            dims = dimensions(metric)
            if metric.get("Namespace") != "AWS/Events" or "RuleName" not in dims:
                continue
            named_by, name_part = _rule_name_part(dims["RuleName"])
            rule = _rule(app, stack, named_by)
            bus = bus_of(app, rule[0], rule[0].props(rule[1]).get("EventBusName")) if rule else None
            if rule is None or bus is None:
                continue
            watched = f"watches {metric.get('MetricName')} of rule {rule[1]}"
            if bus.default and "EventBusName" in dims:
                yield Hit(stack, logical_id, f"{watched} with an EventBusName dimension, but the rule is on the "
                                             "default bus, whose rule metrics have RuleName alone")
            elif not bus.default and "EventBusName" not in dims:
                yield Hit(stack, logical_id, f"{watched} by RuleName alone, but the rule is on the custom bus "
                                             f"{bus.shown}, whose rule metrics have EventBusName and RuleName")
            elif not bus.default:
                named = bus_of(app, stack, dims["EventBusName"])
                if named is not None and (named.default or named.comparable(bus) and named.key != bus.key):
                    yield Hit(stack, logical_id, f"{watched} with EventBusName {named.shown}, but the rule is on "
                                                 f"the bus {bus.shown}")
                elif isinstance(named_by, dict) and not name_part:
                    yield Hit(stack, logical_id, f"{watched} with RuleName the rule's Ref, which for a rule on the "
                                                 f"custom bus {bus.shown} is '<bus name>|<rule name>', not the "
                                                 "name the metric carries")


def scheduler_alarm_dimensions(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::CloudWatch::Alarm"):
        for metric in alarm_metrics(resource):
            if metric.get("Namespace") != "AWS/Scheduler":
                continue
            dims = dimensions(metric)
            watched = f"watches {metric.get('MetricName')}"
            others = sorted(set(dims) - {SCHEDULE_GROUP})
            if others:
                yield Hit(stack, logical_id, f"{watched} by {', '.join(others)}, a dimension Scheduler does not "
                                             "publish")
                continue
            found = app.resource(stack, dims.get(SCHEDULE_GROUP))
            kind = found[0].type_of(found[1]) if found else None
            if found and kind != "AWS::Scheduler::ScheduleGroup":
                yield Hit(stack, logical_id, f"{watched} with a ScheduleGroup that names {found[1]} (of type "
                                             f"{kind}), not a schedule group")


def rules() -> list[Rule]:
    return [
        Rule("DR-EVENTS-ALARM-DIMENSIONS", STAYS_SILENT,
             "EventBridge publishes the metrics of a rule on the default bus with the RuleName dimension alone, and "
             "those of a rule on a custom bus with EventBusName and RuleName: an alarm on any other set watches a "
             "metric that does not exist.",
             "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html",
             "Give the alarm's metric the dimension EventBusName (the bus's name) when the rule is on a custom bus, "
             "with RuleName the rule's name (its Ref there is '<bus>|<rule>': Fn::Select [1, Fn::Split ['|', Ref]]), "
             "and RuleName alone when it is on the default bus.", events_alarm_dimensions),
        Rule("DR-SCHEDULER-ALARM-DIMENSIONS", STAYS_SILENT,
             "EventBridge Scheduler publishes its metrics for the account (no dimension) and per schedule group "
             "(ScheduleGroup, the group's name), never per schedule: an alarm on another dimension watches a "
             "metric that does not exist.",
             "https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html",
             "Watch the schedule's group (ScheduleGroup.metric_target_errors() and the like); put a schedule "
             "that needs alarms of its own in a group of its own.", scheduler_alarm_dimensions),
    ]
