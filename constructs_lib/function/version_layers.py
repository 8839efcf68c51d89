"""Published versions that follow the function's layers, whatever the app's feature flags.

An alias on ``current_version`` serves the version CloudFormation published last, and CloudFormation publishes
one only when it creates or replaces the AWS::Lambda::Version. aws-cdk-lib names that resource after a hash of
the function's configuration, where a layer whose ARN CloudFormation resolves at deploy time is the same token
on every synth: Powertools' SSM parameter always, a layer version of the app unless the app sets
``@aws-cdk/aws-lambda:recognizeLayerVersion`` (aws-cdk#19098). A new layer would update $LATEST only; the alias,
its URL and triggers, and the SnapStart snapshot would keep the old one.

So the version's description names each such layer's name and version, as CloudFormation resolves them. A
version's description cannot be updated (AWS::Lambda::Version: "Update requires: Replacement"): a new layer
makes CloudFormation publish a new version from the $LATEST it has just updated with that layer.
"""

from __future__ import annotations

from typing import Optional, Sequence

from aws_cdk import Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ..core.templates import varies_between_deployments


def layers_resolved_at_deploy(scope: Construct, layers: Sequence[lambda_.ILayerVersion]) -> list[str]:
    """The ARNs of `layers` that may change from one deployment to the next (pinned ARNs are part of the hash)."""
    if not layers:
        return []
    stack = Stack.of(scope)
    return [layer.layer_version_arn for layer in layers
            if varies_between_deployments(stack.resolve(layer.layer_version_arn))]


def version_options(
    scope: Construct, layers: Sequence[lambda_.ILayerVersion], *, retain: bool = False,
) -> Optional[lambda_.VersionOptions]:
    """Options of ``current_version`` that make it follow `layers`, and keep it when a newer one replaces it with
    `retain` (a durable function's executions replay the version they started on); None when there is nothing to
    set (the version then stays as aws-cdk-lib makes it)."""
    arns = layers_resolved_at_deploy(scope, layers)
    if not arns and not retain:
        return None
    # "name:version" of each ARN keeps the description short (Lambda allows 256 characters).
    names = [Fn.select(1, Fn.split(":layer:", arn)) if Token.is_unresolved(arn) else arn for arn in arns]
    return lambda_.VersionOptions(
        description=Fn.join(" ", ["Layers:", *names]) if names else None,
        removal_policy=RemovalPolicy.RETAIN if retain else None,
    )
