"""Rules of AWS Lambda that only a deployment, or the first request, reveals."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterator, Optional

from ..core.templates import Props, as_list, dig, joined_parts, ref_of, refs
from .model import DENIES_AT_RUN_TIME, DROPS_SILENTLY, FAILS_DEPLOY, LOOPS, App, Hit, Rule, Stack, number
from .notifications import s3_notifications
from .policies import allows, function_role, role_statements
from .targets import Target, lambda_target, show_target

# Principals that invoke a function asynchronously through its resource policy.
ASYNC_PRINCIPALS = {"s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "iot.amazonaws.com",
                    "ses.amazonaws.com", "logs.amazonaws.com"}
UNRESERVED_MINIMUM = 100
DEFAULT_ACCOUNT_CONCURRENCY = 1000


def _permissions(app: App) -> Iterator[tuple[Stack, str, Props, Target]]:
    """(stack, logical id, properties, target) of every Lambda permission the template can place."""
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Permission"):
        props = resource.get("Properties", {})
        target = lambda_target(stack, props.get("FunctionName"))
        if target is not None:
            yield stack, logical_id, props, target


def url_permission_pairs(app: App) -> Iterator[Hit]:
    permissions: defaultdict[tuple[str, Target], list[Props]] = defaultdict(list)
    for stack, _, props, target in _permissions(app):
        permissions[(stack.path, target)].append(props)
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Url"):
        props = resource.get("Properties", {})
        target = lambda_target(stack, props.get("TargetFunctionArn"), props.get("Qualifier"))
        if target is None:
            continue
        granted = permissions[(stack.path, target)]
        url_callers = {_principal(p) for p in granted if p.get("Action") == "lambda:InvokeFunctionUrl"}
        if props.get("AuthType") == "NONE":
            url_callers.add("*")
        for caller in sorted(url_callers, key=str):
            if not any(_principal(p) == caller and p.get("Action") in ("lambda:InvokeFunction", "lambda:*")
                       and p.get("InvokedViaFunctionUrl") in (True, "true", None) for p in granted):
                yield Hit(stack, logical_id,
                          f"{caller} may call the URL of {show_target(target)} (lambda:InvokeFunctionUrl) but has "
                          "no lambda:InvokeFunction with InvokedViaFunctionUrl: true")
            if caller == "*" and not any(_principal(p) == "*" and p.get("Action") == "lambda:InvokeFunctionUrl"
                                         for p in granted):
                yield Hit(stack, logical_id, f"the public URL of {show_target(target)} has no "
                                             "lambda:InvokeFunctionUrl permission for '*'")


def _principal(props: Props) -> str:
    principal = props.get("Principal")
    return principal if isinstance(principal, str) else repr(principal)


def _async_triggers(app: App) -> Iterator[tuple[Stack, str, Target]]:
    """(stack, what, target) of each asynchronous invoker the template wires to a function."""
    for stack, logical_id, props, target in _permissions(app):
        if _principal(props) in ASYNC_PRINCIPALS:
            yield stack, logical_id, target
    for stack, logical_id, resource in app.of_type("AWS::SNS::Subscription"):
        props = resource.get("Properties", {})
        if props.get("Protocol") == "lambda":
            target = lambda_target(stack, props.get("Endpoint"))
            if target is not None:
                yield stack, logical_id, target
    for stack, logical_id, resource in app.of_type("AWS::Events::Rule"):
        for rule_target in as_list(dig(resource, "Properties", "Targets")):
            target = lambda_target(stack, dig(rule_target, "Arn"))
            if target is not None:
                yield stack, logical_id, target
    for notification in s3_notifications(app):
        if notification.kind == "lambda":
            target = lambda_target(notification.stack, notification.destination)
            if target is not None:
                yield notification.stack, notification.logical_id, target


def async_config_follows_triggers(app: App) -> Iterator[Hit]:
    configured: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    configs: dict[tuple[str, str], str] = {}
    for stack, logical_id, resource in app.of_type("AWS::Lambda::EventInvokeConfig"):
        props = resource.get("Properties", {})
        target = lambda_target(stack, props.get("FunctionName"), props.get("Qualifier"))
        if target is not None:
            key = (stack.path, target.function)
            configured[key].add(target.qualifier or "$LATEST")
            configs[key] = logical_id
    reported: set[tuple[tuple[str, str], str]] = set()
    for stack, trigger, target in _async_triggers(app):
        key = (stack.path, target.function)
        qualifier = target.qualifier or "$LATEST"
        if key in configured and qualifier not in configured[key] and (key, qualifier) not in reported:
            reported.add((key, qualifier))
            yield Hit(stack, configs[key],
                      f"{trigger} invokes {show_target(target)} asynchronously, but the asynchronous settings "
                      f"(retries, maximum age, destinations) are only on {sorted(configured[key])}: "
                      "invocations of that qualifier run with Lambda's defaults")


def unreserved_minimum(app: App, account_concurrency: int) -> Iterator[Hit]:
    """Adds up what the stacks of one account and region set aside (environment-agnostic stacks together)."""
    set_aside: defaultdict[tuple[Optional[str], Optional[str]], list[tuple[Stack, str, float]]] = defaultdict(list)
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Function"):
        reserved = number(dig(resource, "Properties", "ReservedConcurrentExecutions"))
        if reserved:
            set_aside[(stack.account, stack.region)].append((stack, logical_id, reserved))
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        props = resource.get("Properties", {})
        amount = number(dig(props, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions"))
        function = ref_of(props.get("FunctionName"))
        if amount and not number(stack.props(function).get("ReservedConcurrentExecutions")):
            set_aside[(stack.account, stack.region)].append((stack, logical_id, amount))  # from the unreserved pool
    most = account_concurrency - UNRESERVED_MINIMUM
    for amounts in set_aside.values():
        total = sum(amount for *_, amount in amounts)
        if total <= most:
            continue
        for stack, logical_id, amount in amounts:
            yield Hit(stack, logical_id,
                      f"sets {amount:g} aside; the app sets {total:g} aside in all, more than the {most:g} an account "
                      f"with a concurrency quota of {account_concurrency} may (Lambda keeps {UNRESERVED_MINIMUM} "
                      "unreserved)")


def provisioned_latest(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::Lambda::Alias"):
        props = resource.get("Properties", {})
        if props.get("FunctionVersion") == "$LATEST" and props.get("ProvisionedConcurrencyConfig"):
            yield Hit(stack, logical_id, "alias on $LATEST with provisioned concurrency")


def s3_write_loop(app: App) -> Iterator[Hit]:
    for notification in s3_notifications(app):
        stack = notification.stack
        target = lambda_target(stack, notification.destination) if notification.kind == "lambda" else None
        role = function_role(stack, target.function) if target else None
        if target is None or role is None:
            continue
        for statement in role_statements(stack, role):
            if not allows(statement, "s3:PutObject"):
                continue
            for resource in as_list(statement.get("Resource")):
                if _writes_under(resource, notification.bucket, notification.prefix):
                    yield Hit(stack, target.function,
                              f"writes to bucket {notification.bucket} (s3:PutObject on {_show(resource)}), whose "
                              f"notification {notification.logical_id} invokes it for keys '{notification.keys}'")
                    break


def _writes_under(resource: Any, bucket: str, prefix: str | None) -> bool:
    if resource == "*":
        return True
    if bucket not in refs(resource):
        return False
    key_pattern = "".join(p for p in joined_parts(resource) if isinstance(p, str)).lstrip("/")
    if not key_pattern:
        return False  # the bucket itself, not its objects
    written = key_pattern.split("*")[0]
    wanted = prefix or ""
    return written.startswith(wanted) or wanted.startswith(written)


def _show(resource: Any) -> str:
    return resource if isinstance(resource, str) else "an object ARN of that bucket"


def rules(account_concurrency: int = DEFAULT_ACCOUNT_CONCURRENCY) -> list[Rule]:
    guide = "https://docs.aws.amazon.com/lambda/latest/dg/"
    return [
        Rule("DR-LAMBDA-URL-PERMISSIONS", DENIES_AT_RUN_TIME,
             "A function URL created since October 2025 answers 403 unless each caller has both "
             "lambda:InvokeFunctionUrl and lambda:InvokeFunction (InvokedViaFunctionUrl) on it.",
             guide + "urls-auth.html",
             "Grant each caller both permissions (Function.grant_invoke_url does for AWS_IAM; a NONE URL needs "
             "both for '*').", url_permission_pairs),
        Rule("DR-LAMBDA-ASYNC-QUALIFIER", DROPS_SILENTLY,
             "Asynchronous settings (retries, maximum event age, destinations) belong to one qualifier: "
             "invocations of an alias use only the alias's own.",
             guide + "invocation-async-configuring.html",
             "Configure the alias that the triggers invoke (alias.configure_async_invoke or Alias(on_failure=...)).",
             async_config_follows_triggers),
        Rule("DR-LAMBDA-UNRESERVED-MINIMUM", FAILS_DEPLOY,
             "Reserved and provisioned concurrency may not leave an account with less than 100 unreserved "
             "concurrent executions.",
             guide + "configuration-concurrency.html",
             "Reserve less, or raise the account's concurrency quota first (Service Quotas); DeployRules("
             "account_concurrency=...) states the quota.",
             lambda app: unreserved_minimum(app, account_concurrency)),
        Rule("DR-LAMBDA-PROVISIONED-LATEST", FAILS_DEPLOY,
             "Provisioned concurrency needs a published version: an alias on $LATEST cannot have it.",
             guide + "provisioned-concurrency.html",
             "Point the alias at a version (function.current_version).", provisioned_latest),
        Rule("DR-LAMBDA-S3-LOOP", LOOPS,
             "A function that writes into the bucket whose notifications invoke it is invoked again by every "
             "object it writes: a loop that runs, and is billed, until something stops it.",
             "https://aws.amazon.com/blogs/compute/avoiding-recursive-invocation-with-amazon-s3-and-aws-lambda/",
             "Write to another bucket, or under a prefix the notification does not match.", s3_write_loop),
    ]
