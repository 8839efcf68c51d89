"""What CloudFront checks when it associates a Lambda function with a distribution (Lambda@Edge)."""

from __future__ import annotations

from typing import Iterator, Optional

from ..core.templates import Props, as_list, dig, joined_parts, refs
from .model import FAILS_DEPLOY, App, Hit, Rule, Stack, number
from .policies import function_role
from .targets import lambda_target

EDGE_REGION = "us-east-1"
# CloudFront quotas on Lambda@Edge: (seconds, MB) for viewer and origin triggers.
LIMITS = {"viewer": (5, 128), "origin": (30, 10240)}
LAMBDA_DEFAULT_TIMEOUT, LAMBDA_DEFAULT_MEMORY = 3, 128


def associations(app: App) -> Iterator[tuple[Stack, str, str, object]]:
    """(stack, distribution, event type, function ARN value) of every Lambda@Edge association."""
    for stack, logical_id, resource in app.of_type("AWS::CloudFront::Distribution"):
        config = dig(resource, "Properties", "DistributionConfig")
        behaviors = [dig(config, "DefaultCacheBehavior"), *as_list(dig(config, "CacheBehaviors"))]
        for behavior in behaviors:
            for association in as_list(dig(behavior, "LambdaFunctionAssociations")):
                yield (stack, logical_id, str(dig(association, "EventType", default="")),
                       dig(association, "LambdaFunctionARN"))


def _function_of(stack: Stack, arn: object) -> tuple[Optional[str], Optional[str]]:
    """(function logical id, what the ARN names: "version", "alias", "$LATEST" or None when unknown)."""
    target = lambda_target(stack, arn)
    if target is None:
        return _latest_arn(stack, arn)
    if target.qualifier is None:
        return target.function, "$LATEST"
    return target.function, "version" if target.qualifier.startswith("version:") else "alias"


def _latest_arn(stack: Stack, arn: object) -> tuple[Optional[str], Optional[str]]:
    """A "<function ARN>:$LATEST" string or Fn::Join (aws-cdk-lib's Function.latest_version)."""
    if isinstance(arn, str):
        return None, "$LATEST" if arn.endswith(":$LATEST") else None
    parts = joined_parts(arn)
    if parts and isinstance(parts[-1], str) and parts[-1].endswith(":$LATEST"):
        functions = [f for f in refs(parts) if stack.type_of(f) == "AWS::Lambda::Function"]
        return (functions[0] if len(functions) == 1 else None), "$LATEST"
    return None, None


def numbered_versions(app: App) -> Iterator[Hit]:
    for stack, distribution, event, arn in associations(app):
        function, named = _function_of(stack, arn)
        if named in ("$LATEST", "alias"):
            what = "an alias" if named == "alias" else "$LATEST"
            of = f" of {function}" if function else ""
            yield Hit(stack, distribution, f"its {event} association names {what}{of}, not a numbered version")


def in_us_east_1(app: App) -> Iterator[Hit]:
    for stack, distribution, event, arn in associations(app):
        function, _ = _function_of(stack, arn)
        if function and stack.region and stack.region != EDGE_REGION:
            yield Hit(stack, function, f"is in {stack.region}; {distribution}'s {event} association needs it in "
                                       f"{EDGE_REGION}")


def supported_features(app: App) -> Iterator[Hit]:
    for stack, _, event, arn in associations(app):
        function, _ = _function_of(stack, arn)
        if function is None:
            continue
        for problem in _unsupported(stack.props(function)):
            yield Hit(stack, function, f"is a {event} handler with {problem}")


