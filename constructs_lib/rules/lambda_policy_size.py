"""DR-LAMBDA-POLICY-SIZE: Lambda keeps the resource-based policy of a function, an alias or a version under
20,480 bytes, and each AWS::Lambda::Permission adds one statement to it.

The rule writes the policy each qualifier would get the way Lambda writes it (AddPermission: one statement per
permission with its Sid, Effect, Principal, Action, Resource and a Condition made of AWS:SourceArn,
AWS:SourceAccount, aws:PrincipalOrgID, lambda:EventSourceToken, lambda:FunctionUrlAuthType and
lambda:InvokedViaFunctionUrl) and measures its bytes. What CloudFormation fills in at deploy time counts at the
longest it can be, so the estimate is an upper bound: the statement id CloudFormation generates at Lambda's
100-character maximum, a region and partition the stack does not name at the longest AWS has, an account id at
12 digits, a generated function name at 64 characters, a reference to another resource at the longest its kind
allows (below) and anything else at the longest the property allows.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any, Callable, Iterator, Optional

from aws_cdk.region_info import RegionInfo

from ..core.templates import Props, as_list, joined_parts, mapping, ref_of
from .model import FAILS_DEPLOY, App, Hit, Rule, Stack
from .targets import Target, lambda_target, show_target

LIMIT = 20480  # bytes: "Function resource-based policy: 20 KB" (Lambda quotas)
SID = 100  # AddPermission's StatementId is 1-100 characters; CloudFormation generates it
FUNCTION_NAME = 64
VERSION_DIGITS = 10
ACCOUNT = "0" * 12  # digits: an account principal reads as one
# The property limits of AWS::Lambda::Permission (CloudFormation's resource schema).
SOURCE_ARN, PRINCIPAL, SOURCE_ACCOUNT, ORG_ID, TOKEN, URL_AUTH, ACTION = 1024, 256, 12, 34, 256, 7, 256
PSEUDO_STACK_NAME, PSEUDO_STACK_ID = 128, 256
SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


def _longest(*values: str) -> str:
    return "x" * max(len(v) for v in values)


REGION = _longest(*(r.name for r in RegionInfo.regions))
PARTITION = _longest(*(r.partition or "" for r in RegionInfo.regions))
URL_SUFFIX = _longest(*(r.domain_suffix or "" for r in RegionInfo.regions))


def _partition(stack: Stack) -> str:
    return RegionInfo.get(stack.region).partition or PARTITION if stack.region else PARTITION


def _arn(stack: Stack, service: str, resource: str, regional: bool = True) -> str:
    region = (stack.region or REGION) if regional else ""
    account = (stack.account or ACCOUNT) if regional else ""
    return f"arn:{_partition(stack)}:{service}:{region}:{account}:{resource}"


# The longest value a reference to a resource of this kind can stand for, by (type, "Ref" or attribute): AWS's
# limits on the names and ids in it. Any other reference counts at the longest the property allows.
REFERENCES: dict[tuple[str, str], Callable[[Stack], str]] = {
    ("AWS::ApiGateway::RestApi", "Ref"): lambda s: "x" * 10,  # API Gateway ids are 10 characters
    ("AWS::ApiGateway::RestApi", "RootResourceId"): lambda s: "x" * 10,
    ("AWS::ApiGateway::Stage", "Ref"): lambda s: "x" * 128,  # a stage name, unless the template names it
    ("AWS::ApiGatewayV2::Api", "Ref"): lambda s: "x" * 10,
    ("AWS::ApiGatewayV2::Api", "ApiId"): lambda s: "x" * 10,
    ("AWS::Lambda::Function", "Ref"): lambda s: "x" * FUNCTION_NAME,
    ("AWS::Lambda::Function", "Arn"): lambda s: _arn(s, "lambda", "function:" + "x" * FUNCTION_NAME),
    ("AWS::S3::Bucket", "Ref"): lambda s: "x" * 63,
    ("AWS::S3::Bucket", "Arn"): lambda s: _arn(s, "s3", "x" * 63, regional=False),
    ("AWS::SNS::Topic", "Ref"): lambda s: _arn(s, "sns", "x" * 256),
    ("AWS::SNS::Topic", "TopicArn"): lambda s: _arn(s, "sns", "x" * 256),
    ("AWS::Events::Rule", "Arn"): lambda s: _arn(s, "events", "rule/" + "x" * 256 + "/" + "x" * 64),
    ("AWS::Logs::LogGroup", "Arn"): lambda s: _arn(s, "logs", "log-group:" + "x" * 512 + ":*"),
    ("AWS::Cognito::UserPool", "Arn"): lambda s: _arn(s, "cognito-idp", "userpool/" + "x" * 55),
    ("AWS::CloudWatch::Alarm", "Arn"): lambda s: _arn(s, "cloudwatch", "alarm:" + "x" * 255),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Ref"):
        lambda s: _arn(s, "elasticloadbalancing", "targetgroup/" + "x" * 32 + "/" + "x" * 16),
    ("AWS::IoT::TopicRule", "Arn"): lambda s: _arn(s, "iot", "rule/" + "x" * 128),
}


# The property holding the name a Ref returns, when the template gives it.
NAMES = {"AWS::ApiGateway::Stage": "StageName", "AWS::Lambda::Function": "FunctionName", "AWS::S3::Bucket": "BucketName"}


def _pseudo(stack: Stack, name: str) -> Optional[str]:
    return {
        "AWS::AccountId": stack.account or ACCOUNT, "AWS::Region": stack.region or REGION,
        "AWS::Partition": _partition(stack), "AWS::NoValue": "",
        "AWS::URLSuffix": RegionInfo.get(stack.region).domain_suffix or URL_SUFFIX if stack.region else URL_SUFFIX,
        "AWS::StackName": "x" * PSEUDO_STACK_NAME, "AWS::StackId": "x" * PSEUDO_STACK_ID,
    }.get(name)


def _reference(stack: Stack, logical_id: str, attribute: str) -> Optional[str]:
    pseudo = _pseudo(stack, logical_id) if attribute == "Ref" else None
    if pseudo is not None:
        return pseudo
    parameter = mapping(stack.template.get("Parameters", {}).get(logical_id))
    if parameter is not None:
        allowed = [str(v) for v in as_list(parameter.get("AllowedValues"))]
        return _longest(*allowed) if allowed else ("x" * int(parameter["MaxLength"]) if "MaxLength" in parameter
                                                  else None)
    kind = stack.type_of(logical_id) or ""
    name = stack.props(logical_id).get(NAMES.get(kind, ""))
    if attribute == "Ref" and isinstance(name, str):
        return name
    longest = REFERENCES.get((kind, attribute))
    return longest(stack) if longest else None


def _text(stack: Stack, value: Any) -> Optional[str]:
    """The longest text `value` can stand for once deployed, None when the template does not bound it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    function = mapping(value)
    if function is None or len(function) != 1:
        return None
    (name, argument), = function.items()
    if name == "Ref" and isinstance(argument, str):
        return _reference(stack, argument, "Ref")
    if name == "Fn::GetAtt":
        logical_id, _, attribute = (".".join(map(str, as_list(argument)))).partition(".")
        return _reference(stack, logical_id, attribute)
    if name == "Fn::Join":
        parts = [_text(stack, part) for part in joined_parts(value)]
        separator = as_list(argument)[0]
        return None if None in parts or not isinstance(separator, str) else separator.join(map(str, parts))
    if name == "Fn::If" and len(as_list(argument)) == 3:
        branches = [_text(stack, branch) for branch in as_list(argument)[1:]]
        return None if None in branches else max((str(b) for b in branches), key=len)
    if name == "Fn::Sub":
        return _substituted(stack, argument)
    return None


