"""A Cognito user pool and app client that a security reviewer would accept as they are, and its triggers."""

from __future__ import annotations

from typing import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from ...core import findings
from ...core.validation import Checks, seconds_of
from ...function.option_types import check_types
from ...function.serverless_function import ServerlessFunction
from ...function.tenancy import refuse_without_tenant_id
from ...resources import user_pool_triggers as triggers

MIN_PASSWORD_LENGTH = 12


def secure_user_pool(
    scope: Construct, construct_id: str, *, self_sign_up: bool, feature_plan: cognito.FeaturePlan
) -> cognito.UserPool:
    """Email sign-in; a strong password policy; MFA required, with an authenticator app (TOTP: no SMS to pay
    for or to intercept); a changed email is kept unverified until its owner confirms it; RETAIN and deletion
    protection (the pool holds the users). Threat protection blocks risky sign-ins on the Plus plan, the only
    one that offers it."""
    plus = feature_plan == cognito.FeaturePlan.PLUS
    pool = cognito.UserPool(
        scope,
        construct_id,
        feature_plan=feature_plan,
        self_sign_up_enabled=self_sign_up,
        sign_in_aliases=cognito.SignInAliases(email=True),
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        keep_original=cognito.KeepOriginalAttrs(email=True),
        account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
        password_policy=cognito.PasswordPolicy(
            min_length=MIN_PASSWORD_LENGTH, require_lowercase=True, require_uppercase=True, require_digits=True,
            require_symbols=True, temp_password_validity=Duration.days(3),
        ),
        mfa=cognito.Mfa.REQUIRED,
        mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
        standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION if plus else None,
        deletion_protection=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
    if not plus:
        findings.acknowledge(
            pool, "AwsSolutions-COG8",
            "Threat protection (blocking sign-ins from compromised credentials and risky contexts) needs the "
            "Plus feature plan, priced per monthly active user above Essentials: feature_plan=FeaturePlan.PLUS "
            "turns it on in full-function mode.",
        )
    return pool


def app_client(scope: Construct, construct_id: str, pool: cognito.IUserPool) -> cognito.UserPoolClient:
    """A public client (no secret: browsers and apps cannot keep one) that signs in with SRP only (the
    password never leaves the client), without OAuth flows, and that does not reveal which users exist."""
    return cognito.UserPoolClient(
        scope,
        construct_id,
        user_pool=pool,
        generate_secret=False,
        auth_flows=cognito.AuthFlow(user_srp=True),
        disable_o_auth=True,
        prevent_user_existence_errors=True,
        enable_token_revocation=True,
        access_token_validity=Duration.hours(1),
        id_token_validity=Duration.hours(1),
        refresh_token_validity=Duration.days(30),
    )


def check_pool_triggers(checks: Checks, creates_pool: bool, feature_plan: cognito.FeaturePlan,
                        functions: Mapping[str, ServerlessFunction]) -> None:
    """Triggers of the pool ApiFunction creates: what Cognito asks of each, and no sender trigger (the pool has no
    custom sender key to encrypt codes with)."""
    if functions and not creates_pool:
        checks.fail("user_pool_triggers", sorted(functions), "apply only to the user pool ApiFunction creates "
                    "(auth='cognito' without user_pool=): give your own pool its triggers with UserPoolTrigger")
        return
    for operation, function in functions.items():
        prop = f"user_pool_triggers[{operation!r}]"
        if check_types(checks, {prop: function}, {prop: ((ServerlessFunction,), "a ServerlessFunction")}):
            continue
        triggers.check_trigger(checks, prop, operation, seconds_of(function.function.timeout),
                               keeps_failed_events=function.failure_target is not None,
                               feature_plan=feature_plan.value)
        refuse_without_tenant_id(checks, function.tenancy, f"A Cognito user pool trigger ({prop})")
        checks.require(
            operation not in triggers.TRIGGERS or triggers.TRIGGERS[operation].synchronous, prop, operation,
            "needs a pool with a custom sender KMS key, which the pool ApiFunction creates has not: use "
            "UserPoolTrigger on a pool of your own (custom_sender_kms_key=)",
        )


def add_pool_triggers(checks: Checks, pool: cognito.UserPool,
                      functions: Mapping[str, ServerlessFunction]) -> dict[str, lambda_.CfnPermission]:
    """Each function invokes as its trigger of `pool`; the invoke permissions, by operation."""
    permissions: dict[str, lambda_.CfnPermission] = {}
    for operation, function in functions.items():
        permissions[operation] = triggers.attach(checks, pool, operation, function.invoke_target)
        triggers.refuse_cycle(function, f"user_pool_triggers[{operation!r}]", pool, function)
    return permissions