def _unsupported(props: Props) -> Iterator[str]:
    runtime = props.get("Runtime")
    if isinstance(runtime, str) and not runtime.startswith(("nodejs", "python")):
        yield f"the {runtime} runtime (Lambda@Edge runs Node.js and Python)"
    if dig(props, "Environment", "Variables"):
        yield "environment variables"
    if props.get("Layers"):
        yield "layers"
    if "arm64" in as_list(props.get("Architectures")):
        yield "the arm64 architecture"
    if dig(props, "VpcConfig", "SubnetIds"):
        yield "a VPC configuration"
    if dig(props, "DeadLetterConfig", "TargetArn"):
        yield "a dead-letter queue"
    if dig(props, "TracingConfig", "Mode") == "Active":
        yield "X-Ray active tracing"
    if props.get("PackageType") == "Image":
        yield "a container image"
    if (number(dig(props, "EphemeralStorage", "Size"), 512) or 512) > 512:
        yield "more than 512 MB of ephemeral storage"
    if dig(props, "RuntimeManagementConfig", "UpdateRuntimeOn", default="Auto") != "Auto":
        yield "a runtime management configuration other than Auto"
    if dig(props, "Code", "SourceKMSKeyArn"):
        yield "a customer managed key for its deployment package"


def trigger_limits(app: App) -> Iterator[Hit]:
    for stack, _, event, arn in associations(app):
        function, _ = _function_of(stack, arn)
        if function is None:
            continue
        kind = "viewer" if event.startswith("viewer") else "origin"
        max_seconds, max_mb = LIMITS[kind]
        props = stack.props(function)
        timeout = number(props.get("Timeout"), LAMBDA_DEFAULT_TIMEOUT)
        memory = number(props.get("MemorySize"), LAMBDA_DEFAULT_MEMORY)
        if timeout is not None and timeout > max_seconds:
            yield Hit(stack, function, f"times out after {timeout:g} s; a {event} handler may take {max_seconds} s")
        if memory is not None and memory > max_mb:
            yield Hit(stack, function, f"has {memory:g} MB; a {event} handler may have {max_mb} MB")


def edge_trust(app: App) -> Iterator[Hit]:
    for stack, _, event, arn in associations(app):
        function, _ = _function_of(stack, arn)
        role = function_role(stack, function) if function else None
        if role is None:
            continue
        trusted = [p for s in as_list(dig(stack.props(role), "AssumeRolePolicyDocument", "Statement"))
                   for p in as_list(dig(s, "Principal", "Service"))]
        if "edgelambda.amazonaws.com" not in trusted:
            yield Hit(stack, role, f"is the role of {event} handler {function} but does not trust "
                                   "edgelambda.amazonaws.com")


def rules() -> list[Rule]:
    guide = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
    restrictions = guide + "lambda-at-edge-function-restrictions.html"
    return [
        Rule("DR-EDGE-VERSION", FAILS_DEPLOY,
             "CloudFront associates a numbered version of a Lambda function, never $LATEST or an alias.",
             restrictions, "Associate function.current_version (aws-cdk-lib's EdgeFunction does).", numbered_versions),
        Rule("DR-EDGE-REGION", FAILS_DEPLOY,
             "A Lambda@Edge function must be in us-east-1.", restrictions,
             "Create it with aws-cdk-lib's EdgeFunction, which puts it in a us-east-1 stack.", in_us_east_1),
        Rule("DR-EDGE-FEATURES", FAILS_DEPLOY,
             "Lambda@Edge refuses functions with environment variables, layers, arm64, a VPC, a dead-letter "
             "queue, X-Ray, a container image, more than 512 MB of /tmp, pinned runtime updates, a customer "
             "managed key for the package, or a runtime other than Node.js and Python.",
             restrictions, "Drop the feature: bake configuration into the bundle, use x86_64.", supported_features),
        Rule("DR-EDGE-LIMITS", FAILS_DEPLOY,
             "Viewer triggers allow 5 s and 128 MB, origin triggers 30 s and 10,240 MB.",
             guide + "cloudfront-limits.html#limits-lambda-at-edge",
             "Lower the timeout or memory, or move the work to an origin trigger.", trigger_limits),
        Rule("DR-EDGE-TRUST", FAILS_DEPLOY,
             "A Lambda@Edge function's role must let edgelambda.amazonaws.com assume it.",
             guide + "lambda-edge-permissions.html",
             "Add edgelambda.amazonaws.com to the role's trust policy (EdgeFunction does).", edge_trust),
    ]