def _substituted(stack: Stack, argument: Any) -> Optional[str]:
    template, variables = (as_list(argument) + [None])[:2]
    if not isinstance(template, str):
        return None
    known: dict[str, Optional[str]] = {k: _text(stack, v) for k, v in (mapping(variables) or {}).items()}
    for name in SUB_VARIABLE.findall(template):
        if name not in known:
            logical_id, _, attribute = name.partition(".")
            known[name] = _reference(stack, logical_id, attribute or "Ref")
    if any(known.get(name) is None for name in SUB_VARIABLE.findall(template)):
        return None
    return SUB_VARIABLE.sub(lambda match: str(known[match.group(1)]), template)


def _bounded(stack: Stack, value: Any, most: int) -> str:
    text = _text(stack, value)
    return "x" * most if text is None else text[:most]


def _principal(stack: Stack, value: Any) -> Any:
    """As AddPermission writes it: '*', an account as its root user's ARN, an ARN, or a service."""
    text = _bounded(stack, value, PRINCIPAL)
    if text == "*":
        return "*"
    if re.fullmatch(r"\d{12}", text):
        return {"AWS": f"arn:{_partition(stack)}:iam::{text}:root"}
    return {"AWS": text} if text.startswith("arn:") else {"Service": text}


def _resource(stack: Stack, target: Target) -> str:
    name = stack.props(target.function).get("FunctionName")
    name = name if isinstance(name, str) else "x" * FUNCTION_NAME
    qualifier = target.qualifier or ""
    if qualifier.startswith("version:"):
        qualifier = "9" * VERSION_DIGITS
    return _arn(stack, "lambda", f"function:{name}" + (f":{qualifier}" if qualifier else ""))


