"""What pricing reads of a template: its resources with their workload, and what the template says about its
functions that their own properties do not (schedules, deploy-time handlers, provisioned concurrency,
Lambda@Edge); and the lines a resource's price is made of."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..core.templates import as_list, dig, refs
from .schedules import runs_per_month

FIXED, USAGE = "fixed", "usage"


@dataclass(frozen=True)
class Line:
    """One charge of one resource: `quantity` of a meter (None: no charge, said why in `what`)."""

    kind: str
    meter: Optional[str]
    quantity: float
    what: str


@dataclass(frozen=True)
class Resource:
    """A resource with what pricing it needs from its template and the workload."""

    logical_id: str
    type: str
    props: dict[str, Any]
    template: "TemplateFacts"
    usage: dict[str, float]  # given for this resource in the workload
    defaults: dict[str, float]  # given for its type in the workload

    def quantity(self, name: str) -> float:
        return self.usage.get(name, self.defaults.get(name, 0))


@dataclass(frozen=True)
class TemplateFacts:
    """What a template says about its functions that their own properties do not."""

    resources: dict[str, Any]
    runs: dict[str, tuple[float, str]]  # function -> (runs a month, which schedule says so)
    deploy_time: set[str]
    provisioned: dict[str, int]  # function -> provisioned concurrency of its aliases
    edge: set[str]  # Lambda@Edge functions

    @classmethod
    def of(cls, resources: dict[str, Any]) -> "TemplateFacts":
        return cls(resources, _scheduled_runs(resources), _deploy_time_functions(resources),
                   _provisioned_by_function(resources), _edge_functions(resources))

    def function_props(self, logical_id: str) -> dict[str, Any]:
        return self.resources.get(logical_id, {}).get("Properties", {})


Pricer = Callable[[Resource], Optional[list[Line]]]  # None: this variant of the type is not priced


def fixed(meter: str, quantity: float, what: str) -> Line:
    return Line(FIXED, meter, quantity, what)


def usage(meter: str, quantity: float, what: str) -> Line:
    return Line(USAGE, meter, quantity, what)


def _scheduled_runs(resources: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Functions that EventBridge rules or Scheduler schedules invoke, with how often they say."""
    runs: dict[str, tuple[float, str]] = {}
    for resource in resources.values():
        props = resource.get("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::Events::Rule" and isinstance(props.get("ScheduleExpression"), str):
            targets = [dig(target, "Arn") for target in as_list(props.get("Targets"))]
        elif kind == "AWS::Scheduler::Schedule" and isinstance(props.get("ScheduleExpression"), str):
            targets = [dig(props, "Target", "Arn")]
        else:
            continue
        expression = props["ScheduleExpression"]
        count = runs_per_month(expression)
        if count is None:
            continue
        for logical_id in refs(targets):
            function = _function_of(resources, logical_id)
            if function:
                before = runs.get(function, (0.0, ""))[0]
                runs[function] = (before + count, expression if not before else "its schedules")
    return runs


def _function_of(resources: dict[str, Any], logical_id: str) -> Optional[str]:
    """The function a target names: itself, or the function of an alias or version."""
    resource = resources.get(logical_id, {})
    if resource.get("Type") == "AWS::Lambda::Function":
        return logical_id
    if resource.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        found = [ref for ref in refs(resource.get("Properties", {}).get("FunctionName"))
                 if resources.get(ref, {}).get("Type") == "AWS::Lambda::Function"]
        return found[0] if found else None
    return None


def _deploy_time_functions(resources: dict[str, Any]) -> set[str]:
    """Functions behind custom resources (ServiceToken) or CodeDeploy hooks: they run on deploy."""
    found: set[str] = set()
    for resource in resources.values():
        kind = resource.get("Type", "")
        if kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource":
            found |= refs(resource.get("Properties", {}).get("ServiceToken"))
        hooks = resource.get("UpdatePolicy", {}).get("CodeDeployLambdaAliasUpdate", {})
        for hook in ("BeforeAllowTrafficHook", "AfterAllowTrafficHook"):
            found |= refs(hooks.get(hook))
    return {logical_id for logical_id in found if resources.get(logical_id, {}).get("Type") == "AWS::Lambda::Function"}


def _provisioned_by_function(resources: dict[str, Any]) -> dict[str, int]:
    provisioned: dict[str, int] = {}
    for resource in resources.values():
        if resource.get("Type") != "AWS::Lambda::Alias":
            continue
        props = resource.get("Properties", {})
        count = dig(props, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")
        for logical_id in refs(props.get("FunctionName")):
            if isinstance(count, int):
                provisioned[logical_id] = provisioned.get(logical_id, 0) + count
    return provisioned


def _edge_functions(resources: dict[str, Any]) -> set[str]:
    """Functions whose role Lambda@Edge may assume: they run at CloudFront's edge, at its prices."""
    edge_roles = {logical_id for logical_id, resource in resources.items()
                  if resource.get("Type") == "AWS::IAM::Role"
                  and "edgelambda.amazonaws.com" in json.dumps(resource.get("Properties", {}).get("AssumeRolePolicyDocument"))}
    return {logical_id for logical_id, resource in resources.items()
            if resource.get("Type") == "AWS::Lambda::Function"
            and refs(resource.get("Properties", {}).get("Role")) & edge_roles}
