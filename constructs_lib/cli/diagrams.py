"""Mermaid flowcharts of synthesized stacks: triggers, functions, queues, buckets, tables, destinations
and alarms, with arrows read from the templates' references and event wiring. Under each diagram, the
resources of a kind it has no shape for (`diagram_kinds`), so that nothing is left out unsaid.

Usage: python -m constructs_lib.diagrams cdk.out docs/diagrams [--readme README.md]
Writes one <Stack>.md per template and, with --readme, the diagrams between the README's markers.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, cast

from ..core.templates import Props, as_list, construct_path, dig, refs
from .diagram_kinds import DETAILS, NODE_TYPES, STANDS_FOR

README_START = "<!-- diagrams:start (written by make diagrams) -->"
README_END = "<!-- diagrams:end -->"
ALARM = "AWS::CloudWatch::Alarm"  # drawn as one node per watched resource
QUERY_METRIC = re.compile(r"SELECT \w+\((\w+)\) FROM SCHEMA")  # a Metrics Insights query: the metric it selects


@dataclass
class Diagram:
    stack: str
    labels: dict[str, str] = field(default_factory=dict[str, str])  # node id -> label
    shapes: dict[str, tuple[str, str]] = field(default_factory=dict[str, tuple[str, str]])
    # source, target, label, dotted
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list[tuple[str, str, str, bool]])
    # resource type -> construct paths of the resources of a kind the diagram has no shape for
    undrawn: dict[str, list[str]] = field(default_factory=dict[str, list[str]])

    def add_edge(self, source: str, target: str, label: str, dotted: bool = False) -> None:
        edge = (source, target, label, dotted)
        if source in self.labels and target in self.labels and source != target and edge not in self.edges:
            self.edges.append(edge)

    def mermaid(self) -> str:
        lines = ["flowchart LR"]
        for node_id, label in self.labels.items():
            opening, closing = self.shapes[node_id]
            lines.append(f'    {node_id}{opening}"{label}"{closing}')
        for source, target, label, dotted in self.edges:
            arrow = f"-. {label} .->" if dotted else f"-- {label} -->"
            lines.append(f"    {source} {arrow} {target}")
        return "\n".join(lines)


class Builder:
    def __init__(self, stack: str, resources: dict[str, Props]) -> None:
        self.resources = resources
        self.diagram = Diagram(stack)
        self.stack = stack
        self.alarm_node: dict[str, str] = {}  # alarm logical id -> the node that names it

    def build(self) -> Diagram:
        for logical_id, resource in self.resources.items():
            kind = resource.get("Type")
            if kind in NODE_TYPES:
                label, opening, closing = NODE_TYPES[kind]
                self.diagram.labels[logical_id] = f"{label}: {self._path(logical_id)}"
                self.diagram.shapes[logical_id] = (opening, closing)
        self._alarm_nodes()
        for logical_id, resource in self.resources.items():
            kind = str(resource.get("Type"))
            wire = self._wiring(kind)
            if wire is not None:
                wire(logical_id, resource.get("Properties", {}), resource)
            elif kind not in NODE_TYPES and kind not in STANDS_FOR and kind not in DETAILS and kind != ALARM:
                self.diagram.undrawn.setdefault(kind, []).append(self._path(logical_id))
        return self.diagram

    def _wiring(self, kind: str) -> Optional[Callable[[str, Props, Props], None]]:
        """The method that draws the arrows a resource of this kind makes, if there is one."""
        return getattr(self, "_wire_" + kind.replace("::", "_").replace("-", "_"), None)

    # --- helpers -------------------------------------------------------------------------------
    def _path(self, logical_id: str) -> str:
        return construct_path(self.resources[logical_id], self.stack, logical_id)

    def nodes(self, value: Any) -> set[str]:
        """The diagram nodes a value refers to, through versions and access points."""
        found: set[str] = set()
        for logical_id in refs(value):
            resource = self.resources.get(logical_id, {})
            stand_in = STANDS_FOR.get(str(resource.get("Type")))
            if stand_in:
                found |= self.nodes(dig(resource, "Properties", stand_in))
            elif logical_id in self.diagram.labels:
                found.add(logical_id)
        return found

    def edges(self, sources: Iterable[str], targets: Iterable[str], label: str, dotted: bool = False) -> None:
        targets = sorted(targets)  # sets: sorted, so that a diagram is the same on every run
        for source in sorted(sources):
            for target in targets:
                self.diagram.add_edge(source, target, label, dotted)

    def _alarm_nodes(self) -> None:
        """One node per watched resource, naming its alarms (they are many, one idea each); an alarm that watches
        several resources (a Metrics Insights query over many functions) is one node with an arrow from each, shared
        by the alarms that watch the same ones."""
        watched: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        actions: dict[tuple[str, ...], set[str]] = {}
        for logical_id, resource in self.resources.items():
            if resource.get("Type") != "AWS::CloudWatch::Alarm":
                continue
            props = resource.get("Properties", {})
            # A metric math alarm names its metrics under Metrics.
            targets = tuple(sorted(self.nodes(props.get("Dimensions") or props.get("Metrics"))))
            what = props.get("MetricName") or _expression_label(props)
            watched.setdefault(targets, []).append((logical_id, what))
            actions.setdefault(targets, set()).update(refs(props.get("AlarmActions")))
        for targets, alarms in watched.items():
            node_id = (f"Alarms{targets[0]}" if len(targets) == 1 else "AlarmsOther" if not targets
                       else f"Alarms{min(logical_id for logical_id, _ in alarms)}")
            metrics = [what for _, what in alarms]
            noun = "alarm" if len(metrics) == 1 else "alarms"
            self.diagram.labels[node_id] = f"{len(metrics)} {noun}: {', '.join(sorted(set(metrics)))}"
            self.diagram.shapes[node_id] = (">", "]")
            for target in targets:
                self.diagram.add_edge(target, node_id, "alarms", dotted=True)
            self.edges([node_id], actions[targets] & set(self.diagram.labels), "notify", dotted=True)
            self.alarm_node.update((logical_id, node_id) for logical_id, _ in alarms)

    # --- wiring per resource type (method names follow the type) --------------------------------
    def _wire_AWS_Lambda_EventSourceMapping(self, _id: str, props: Props, _r: Props) -> None:
        functions = self.nodes(props.get("FunctionName"))
        self.edges(self.nodes(props.get("EventSourceArn")), functions, "event source mapping")
        on_failure = dig(props, "DestinationConfig", "OnFailure", "Destination")
        self.edges(functions, self.nodes(on_failure), "discarded batches")

    def _wire_AWS_Lambda_EventInvokeConfig(self, _id: str, props: Props, _r: Props) -> None:
        functions = self.nodes(props.get("FunctionName"))
        config = props.get("DestinationConfig")
        self.edges(functions, self.nodes(dig(config, "OnSuccess", "Destination")), "on success")
        self.edges(functions, self.nodes(dig(config, "OnFailure", "Destination")), "on failure")

    def _wire_AWS_Lambda_Function(self, logical_id: str, props: Props, _r: Props) -> None:
        dead_letters = dig(props, "DeadLetterConfig", "TargetArn")
        self.edges([logical_id], self.nodes(dead_letters), "dead letters")
        variables = dig(props, "Environment", "Variables")
        self.edges([logical_id], self.nodes(variables) - {logical_id}, "uses")
        self.edges([logical_id], self.nodes(props.get("FileSystemConfigs")), "mounts")
        self.edges([logical_id], self.nodes(props.get("Layers")), "layer", dotted=True)
        self.edges([logical_id], self.nodes(dig(props, "Code", "ImageUri")), "image from", dotted=True)

    def _wire_AWS_Lambda_Alias(self, logical_id: str, props: Props, resource: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("FunctionName")), "version")
        update = dig(resource, "UpdatePolicy", "CodeDeployLambdaAliasUpdate")
        self.edges(self.nodes(dig(update, "DeploymentGroupName")), [logical_id], "shifts traffic")
        for hook in ("BeforeAllowTrafficHook", "AfterAllowTrafficHook"):
            self.edges(self.nodes(dig(update, "DeploymentGroupName")), self.nodes(dig(update, hook)), "hook")

    def _wire_AWS_Lambda_Url(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("TargetFunctionArn")), "invokes")

    def _wire_Custom_S3BucketNotifications(self, _id: str, props: Props, _r: Props) -> None:
        buckets = self.nodes(props.get("BucketName"))
        configuration = props.get("NotificationConfiguration")
        for kind, arn in (("LambdaFunctionConfigurations", "LambdaFunctionArn"), ("QueueConfigurations", "QueueArn"),
                          ("TopicConfigurations", "TopicArn")):
            for config in as_list(dig(configuration, kind)):
                events = ", ".join(str(event) for event in as_list(dig(config, "Events")))
                self.edges(buckets, self.nodes(dig(config, arn)), events)

    def _wire_AWS_SNS_Subscription(self, _id: str, props: Props, _r: Props) -> None:
        label = "raw delivery" if props.get("RawMessageDelivery") else "subscription"
        self.edges(self.nodes(props.get("TopicArn")), self.nodes(props.get("Endpoint")), label)
        self.edges(self.nodes(props.get("TopicArn")), self.nodes(props.get("RedrivePolicy")), "undelivered")

    def _wire_AWS_Events_Rule(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("EventBusName")), [logical_id], "events")
        self.edges(self.nodes(props.get("EventPattern")), [logical_id], "events")  # e.g. a pipeline's changes
        for target in as_list(props.get("Targets")):
            self.edges([logical_id], self.nodes(dig(target, "Arn")), "invokes")
            self.edges([logical_id], self.nodes(dig(target, "DeadLetterConfig", "Arn")), "undelivered")

    def _wire_AWS_StepFunctions_StateMachine(self, logical_id: str, props: Props, _r: Props) -> None:
        definition = [props.get("DefinitionString"), props.get("Definition"), props.get("DefinitionSubstitutions")]
        self.edges([logical_id], self.nodes(definition), "invokes")

    def _wire_AWS_Pipes_Pipe(self, _id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("Source")), self.nodes(props.get("Target")), "pipe")

    def _wire_AWS_Scheduler_Schedule(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(dig(props, "Target", "Arn")), "invokes")
        self.edges([logical_id], self.nodes(dig(props, "Target", "DeadLetterConfig", "Arn")), "undelivered")

    def _wire_AWS_SSM_Parameter(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("Value")), "names")

    def _wire_AWS_SQS_Queue(self, logical_id: str, props: Props, _r: Props) -> None:
        redrive = dig(props, "RedrivePolicy", "deadLetterTargetArn")
        self.edges([logical_id], self.nodes(redrive), "redrive")

    def _wire_AWS_ElasticLoadBalancingV2_Listener(self, _id: str, props: Props, _r: Props) -> None:
        for action in as_list(props.get("DefaultActions")):
            label = f"{props.get('Protocol', '')} {props.get('Port', '')}".strip()
            self.edges(self.nodes(props.get("LoadBalancerArn")), self.nodes(dig(action, "TargetGroupArn")), label)

    def _wire_AWS_ElasticLoadBalancingV2_TargetGroup(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("Targets")), "invokes")

    def _wire_AWS_CloudFront_Distribution(self, logical_id: str, props: Props, _r: Props) -> None:
        config = props.get("DistributionConfig")
        self.edges([logical_id], self.nodes(dig(config, "Origins")), "origin")
        behavior = dig(config, "DefaultCacheBehavior")
        for kind, arn in (("LambdaFunctionAssociations", "LambdaFunctionARN"), ("FunctionAssociations", "FunctionARN")):
            for association in as_list(dig(behavior, kind)):
                event = str(dig(association, "EventType", default=""))
                self.edges([logical_id], self.nodes(dig(association, arn)), event)
        self.edges([logical_id], self.nodes(dig(config, "Logging")), "logs", dotted=True)

    def _wire_AWS_ApiGatewayV2_Integration(self, _id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("ApiId")), self.nodes(props.get("IntegrationUri")), "invokes")

    def _wire_AWS_ApiGatewayV2_Authorizer(self, _id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("ApiId")), self.nodes(props.get("JwtConfiguration")), "JWTs from", dotted=True)

    def _wire_AWS_ApiGateway_Method(self, _id: str, props: Props, _r: Props) -> None:
        uri = dig(props, "Integration", "Uri")
        self.edges(self.nodes(props.get("RestApiId")), self.nodes(uri), "invokes")

    def _wire_AWS_ApiGateway_Authorizer(self, _id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("RestApiId")), self.nodes(props.get("ProviderARNs")), "tokens from",
                   dotted=True)

    def _wire_AWS_ApiGatewayV2_ApiMapping(self, _id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("DomainName")), self.nodes(props.get("ApiId")), "serves")

    def _wire_AWS_ApiGateway_BasePathMapping(self, _id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("DomainName")), self.nodes(props.get("RestApiId")), "serves")

    def _wire_AWS_WAFv2_WebACLAssociation(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("ResourceArn")), "filters")

    def _wire_AWS_ApplicationAutoScaling_ScalableTarget(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("ResourceId")), "scales")

    def _wire_AWS_Cognito_UserPool(self, logical_id: str, props: Props, _r: Props) -> None:
        """Each trigger named as LambdaConfig names it (e.g. PreSignUp), to its function or alias."""
        triggers = props.get("LambdaConfig")
        for trigger, config in (cast(Props, triggers) if isinstance(triggers, dict) else {}).items():
            self.edges([logical_id], self.nodes(config), trigger)

    def _wire_AWS_KinesisFirehose_DeliveryStream(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges(self.nodes(props.get("KinesisStreamSourceConfiguration")), [logical_id], "records")
        for key, config in props.items():
            if key.endswith("DestinationConfiguration") and isinstance(config, dict):
                settings = cast(Props, config)
                self.edges([logical_id], self.nodes(settings.get("ProcessingConfiguration")), "transforms with")
                rest = {k: v for k, v in settings.items() if k != "ProcessingConfiguration"}
                self.edges([logical_id], self.nodes(rest), "delivers")

    def _wire_AWS_Logs_SubscriptionFilter(self, logical_id: str, props: Props, _r: Props) -> None:
        """From the functions whose log group it reads, to where it delivers."""
        groups = refs(props.get("LogGroupName"))
        writers = [fid for fid, r in self.resources.items() if r.get("Type") == "AWS::Lambda::Function"
                   and refs(dig(r, "Properties", "LoggingConfig", "LogGroup")) & groups]
        self.edges(writers, [logical_id], "logs")
        self.edges([logical_id], self.nodes(props.get("DestinationArn")), "delivers")

    def _wire_AWS_CodePipeline_Pipeline(self, logical_id: str, props: Props, _r: Props) -> None:
        for stage in as_list(props.get("Stages")):
            for action in as_list(dig(stage, "Actions")):
                category = str(dig(action, "ActionTypeId", "Category", default="action")).lower()
                self.edges([logical_id], self.nodes(dig(action, "Configuration")), category)
        self.edges([logical_id], self.nodes(props.get("ArtifactStore")), "artifacts", dotted=True)

    def _wire_AWS_CodeCommit_Repository(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("Triggers")), "triggers")

    def _wire_AWS_RDS_DBCluster(self, logical_id: str, props: Props, _r: Props) -> None:
        credentials = [props.get(key) for key in ("MasterUsername", "MasterUserPassword", "MasterUserSecret")]
        self.edges([logical_id], self.nodes(credentials), "credentials", dotted=True)

    def _wire_AWS_RDS_DBInstance(self, logical_id: str, props: Props, _r: Props) -> None:
        self._wire_AWS_RDS_DBCluster(logical_id, props, _r)
        self.edges(self.nodes(props.get("DBClusterIdentifier")), [logical_id], "instance")

    def _wire_AWS_RDS_DBProxy(self, logical_id: str, props: Props, _r: Props) -> None:
        self.edges([logical_id], self.nodes(props.get("Auth")), "credentials", dotted=True)

    def _wire_AWS_RDS_DBProxyTargetGroup(self, _id: str, props: Props, _r: Props) -> None:
        databases = self.nodes([props.get("DBClusterIdentifiers"), props.get("DBInstanceIdentifiers")])
        self.edges(self.nodes(props.get("DBProxyName")), databases, "connects")

    def _wire_AWS_CodeDeploy_DeploymentGroup(self, logical_id: str, props: Props, _r: Props) -> None:
        alarms = {self.alarm_node[a] for a in refs(props.get("AlarmConfiguration")) if a in self.alarm_node}
        self.edges(sorted(alarms), [logical_id], "roll back", dotted=True)


def _expression_label(alarm: Props) -> str:
    """What a metric math alarm watches: the metric a Metrics Insights query selects, else its expression's label."""
    returned = [m for m in as_list(alarm.get("Metrics")) if dig(m, "ReturnData", default=True) and dig(m, "Expression")]
    if not returned:
        return "metric"
    expression = returned[0]["Expression"]
    text = "".join(part for part in as_list(dig(expression, "Fn::Join", default=["", []])[1]) if isinstance(part, str))
    selected = QUERY_METRIC.match(expression if isinstance(expression, str) else text)
    return selected.group(1) if selected else str(dig(returned[0], "Label", default="metric math"))


