"""What the services that invoke functions through their resource policy check: Cognito user pool triggers,
CloudWatch Logs subscription filters, and Firehose's Lambda transformation."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterator, Optional

from ..core.templates import Props, as_list, dig, joined_parts, mapping, ref_of, refs
from .model import DENIES_AT_RUN_TIME, FAILS_AT_RUN_TIME, FAILS_DEPLOY, LOOPS, App, Hit, Rule, Stack, number
from .policies import allows, is_service, role_fully_known, role_statements, statements
from .targets import Target, lambda_target, show_target

COGNITO = "cognito-idp.amazonaws.com"
LOGS = "logs.amazonaws.com"
FILTERS_PER_LOG_GROUP = 2
FIREHOSE_WAIT_SECONDS = 300
INVOKE_ACTIONS = ("lambda:InvokeFunction", "lambda:*")


def _invoke_permissions(stack: Stack, target: Target, service: str) -> Iterator[tuple[str, Props]]:
    """(logical id, properties) of each permission of the template letting `service` invoke `target`."""
    for logical_id, resource in stack.of_type("AWS::Lambda::Permission"):
        props = mapping(resource.get("Properties")) or {}
        principal = props.get("Principal")
        if props.get("Action") not in INVOKE_ACTIONS or (principal != "*" and not is_service(principal, service)):
            continue
        if lambda_target(stack, props.get("FunctionName")) == target:
            yield logical_id, props


def _allows_source(props: Props, source: str) -> bool:
    """Whether a permission's SourceArn lets `source` (a logical id) in: none, a reference to it, or a value the
    template cannot resolve (never guessed at)."""
    source_arn = props.get("SourceArn")
    if source_arn is None:
        return True
    named = refs(source_arn)
    return source in named or not named and not isinstance(source_arn, str)


# --- Cognito -------------------------------------------------------------------------------------------------


def _pool_triggers(stack: Stack, pool: str) -> Iterator[tuple[str, Any]]:
    """(trigger name, function ARN) of each trigger in a user pool's LambdaConfig."""
    for name, value in (mapping(stack.props(pool).get("LambdaConfig")) or {}).items():
        if name != "KMSKeyID":  # a version config ({LambdaArn, LambdaVersion}), or the ARN itself
            yield name, value["LambdaArn"] if isinstance(value, dict) and "LambdaArn" in value else value


def cognito_trigger_permissions(app: App) -> Iterator[Hit]:
    for stack, pool, _ in app.of_type("AWS::Cognito::UserPool"):
        for name, arn in _pool_triggers(stack, pool):
            target = lambda_target(stack, arn)
            if target is None:
                continue
            if not any(_allows_source(props, pool) for _, props in _invoke_permissions(stack, target, COGNITO)):
                yield Hit(stack, pool, f"its {name} trigger invokes {show_target(target)}, which has no "
                                       f"lambda:InvokeFunction permission for {COGNITO} from this user pool")


def _lets_iam_create_grants(statement: Props) -> bool:
    """An Allow of kms:CreateGrant to an AWS principal: the account (so that IAM policies, CloudFormation's role's
    among them, decide) or a role or user of it."""
    principal = statement.get("Principal")
    named = mapping(principal)
    return allows(statement, "kms:CreateGrant") and (principal == "*" or named is not None and "AWS" in named)


def cognito_sender_keys(app: App) -> Iterator[Hit]:
    for stack, pool, _ in app.of_type("AWS::Cognito::UserPool"):
        config = mapping(stack.props(pool).get("LambdaConfig")) or {}
        found = app.resource(stack, config.get("KMSKeyID"))
        if found is None or found[0].type_of(found[1]) != "AWS::KMS::Key":
            continue  # no custom sender key, or one the templates do not show
        owner, key = found
        if not any(map(_lets_iam_create_grants, statements(owner.props(key).get("KeyPolicy")))):
            yield Hit(stack, pool, f"its custom sender key {key} lets no principal of the account kms:CreateGrant: "
                                   "the grant made when the pool is created or updated is refused")


# --- CloudWatch Logs -----------------------------------------------------------------------------------------


def _log_group(app: App, stack: Stack, value: Any) -> Optional[tuple[str, str]]:
    """The log group a LogGroupName names, whatever stack or import names it: (stack path, logical id) for one of
    the app, ("name", the name) for a literal one; None when the templates cannot tell."""
    found = app.resource(stack, value)
    if found is not None:
        owner, logical_id = found
        name = owner.props(logical_id).get("LogGroupName") if owner.type_of(logical_id) == "AWS::Logs::LogGroup" \
            else None
        return ("name", name) if isinstance(name, str) else (owner.path, logical_id)
    return ("name", value) if isinstance(value, str) else None


def _filters(app: App) -> Iterator[tuple[Stack, str, Props]]:
    for stack, logical_id, resource in app.of_type("AWS::Logs::SubscriptionFilter"):
        yield stack, logical_id, mapping(resource.get("Properties")) or {}


