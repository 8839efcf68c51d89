"""Rules of Step Functions state machines that only a deployment, or an execution, reveals."""

from __future__ import annotations

from typing import Any, Iterator

from ..core.templates import as_list, dig, joined_parts, mapping, ref_of
from .model import BYPASSES, FAILS_DEPLOY, App, Hit, Rule, Stack
from .policies import allows, role_fully_known, role_statements

# What Step Functions' role needs to deliver logs (Step Functions developer guide, cw-logs.html); CreateStateMachine
# and UpdateStateMachine refuse a logging configuration whose role lacks them.
LOG_DELIVERY_ACTIONS = ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                        "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                        "logs:DescribeResourcePolicies", "logs:DescribeLogGroups")


def _definition_values(props: dict[str, Any]) -> list[Any]:
    """The definition's parts that may refer to resources: its string (joined) and its substitutions."""
    return [props.get("DefinitionString"), props.get("Definition"),
            *dict(props.get("DefinitionSubstitutions") or {}).values()]


def _unqualified_functions(value: Any) -> Iterator[str]:
    """Functions a definition value names by their unqualified ARN or name (a Ref or GetAtt not followed by ':')."""
    parts = joined_parts(value)
    if parts:
        for index, part in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else ""
            if ref_of(part) and not (isinstance(following, str) and following.startswith(":")):
                yield str(ref_of(part))
        return
    own = ref_of(value)
    found = mapping(value)
    if own:
        yield own
    elif found is not None:
        for item in found.values():
            yield from _unqualified_functions(item)
    else:
        for item in as_list(value) if isinstance(value, list) else []:
            yield from _unqualified_functions(item)


def _safely_deployed(stack: Stack, function: str) -> list[str]:
    """Aliases of `function` whose traffic CodeDeploy shifts."""
    return [logical_id for logical_id, alias in stack.of_type("AWS::Lambda::Alias")
            if ref_of(dig(alias, "Properties", "FunctionName")) == function
            and dig(alias, "UpdatePolicy", "CodeDeployLambdaAliasUpdate") is not None]


def latest_beside_alias(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::StepFunctions::StateMachine"):
        props = resource.get("Properties", {})
        named = {f for value in _definition_values(props) for f in _unqualified_functions(value)}
        for function in sorted(named):
            if stack.type_of(function) != "AWS::Lambda::Function":
                continue
            for alias in _safely_deployed(stack, function):
                yield Hit(stack, logical_id, f"invokes {function} unqualified ($LATEST), whose alias {alias} CodeDeploy "
                                             "shifts: executions run code the deployment has not shifted to, "
                                             "and its alarms never see them")


def log_delivery_permissions(app: App) -> Iterator[Hit]:
    for stack, logical_id, resource in app.of_type("AWS::StepFunctions::StateMachine"):
        props = resource.get("Properties", {})
        level = dig(props, "LoggingConfiguration", "Level", default="OFF")
        role = ref_of(props.get("RoleArn"))
        if level == "OFF" or role is None or stack.type_of(role) != "AWS::IAM::Role" or \
                not role_fully_known(stack, role):
            continue
        granted = role_statements(stack, role)
        missing = [action for action in LOG_DELIVERY_ACTIONS
                   if not any(allows(s, action) and "*" in as_list(s.get("Resource")) for s in granted)]
        if missing:
            yield Hit(stack, logical_id, f"logs at level {level}, but its role {role} may not {', '.join(missing)} "
                                         "on '*'")


def rules() -> list[Rule]:
    guide = "https://docs.aws.amazon.com/step-functions/latest/dg/"
    return [
        Rule("DR-SFN-LATEST-ALIAS", BYPASSES,
             "A state machine that invokes a function's unqualified ARN runs $LATEST, not the alias whose traffic "
             "CodeDeploy shifts: its executions skip the canary and the rollback alarms.",
             "https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html",
             "Invoke the alias (LambdaInvoke(lambda_function=alias), or constructs_lib's FunctionStep).",
             latest_beside_alias),
        Rule("DR-SFN-LOG-DELIVERY", FAILS_DEPLOY,
             "A state machine that logs to CloudWatch Logs needs a role that may manage log deliveries "
             "(logs:CreateLogDelivery and the rest, on '*'): Step Functions refuses the logging configuration "
             "otherwise.",
             guide + "cw-logs.html",
             "Let the role do the log delivery actions on '*' (aws-cdk-lib's StateMachine does for a role it may "
             "change).", log_delivery_permissions),
    ]