def statement(stack: Stack, props: Props, target: Target) -> Props:
    """The statement AddPermission adds for one AWS::Lambda::Permission, each unknown value at its longest."""
    condition: Props = {}
    string_equals = {key: _bounded(stack, props[prop], most) for prop, key, most in (
        ("SourceAccount", "AWS:SourceAccount", SOURCE_ACCOUNT), ("PrincipalOrgID", "aws:PrincipalOrgID", ORG_ID),
        ("EventSourceToken", "lambda:EventSourceToken", TOKEN),
        ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType", URL_AUTH)) if prop in props}
    if string_equals:
        condition["StringEquals"] = string_equals
    if "SourceArn" in props:
        condition["ArnLike"] = {"AWS:SourceArn": _bounded(stack, props["SourceArn"], SOURCE_ARN)}
    if props.get("InvokedViaFunctionUrl") in (True, "true"):
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    written: Props = {"Sid": "x" * SID, "Effect": "Allow", "Principal": _principal(stack, props.get("Principal")),
                      "Action": _bounded(stack, props.get("Action"), ACTION), "Resource": _resource(stack, target)}
    return {**written, "Condition": condition} if condition else written


def policy_bytes(statements: list[Props]) -> int:
    policy = {"Version": "2012-10-17", "Id": "default", "Statement": statements}
    return len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False).encode())


def policies(app: App) -> Iterator[tuple[Stack, str, Target, list[Props]]]:
    """(stack, the resource the policy belongs to, its qualifier, its statements) for every function, alias and
    version of the app that permissions target."""
    found: defaultdict[tuple[str, Target], list[Props]] = defaultdict(list)
    holders: dict[tuple[str, Target], tuple[Stack, str]] = {}
    for stack, _, resource in app.of_type("AWS::Lambda::Permission"):
        props = mapping(resource.get("Properties")) or {}
        target = lambda_target(stack, props.get("FunctionName"))
        if target is None:
            continue  # a function the template does not hold: never guessed at
        found[(stack.path, target)].append(statement(stack, props, target))
        holders.setdefault((stack.path, target), (stack, ref_of(props.get("FunctionName")) or target.function))
    for key, statements in found.items():
        stack, holder = holders[key]
        yield stack, holder, key[1], statements


def oversized_policies(app: App) -> Iterator[Hit]:
    for stack, holder, target, statements in policies(app):
        size = policy_bytes(statements)
        if size > LIMIT:
            yield Hit(stack, holder,
                      f"{len(statements)} permissions give {show_target(target)} a resource-based policy of up to "
                      f"{size:,} bytes, over Lambda's {LIMIT:,} (an upper estimate: each statement as Lambda writes "
                      "it, with what CloudFormation fills in at deploy time, such as the statement id, ARNs, "
                      "region, account and generated names, each at the longest it can be)")


def rules() -> list[Rule]:
    return [
        Rule("DR-LAMBDA-POLICY-SIZE", FAILS_DEPLOY,
             "A function's, an alias's or a version's resource-based policy holds at most 20,480 bytes, and each "
             "AWS::Lambda::Permission adds a statement to it: past that, Lambda refuses the permission "
             "(PolicyLengthExceededException).",
             "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
             "Grant once per invoker rather than once per route or resource: scope_permission_to_route=False on "
             "HttpLambdaIntegration, scope_permission_to_method=False on LambdaIntegration, or one permission "
             "whose SourceArn has wildcards.", oversized_policies),
    ]
