"""SafeDeployment: what a `Deployment` builds under a function: alarms on the alias and the new version,
optional pre- and post-traffic hooks, and a CodeDeploy deployment group that rolls back on a failed
deployment or an alarm."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Optional

from aws_cdk import CfnResource, Duration, Fn, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..core import findings
from ..core.jsii_types import as_interface
from ..core.validation import seconds_of
from ..observability import alarms as alarm_kit
from .deployment import DeployableFunction, Deployment, Hook

HOOKS_ENTRY = Path(__file__).resolve().parents[1] / "handlers" / "deploy_hooks"
ALARM_PERIOD = Duration.minutes(1)
HOOK_MARGIN_SECONDS = 60
MAX_SMOKE_SECONDS = 900 - HOOK_MARGIN_SECONDS
# Makes a hook function: ServerlessFunction's own constructor, given by the function that deploys.
NewFunction = Callable[..., DeployableFunction]


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
        self, scope: Construct, construct_id: str, *, target: DeployableFunction, alias: lambda_.Alias,
        deployment: Deployment, new_function: NewFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self._new_function = new_function
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
             "TARGET_VERSION": version.version},
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
        if self.post_traffic_hook is not None and deployment.post_traffic_hook is True:
            # The packaged hook reads when its deployment began (GetDeployment authorizes on the deployment group).
            self.post_traffic_hook.role.add_to_policy(iam.PolicyStatement(
                actions=["codedeploy:GetDeployment"], resources=[self.deployment_group.deployment_group_arn],
            ))
        for packaged, hook in ((deployment.pre_traffic_hook, self.pre_traffic_hook),
                               (deployment.post_traffic_hook, self.post_traffic_hook)):
            if packaged is True and hook is not None:
                # Its environment names the new version: CloudFormation updates it before the alias's update
                # starts the deployment that invokes it.
                _resource(alias).add_resource_dependency(_resource(hook.function))
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
        self, construct_id: str, hook: Hook, packaged_handler: str, target: DeployableFunction,
        environment: dict[str, str], timeout: Duration,
    ) -> Optional[DeployableFunction]:
        if hook is None or hook is False:
            return None
        if not isinstance(hook, (bool, str, Path)):
            return hook  # one the user built
        entry, handler = (HOOKS_ENTRY, packaged_handler) if hook is True else (Path(hook), "handler.handler")
        function = self._new_function(
            self, construct_id, entry=entry, handler=handler, environment=environment,
            architecture=target.function.architecture, timeout=timeout, retry_attempts=0,
            create_alarms=False, description=f"CodeDeploy hook of {target.node.path}",
            no_failure_target=findings.HOOK_HAS_NO_EVENTS,
        )
        return function

    def _allow_reading_metrics(self, hook: DeployableFunction) -> None:
        policy = iam.Policy(
            self, "ReadAliasMetrics", roles=[as_interface(iam.IRole, hook.role)],
            statements=[iam.PolicyStatement(actions=["cloudwatch:GetMetricStatistics"], resources=["*"])],
        )
        findings.acknowledge(
            policy, "AwsSolutions-IAM5[Resource::*]",
            "cloudwatch:GetMetricStatistics supports no resource-level permissions.",
        )


def _resource(construct: Construct) -> CfnResource:
    resource = construct.node.default_child
    assert isinstance(resource, CfnResource)
    return resource


def _hook_function(hook: Optional[DeployableFunction]) -> Optional[lambda_.IFunction]:
    return as_interface(lambda_.IFunction, hook.function) if hook is not None else None
