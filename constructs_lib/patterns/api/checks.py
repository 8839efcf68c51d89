"""ApiFunction's checks of its own options: the kinds of API and of authorization, throttling, custom domains,
and what the function may be."""

from __future__ import annotations

import re
from typing import Any, Literal, Mapping, Optional, get_args

from aws_cdk import Arn, ArnFormat, Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito

from ...core.validation import Checks, seconds_of
from ...function.option_types import NUMBER, check_types
from ...function.serverless_function import DEFAULT_TIMEOUT

ApiKind = Literal["http", "rest"]
ApiAuth = Literal["cognito", "iam", "none"]
API_KINDS: tuple[ApiKind, ...] = get_args(ApiKind)
AUTH_KINDS: tuple[ApiAuth, ...] = get_args(ApiAuth)
# How long API Gateway waits for the function: 30 s for HTTP APIs, 29 s by default for REST APIs.
INTEGRATION_TIMEOUT_SECONDS = {"http": 30, "rest": 29}
DEFAULT_RATE_LIMIT = 100  # requests per second, steady
DEFAULT_BURST_LIMIT = 200  # requests at once
HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def check_gateway(checks: Checks, api: ApiKind, auth: ApiAuth, allow_public_api: bool,
                  user_pool: Optional[cognito.IUserPool], feature_plan: cognito.FeaturePlan, self_sign_up: bool,
                  web_acl_arn: Optional[str], rate: float, burst: int, region: str, domain_name: Optional[str],
                  certificate: Optional[acm.ICertificate]) -> bool:
    """The API's options; whether api and auth are known (what else applies depends on them: an unknown one gets
    its message alone, no knock-on ones)."""
    known_auth = checks.one_of("auth", auth, AUTH_KINDS)
    if known_auth:
        check_auth(checks, auth, allow_public_api, user_pool, feature_plan, self_sign_up)
    known_api = checks.one_of("api", api, API_KINDS)
    if known_api:
        checks.require(web_acl_arn is None or api == "rest", "web_acl_arn", web_acl_arn,
                       "applies only to api='rest': AWS WAF cannot protect an HTTP API")
    check_throttle(checks, rate, burst)
    check_domain(checks, region, domain_name, certificate)
    return known_auth and known_api


def check_auth(checks: Checks, auth: ApiAuth, allow_public_api: bool, user_pool: Optional[cognito.IUserPool],
               feature_plan: cognito.FeaturePlan, self_sign_up: bool) -> None:
    """What a known auth allows: "none" only when confirmed; a user pool and its settings only for "cognito"."""
    checks.require(
        auth != "none" or allow_public_api, "auth", auth,
        "makes every route callable by anyone on the internet: pass allow_public_api=True to confirm, "
        "or use 'cognito' or 'iam'",
    )
    checks.require(not allow_public_api or auth == "none", "allow_public_api", True, "applies only to auth='none'")
    checks.require(user_pool is None or auth == "cognito", "user_pool", "given", "applies only to auth='cognito'")
    creates_pool = auth == "cognito" and user_pool is None
    only_created = "applies only to the user pool ApiFunction creates (auth='cognito' without user_pool=)"
    checks.require(creates_pool or feature_plan == cognito.FeaturePlan.ESSENTIALS, "feature_plan",
                   feature_plan.value, only_created)
    checks.require(creates_pool or not self_sign_up, "self_sign_up", True, only_created)


def check_throttle(checks: Checks, rate: float, burst: int) -> None:
    if not Token.is_unresolved(rate):
        checks.require(rate >= 0, "throttle_rate_limit", rate, "must be 0 or more requests per second")
    if not check_types(checks, {"throttle_burst_limit": burst}, {"throttle_burst_limit": NUMBER}) \
            and not Token.is_unresolved(burst):
        checks.require(burst >= 1, "throttle_burst_limit", burst, "must be 1 or more requests")


def check_domain(checks: Checks, region: str, domain_name: Optional[str],
                 certificate: Optional[acm.ICertificate]) -> None:
    checks.require((domain_name is None) == (certificate is None), "domain_name", domain_name,
                   "and certificate go together: a custom domain is served with an ACM certificate for it")
    if domain_name is not None and not Token.is_unresolved(domain_name):
        checks.require(bool(HOSTNAME.fullmatch(domain_name)), "domain_name", domain_name,
                       "must be a lower-case host name such as 'api.example.com'")
    arn = certificate.certificate_arn if certificate is not None else None
    if arn is None or Token.is_unresolved(arn) or Token.is_unresolved(region):
        return
    certificate_region = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region
    checks.require(
        certificate_region == region, "certificate", arn,
        f"is in {certificate_region}: a regional custom domain needs its certificate in the API's region ({region})",
    )


def check_function_timeout(checks: Checks, api: ApiKind, options: Mapping[str, Any]) -> None:
    limit = INTEGRATION_TIMEOUT_SECONDS.get(api)
    timeout = seconds_of(options.get("timeout", DEFAULT_TIMEOUT))
    kind = "an HTTP API" if api == "http" else "a REST API"
    if timeout is not None and limit is not None:
        checks.require(
            timeout <= limit, "timeout", options.get("timeout"),
            f"is longer than the {limit} s that {kind} waits for the function: callers would get 504 while it "
            f"still runs; use at most {limit} s",
        )
    checks.require(
        "function_url_auth" not in options, "function_url_auth", options.get("function_url_auth"),
        "would give the function a second, direct door that bypasses the API's authorization and throttling",
    )
