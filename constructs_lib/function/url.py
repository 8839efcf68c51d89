"""A function's URL: on the alias when there is one, with the permissions each caller needs (Lambda developer
guide, "Control access to Lambda function URLs")."""

from __future__ import annotations

from typing import Any, Literal, Optional, Sequence

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from ..core import findings
from ..core.validation import Checks

UrlAuth = Literal["AWS_IAM", "NONE"]
URL_AUTH_TYPES: dict[UrlAuth, lambda_.FunctionUrlAuthType] = {
    "AWS_IAM": lambda_.FunctionUrlAuthType.AWS_IAM, "NONE": lambda_.FunctionUrlAuthType.NONE,
}


def check_url(
    checks: Checks, auth: Optional[UrlAuth], allow_public: bool, cors: Optional[Any],
    invokers: Sequence[iam.IPrincipal],
) -> None:
    """A URL's auth type is AWS_IAM or, opted in, NONE; CORS only with a URL, invokers only with AWS_IAM. An
    unknown auth type gets its message alone (what else applies depends on it)."""
    if auth is None:
        checks.require(cors is None, "function_url_cors", "given", "needs function_url_auth")
    elif not checks.one_of("function_url_auth", auth, tuple(URL_AUTH_TYPES)):
        return
    elif auth == "NONE":
        checks.require(
            allow_public, "function_url_auth", auth,
            "makes the function callable by anyone on the internet: pass "
            "allow_public_function_url=True to confirm, or use 'AWS_IAM'",
        )
    checks.require(
        not invokers or auth == "AWS_IAM", "function_url_invokers", f"{len(invokers)} principals",
        "need function_url_auth='AWS_IAM'",
    )


def add_url(
    target: lambda_.IFunction, auth: UrlAuth, cors: Optional[lambda_.FunctionUrlCorsOptions],
    invokers: Sequence[iam.IPrincipal],
) -> lambda_.FunctionUrl:
    """The URL on the alias when there is one. Since October 2025 a URL needs lambda:InvokeFunctionUrl
    and lambda:InvokeFunction (through the URL only) for each caller: granted here for each invoker,
    and by aws-cdk-lib for the public (NONE)."""
    auth_type = URL_AUTH_TYPES[auth]
    url = target.add_function_url(auth_type=auth_type, cors=cors)
    for index, principal in enumerate(invokers):
        target.add_permission(
            f"UrlInvoker{index}", principal=principal, action="lambda:InvokeFunctionUrl",
            function_url_auth_type=lambda_.FunctionUrlAuthType.AWS_IAM,
        )
        target.add_permission(
            f"UrlInvoker{index}Invoke", principal=principal, action="lambda:InvokeFunction",
            invoked_via_function_url=True,
        )
    if auth_type == lambda_.FunctionUrlAuthType.NONE:
        public = ("A public function URL, asked for with function_url_auth='NONE' and "
                  "allow_public_function_url=True: anyone on the internet may call it.")
        findings.skip(url, public, checkov=["CKV_AWS_258"], guard=["lambda_function_url_auth_check"])
        for permission in _permissions_of(target):
            findings.skip(permission, public, guard=["lambda_function_public_access_prohibited_check"])
    return url


def _permissions_of(target: lambda_.IFunction) -> list[lambda_.CfnPermission]:
    return [child for child in target.node.children if isinstance(child, lambda_.CfnPermission)]