def subscription_permissions(app: App) -> Iterator[Hit]:
    for stack, logical_id, props in _filters(app):
        target = lambda_target(stack, props.get("DestinationArn"))
        group = ref_of(props.get("LogGroupName"))
        if target is None:
            continue
        allowed = [permission for permission, granted in _invoke_permissions(stack, target, LOGS)
                   if group is None or _allows_source(granted, group)]
        if not allowed:
            yield Hit(stack, logical_id, f"delivers to {show_target(target)}, which has no lambda:InvokeFunction "
                                         f"permission for {LOGS} from this log group")
            continue
        waits_for = set(as_list(stack.resources[logical_id].get("DependsOn")))
        if not waits_for & set(allowed):
            yield Hit(stack, logical_id, f"may be created before {' or '.join(allowed)}, the permission that lets "
                                         f"{LOGS} invoke {show_target(target)}: it does not depend on it")


def subscription_limit(app: App) -> Iterator[Hit]:
    by_group: defaultdict[tuple[str, str], list[tuple[Stack, str]]] = defaultdict(list)
    for stack, logical_id, props in _filters(app):
        group = _log_group(app, stack, props.get("LogGroupName"))
        if group is not None:
            by_group[group].append((stack, logical_id))
    for group, filters in by_group.items():
        if len(filters) > FILTERS_PER_LOG_GROUP:
            names = ", ".join(logical_id for _, logical_id in filters)
            for stack, logical_id in filters:
                yield Hit(stack, logical_id, f"is one of {len(filters)} subscription filters ({names}) on the log "
                                             f"group {group[1]}")


def _writes_to(app: App, stack: Stack, function: str) -> Optional[tuple[str, str]]:
    """The log group a function of the template writes to: its LoggingConfig's, or /aws/lambda/<its name>."""
    props = stack.props(function)
    configured = dig(props, "LoggingConfig", "LogGroup")
    if configured is not None:
        return _log_group(app, stack, configured)
    name = props.get("FunctionName")
    return ("name", f"/aws/lambda/{name}") if isinstance(name, str) else None


def subscription_loops(app: App) -> Iterator[Hit]:
    delivers: defaultdict[tuple[str, str], list[tuple[Stack, str, Optional[tuple[str, str]]]]] = defaultdict(list)
    for stack, logical_id, props in _filters(app):
        group = _log_group(app, stack, props.get("LogGroupName"))
        target = lambda_target(stack, props.get("DestinationArn"))
        if group is not None and target is not None:
            delivers[group].append((stack, logical_id, _writes_to(app, stack, target.function)))
    for start, filters in delivers.items():
        for stack, logical_id, written in filters:
            seen, pending = {start}, [written]
            while pending:
                group = pending.pop()
                if group is None or group in seen and group != start:
                    continue
                if group == start:
                    yield Hit(stack, logical_id, f"delivers the log group {start[1]} to a function whose logs reach "
                                                 "it again: every event it logs invokes it anew")
                    break
                seen.add(group)
                pending.extend(written_next for _, _, written_next in delivers.get(group, []))


# --- Firehose --------------------------------------------------------------------------------------------------


def _processors(resource: Props) -> Iterator[tuple[Any, Any]]:
    """(LambdaArn, the role Firehose invokes it with) of each Lambda processor of every destination of a delivery
    stream: the processor's RoleArn parameter, else the destination's RoleARN."""
    for key, destination in (mapping(resource.get("Properties")) or {}).items():
        if not key.endswith("DestinationConfiguration"):
            continue
        for processor in as_list(dig(destination, "ProcessingConfiguration", "Processors")):
            if dig(processor, "Type") == "Lambda":
                parameters = {dig(p, "ParameterName"): dig(p, "ParameterValue")
                              for p in as_list(dig(processor, "Parameters"))}
                yield parameters.get("LambdaArn"), parameters.get("RoleArn", dig(destination, "RoleARN"))


def _covers(stack: Stack, resource: Any, arn: Any) -> bool:
    """Whether a policy's Resource matches the ARN Firehose invokes, qualifier included: the same reference, or
    `<function ARN>:*` for a qualified one; what the template cannot show (literals, imports) is given the benefit."""
    target = lambda_target(stack, arn)
    if resource == arn or target is None or isinstance(resource, str):
        return True
    if ref_of(resource) is not None:
        return lambda_target(stack, resource) == target
    parts = joined_parts(resource)
    for before, after in zip(parts, parts[1:]):
        named = lambda_target(stack, before)
        if named is not None and named.function == target.function and isinstance(after, str) \
                and after.startswith(":") and "*" in after:
            return True
    return not refs(resource)


