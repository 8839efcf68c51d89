"""Deployment: how CodeDeploy shifts an alias's traffic to a new version (canary, linear, all at once).

`Deployment` is the value users pass as ``deployment=``; `SafeDeployment` is what it builds under a
function: alarms on the alias and the new version, optional pre- and post-traffic hooks, and a
CodeDeploy deployment group that rolls back on a failed deployment or an alarm.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

from aws_cdk import Duration, Fn, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from . import alarms as alarm_kit
from . import findings
from .jsii_types import as_interface
from .validation import Checks, seconds_of

if TYPE_CHECKING:
    from .function import ServerlessFunction

HOOKS_ENTRY = Path(__file__).resolve().parent / "handlers" / "deploy_hooks"
ALIAS_NAME = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}")
# CodeDeploy's limit on the minutes between two traffic shifts of a Lambda deployment.
MAX_INTERVAL_MINUTES = 2880
# CodeDeploy's limit on the alarms of one deployment group, and how many the library adds to `alarms`.
MAX_DEPLOYMENT_ALARMS = 10
LIBRARY_DEPLOYMENT_ALARMS = 3
ALARM_PERIOD = Duration.minutes(1)
HOOK_MARGIN_SECONDS = 60
MAX_SMOKE_SECONDS = 900 - HOOK_MARGIN_SECONDS

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

# True: the hook shipped in this package; a path: a folder with handler.py; or a ServerlessFunction.
Hook = Union[bool, str, Path, "ServerlessFunction", None]


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
    :param post_traffic_hook: runs after the shift: ``True`` for the packaged check of the alias's
        errors in the last ``post_traffic_window_minutes`` minutes, a folder, or a ``ServerlessFunction``.
    :param alarms: extra alarms that roll the deployment back, besides the alias's errors and
        throttles and the new version's errors: at most 7, since CodeDeploy takes 10 per deployment group.
    :param ignore_alarms: deploy even while an alarm is in ALARM (the escape hatch for deploying
        the fix of what set the alarm off). Default False.
    :param smoke_event: the event the packaged pre-traffic hook sends (default ``{}``).
    :param post_traffic_window_minutes: how far back the packaged post-traffic hook looks, 1-60 (default 10).
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
    post_traffic_window_minutes: int = 10

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
        checks.within("deployment.post_traffic_window_minutes", self.post_traffic_window_minutes, 1, 60, "minutes")
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


def _new_version_errors(alias: lambda_.Alias, version: lambda_.IVersion) -> cloudwatch.Metric:
    """Errors of `version` among the alias's invocations: Lambda publishes invocations through an alias
    under Resource=<function>:<alias> with ExecutedVersion=<version>, so canary traffic is counted here."""
    function_name = version.lambda_.function_name
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimensions_map={
            "FunctionName": function_name,
            "Resource": Fn.join(":", [function_name, alias.alias_name]),
            "ExecutedVersion": version.version,
        },
        statistic="Sum",
        period=ALARM_PERIOD,
    )


class SafeDeployment(Construct):
    """What a `Deployment` builds for one function's alias (created by ServerlessFunction).

    Exposes ``deployment_group``, ``alarms`` (alias errors and throttles, new version errors),
    ``pre_traffic_hook`` and ``post_traffic_hook`` (ServerlessFunctions, or None).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, target: "ServerlessFunction", alias: lambda_.Alias,
        deployment: Deployment,
    ) -> None:
        super().__init__(scope, construct_id)
        version = target.function.current_version
        self.alarms: alarm_kit.Alarms = {
            "alias_errors": alarm_kit.any_of(
                self, "AliasErrors", alias.metric_errors(period=ALARM_PERIOD),
                f"Errors on alias {deployment.alias_name}",
            ),
            "alias_throttles": alarm_kit.any_of(
                self, "AliasThrottles", alias.metric_throttles(period=ALARM_PERIOD),
                f"Throttles on alias {deployment.alias_name}",
            ),
            "new_version_errors": alarm_kit.any_of(
                self, "NewVersionErrors", _new_version_errors(alias, as_interface(lambda_.IVersion, version)),
                "Errors of the new version",
            ),
        }
        # The smoke invocation may take the target's whole timeout; the hook needs time to report after it.
        smoke_seconds = min(seconds_of(target.function.timeout) or MAX_SMOKE_SECONDS, MAX_SMOKE_SECONDS)
        self.pre_traffic_hook = self._hook(
            "PreTrafficHook", deployment.pre_traffic_hook, "pre_traffic.handler", target,
            {"TARGET_VERSION_ARN": version.function_arn, "SMOKE_EVENT": json.dumps(deployment.smoke_event),
             "SMOKE_TIMEOUT_SECONDS": f"{smoke_seconds:g}"},
            timeout=Duration.seconds(smoke_seconds + HOOK_MARGIN_SECONDS),
        )
        self.post_traffic_hook = self._hook(
            "PostTrafficHook", deployment.post_traffic_hook, "post_traffic.handler", target,
            {"FUNCTION_NAME": target.function.function_name, "ALIAS_NAME": deployment.alias_name,
             "WINDOW_MINUTES": str(deployment.post_traffic_window_minutes)},
            timeout=Duration.minutes(1),
        )
        if self.pre_traffic_hook is not None:
            version.grant_invoke(self.pre_traffic_hook.role)
        if self.post_traffic_hook is not None:
            self._allow_reading_metrics(self.post_traffic_hook)

        self.deployment_group = codedeploy.LambdaDeploymentGroup(
            self,
            "Group",
            alias=alias,
            deployment_config=deployment.config(self),
            alarms=[*self.alarms.values(), *deployment.alarms],
            ignore_alarm_configuration=deployment.ignore_alarms,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
            ),
            pre_hook=_hook_function(self.pre_traffic_hook),
            post_hook=_hook_function(self.post_traffic_hook),
        )
        for hook in (self.pre_traffic_hook, self.post_traffic_hook):
            if hook is not None:
                arn = findings.token_text(Stack.of(self), hook.function.function_arn)
                findings.acknowledge(
                    self.deployment_group, f"AwsSolutions-IAM5[Resource::{arn}:*]",
                    "aws-cdk-lib's grant for CodeDeploy to invoke the hook: the function and its versions.",
                )
        findings.acknowledge(
            self.deployment_group,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]",
            "CodeDeploy's own limited policy for Lambda deployments: it may update this alias and invoke "
            "hooks, nothing else; aws-cdk-lib attaches it to the deployment group's service role.",
        )

    def _hook(
        self, construct_id: str, hook: Hook, packaged_handler: str, target: "ServerlessFunction",
        environment: dict[str, str], timeout: Duration,
    ) -> Optional["ServerlessFunction"]:
        from .function import ServerlessFunction  # the function module imports this one

        if hook is None or hook is False:
            return None
        if isinstance(hook, ServerlessFunction):
            return hook  # one the user built
        entry, handler = (HOOKS_ENTRY, packaged_handler) if hook is True else (Path(hook), "handler.handler")
        function = ServerlessFunction(
            self, construct_id, entry=entry, handler=handler, environment=environment,
            architecture=target.function.architecture, timeout=timeout, retry_attempts=0,
            create_alarms=False, description=f"CodeDeploy hook of {target.node.path}",
        )
        findings.acknowledge_hook(function.function)
        return function

    def _allow_reading_metrics(self, hook: "ServerlessFunction") -> None:
        policy = iam.Policy(
            self, "ReadAliasMetrics", roles=[as_interface(iam.IRole, hook.role)],
            statements=[iam.PolicyStatement(actions=["cloudwatch:GetMetricStatistics"], resources=["*"])],
        )
        findings.acknowledge(
            policy, "AwsSolutions-IAM5[Resource::*]",
            "cloudwatch:GetMetricStatistics supports no resource-level permissions.",
        )


def _hook_function(hook: Optional["ServerlessFunction"]) -> Optional[lambda_.IFunction]:
    return as_interface(lambda_.IFunction, hook.function) if hook is not None else None
