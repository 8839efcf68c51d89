"""Deployment: how CodeDeploy shifts an alias's traffic to a new version (canary, linear, all at once).

`Deployment` is the value users pass as ``deployment=``; what it builds under a function is
`safe_deployment.SafeDeployment`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence, Union

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct, Node

from ..core.validation import Checks

ALIAS_NAME = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}")
# CodeDeploy's limit on the minutes between two traffic shifts of a Lambda deployment.
MAX_INTERVAL_MINUTES = 2880
# CodeDeploy's limit on the alarms of one deployment group, and how many the library adds to `alarms`.
MAX_DEPLOYMENT_ALARMS = 10
LIBRARY_DEPLOYMENT_ALARMS = 3

# Deployment configurations CodeDeploy predefines; any other percent/interval gets a custom one.
PREDEFINED = {
    ("canary", 10, 5): codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
    ("canary", 10, 10): codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_10_MINUTES,
    ("canary", 10, 15): codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_15_MINUTES,
    ("canary", 10, 30): codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_30_MINUTES,
    ("linear", 10, 1): codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_1_MINUTE,
    ("linear", 10, 2): codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_2_MINUTES,
    ("linear", 10, 3): codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_3_MINUTES,
    ("linear", 10, 10): codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_10_MINUTES,
    ("all_at_once", 100, 0): codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
}

class DeployableFunction(Protocol):
    """What a deployment needs of a function (the one it deploys, or a hook): a ServerlessFunction is one."""

    @property
    def node(self) -> Node: ...

    @property
    def function(self) -> lambda_.Function: ...

    @property
    def role(self) -> iam.Role: ...


# True: the hook shipped in this package; a path: a folder with handler.py; or a ServerlessFunction.
Hook = Union[bool, str, Path, DeployableFunction, None]


@dataclass(frozen=True)
class Deployment:
    """How a function's alias moves to each new version. Build it with `canary`, `linear` or `all_at_once`.

    :param kind: "canary", "linear" or "all_at_once" (set by the builders).
    :param percent: traffic share of the first step (canary) or of each step (linear), 1-99.
    :param interval_minutes: minutes between the steps, 1-2880.
    :param alias_name: the alias that triggers invoke (default "live").
    :param pre_traffic_hook: runs before any traffic shifts: ``True`` for the packaged smoke test
        (invokes the new version with ``smoke_event``; fails on a function error or a 5xx status
        code), a folder with ``handler.py``, or a ``ServerlessFunction``. Default none.
    :param post_traffic_hook: runs after the shift: ``True`` for the packaged check of the new version's
        errors through the alias since the deployment began (the outgoing version's do not count), a folder,
        or a ``ServerlessFunction``.
    :param alarms: extra alarms that roll the deployment back, besides the alias's errors and
        throttles and the new version's errors: at most 7, since CodeDeploy takes 10 per deployment group.
    :param ignore_alarms: deploy even while an alarm is in ALARM (the escape hatch for deploying
        the fix of what set the alarm off). Default False.
    :param smoke_event: the event the packaged pre-traffic hook sends (default ``{}``).
    """

    kind: str
    percent: int = 100
    interval_minutes: int = 0
    alias_name: str = "live"
    pre_traffic_hook: Hook = None
    post_traffic_hook: Hook = None
    alarms: Sequence[cloudwatch.IAlarm] = ()
    ignore_alarms: bool = False
    smoke_event: Mapping[str, Any] = field(default_factory=dict[str, Any])

    @classmethod
    def canary(cls, percent: int = 10, interval_minutes: int = 5, **options: Any) -> "Deployment":
        """``percent`` of the traffic first, the rest after ``interval_minutes``."""
        return cls("canary", percent, interval_minutes, **options)

    @classmethod
    def linear(cls, percent: int = 10, interval_minutes: int = 1, **options: Any) -> "Deployment":
        """``percent`` more of the traffic every ``interval_minutes`` until all of it."""
        return cls("linear", percent, interval_minutes, **options)

    @classmethod
    def all_at_once(cls, **options: Any) -> "Deployment":
        """All traffic at once, still with hooks, alarms and rollback."""
        return cls("all_at_once", **options)

    @property
    def name(self) -> str:
        if self.kind == "all_at_once":
            return "AllAtOnce"
        return f"{self.kind.capitalize()}{self.percent}Percent{self.interval_minutes}Minutes"

    def check(self, checks: Checks) -> None:
        """Adds every broken rule to `checks` (prop names prefixed with ``deployment.``)."""
        if self.kind != "all_at_once":
            checks.within(f"deployment.percent ({self.name})", self.percent, 1, 99, "%")
            checks.within(
                f"deployment.interval_minutes ({self.name})", self.interval_minutes, 1, MAX_INTERVAL_MINUTES,
                "minutes (CodeDeploy's limit between two traffic shifts)",
            )
        checks.require(
            bool(ALIAS_NAME.fullmatch(self.alias_name)), "deployment.alias_name", self.alias_name,
            "must be 1-128 letters, digits, '-' or '_', and not only digits",
        )
        total = LIBRARY_DEPLOYMENT_ALARMS + len(self.alarms)
        checks.require(
            total <= MAX_DEPLOYMENT_ALARMS, "deployment.alarms", f"{len(self.alarms)} alarms",
            f"exceed CodeDeploy's limit of {MAX_DEPLOYMENT_ALARMS} alarms per deployment group: with the "
            f"library's {LIBRARY_DEPLOYMENT_ALARMS} (alias errors and throttles, new version errors) that makes "
            f"{total}; give at most {MAX_DEPLOYMENT_ALARMS - LIBRARY_DEPLOYMENT_ALARMS}, or combine them in a "
            "composite alarm",
        )
        for prop, hook in (("pre_traffic_hook", self.pre_traffic_hook), ("post_traffic_hook", self.post_traffic_hook)):
            if hook is None or hook is True or hasattr(hook, "function"):
                continue
            if isinstance(hook, (str, Path)):
                checks.require(
                    (Path(hook) / "handler.py").is_file(), f"deployment.{prop}", str(hook),
                    "must be a folder with handler.py",
                )
            else:
                checks.fail(f"deployment.{prop}", hook, "must be True, a folder with handler.py or a ServerlessFunction")
        try:
            json.dumps(self.smoke_event)
        except TypeError as error:
            checks.fail("deployment.smoke_event", self.smoke_event, f"must be JSON: {error}")

    def config(self, scope: Construct) -> codedeploy.ILambdaDeploymentConfig:
        predefined = PREDEFINED.get((self.kind, self.percent, self.interval_minutes))
        if predefined is not None:
            return predefined
        routing_kind = (
            codedeploy.TimeBasedCanaryTrafficRouting if self.kind == "canary"
            else codedeploy.TimeBasedLinearTrafficRouting
        )
        routing = routing_kind(interval=Duration.minutes(self.interval_minutes), percentage=self.percent)
        return codedeploy.LambdaDeploymentConfig(scope, "DeploymentConfig", traffic_routing=routing)