def diagram_of(stack: str, template: Props) -> Diagram:
    return Builder(stack, template.get("Resources", {})).build()


def diagrams_of(assembly: Path) -> dict[str, Diagram]:
    """Stack name -> its diagram, for every template of the assembly."""
    found: dict[str, Diagram] = {}
    for path in sorted(assembly.rglob("*.template.json")):
        stack = path.name.removesuffix(".template.json")
        found[stack] = diagram_of(stack, json.loads(path.read_text()))
    return found


def markdown(diagram: Diagram) -> str:
    """A section of its own: the heading, the diagram and, under it, what it did not draw."""
    text = f"### {diagram.stack}\n\n```mermaid\n{diagram.mermaid()}\n```\n"
    if diagram.undrawn:
        listed = "\n".join(f"- `{kind}`: {', '.join(paths)}" for kind, paths in sorted(diagram.undrawn.items()))
        text += f"\nNot drawn (no shape for their kind yet):\n\n{listed}\n"
    return text


def readme_block(diagrams: dict[str, Diagram]) -> str:
    body = "\n".join(markdown(diagram) for diagram in diagrams.values())
    return f"{README_START}\n{body}{README_END}"


def update_readme(readme: Path, diagrams: dict[str, Diagram]) -> None:
    text = readme.read_text()
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{readme} has no {README_START} ... {README_END} block")
    readme.write_text(pattern.sub(lambda _: readme_block(diagrams), text))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("assembly", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--readme", type=Path)
    args = parser.parse_args(argv)
    diagrams = diagrams_of(args.assembly)
    if not diagrams:
        parser.error(f"no templates in {args.assembly}: run make synth first")
    args.out.mkdir(parents=True, exist_ok=True)
    for stack, diagram in diagrams.items():
        (args.out / f"{stack}.md").write_text(markdown(diagram))
    if args.readme:
        update_readme(args.readme, diagrams)
    undrawn = sum(len(paths) for diagram in diagrams.values() for paths in diagram.undrawn.values())
    left_out = f"; {undrawn} resources not drawn, listed under their diagrams" if undrawn else ""
    print(f"diagrams: {len(diagrams)} stacks -> {args.out}{left_out}")
    return 0