def firehose_processor_roles(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::KinesisFirehose::DeliveryStream"):
        for arn, role_arn in _processors(resource):
            role, target = ref_of(role_arn), lambda_target(stack, arn)
            if target is None or role is None or stack.type_of(role) != "AWS::IAM::Role" \
                    or not role_fully_known(stack, role):
                continue
            granted = [r for s in role_statements(stack, role) if allows(s, "lambda:InvokeFunction")
                       for r in as_list(s.get("Resource"))]
            if not any(_covers(stack, r, arn) for r in granted):
                yield Hit(stack, logical_id, f"transforms with {show_target(target)}, which its role {role} may not "
                                             "invoke (lambda:InvokeFunction on that ARN, qualifier included)")


def firehose_processor_timeouts(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::KinesisFirehose::DeliveryStream"):
        for arn, _ in _processors(resource):
            target = lambda_target(stack, arn)
            timeout = number(stack.props(target.function).get("Timeout"), 3) if target else None
            if target is not None and timeout is not None and timeout > FIREHOSE_WAIT_SECONDS:
                yield Hit(stack, logical_id, f"transforms with {show_target(target)}, whose timeout is {timeout:g} s: "
                                             f"Firehose waits {FIREHOSE_WAIT_SECONDS} s for an invocation")


def rules() -> list[Rule]:
    return [
        Rule("DR-COGNITO-TRIGGER-PERMISSION", DENIES_AT_RUN_TIME,
             "A user pool invokes a trigger only when the function's resource policy lets cognito-idp.amazonaws.com "
             "invoke it from that pool: otherwise the user's request fails (for a pre sign-up trigger, \"PreSignUp "
             "invocation failed due to error AccessDeniedException\").",
             "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-"
             "triggers.html",
             "Add a lambda:InvokeFunction permission for cognito-idp.amazonaws.com with SourceArn the pool's ARN "
             "(UserPool.add_trigger adds it; so does constructs_lib's UserPoolTrigger).",
             cognito_trigger_permissions),
        Rule("DR-COGNITO-SENDER-KEY", FAILS_DEPLOY,
             "Whoever creates or updates a user pool with a custom sender key (CloudFormation, with its role) creates "
             "a one-time grant on that key, with which Cognito encrypts the codes it hands to the custom email and "
             "SMS sender triggers: a key policy that lets no principal of the account kms:CreateGrant (neither the "
             "account, which hands the decision to IAM policies, nor a role) makes the pool's create or update fail.",
             "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-email-sender.html",
             "Let the account (arn:aws:iam::<account>:root, as aws-cdk-lib's default key policy does) or the role "
             "that deploys the pool kms:CreateGrant in the key's policy.",
             cognito_sender_keys),
        Rule("DR-LOGS-SUBSCRIPTION-PERMISSION", FAILS_DEPLOY,
             "CloudWatch Logs checks, when it creates a subscription filter, that it may invoke the destination "
             "function: the function needs a lambda:InvokeFunction permission for logs.amazonaws.com from the log "
             "group, created before the filter.",
             "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html",
             "Add the permission (SourceArn the log group's ARN, SourceAccount the account) and make the filter "
             "depend on it (aws_logs_destinations.LambdaDestination does both).",
             subscription_permissions),
        Rule("DR-LOGS-SUBSCRIPTION-LIMIT", FAILS_DEPLOY,
             "A log group takes at most two subscription filters: CloudWatch Logs refuses a third "
             "(LimitExceededException).",
             "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html",
             "Subscribe one function (or a Kinesis or Firehose stream) that fans the events out, or merge filters "
             "into one pattern.",
             subscription_limit),
        Rule("DR-LOGS-SUBSCRIPTION-LOOP", LOOPS,
             "A function subscribed to the log group it writes to, directly or through other subscribed functions, "
             "is invoked again by every event it logs: a loop that runs, and is billed, until something stops it "
             "(Lambda's recursive loop detection does not cover CloudWatch Logs).",
             "https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html",
             "Subscribe the function to another log group, or let its log group be read by no subscriber that "
             "leads back to it.",
             subscription_loops),
        Rule("DR-FIREHOSE-PROCESSOR-TIMEOUT", FAILS_AT_RUN_TIME,
             "Firehose waits at most 5 minutes for its transformation function: with a longer timeout, an invocation "
             "still running fails, Firehose retries the batch and then writes it to processing-failed/.",
             "https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html",
             "Give the function a timeout of at most 5 minutes (300 s), and smaller buffering hints if it needs more.",
             firehose_processor_timeouts),
        Rule("DR-FIREHOSE-PROCESSOR-ROLE", FAILS_AT_RUN_TIME,
             "Firehose invokes its transformation function with the processor's role (RoleArn, else the "
             "destination's role): a role that may not lambda:InvokeFunction the processor's exact ARN, its alias or "
             "version qualifier included, is refused every invocation, and every record goes to processing-failed/.",
             "https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3",
             "Grant the role lambda:InvokeFunction (and lambda:GetFunctionConfiguration) on the ARN the processor "
             "names, e.g. function.grant_invoke(role), which also covers its qualified ARNs.",
             firehose_processor_roles),
    ]

