"""Cognito user pool triggers: how Cognito invokes each one, what it asks of the function and the pool, and a
function wired to a pool with an invoke permission that names that pool only. Shared by UserPoolTrigger and
ApiFunction(user_pool_triggers=...).

What Cognito does ("Customizing user pool workflows with Lambda triggers", Amazon Cognito developer guide):
every trigger but the custom sender ones is invoked synchronously, and Cognito waits 5 seconds for its answer
(retrying up to three times in all); the custom email and SMS sender triggers are invoked asynchronously, with
the codes they deliver encrypted with the pool's custom sender KMS key. Cognito invokes a function only when
its resource policy lets cognito-idp.amazonaws.com do so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from aws_cdk import Annotations, Aws, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
import jsii
from constructs import Construct, IConstruct, IValidation

from ..core import findings
from ..core.jsii_types import as_interface, cfn_resource
from ..core.templates import refs
from ..core.validation import Checks

SENDER_GUIDE = "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-sms-sender.html"
EMAIL_SENDER_GUIDE = "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-email-sender.html"
TRIGGERS_GUIDE = "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html"
# Cognito waits this long for a synchronous trigger, and the wait cannot be changed.
SYNCHRONOUS_WAIT_SECONDS = 5


@dataclass(frozen=True)
class PoolTrigger:
    """One of a user pool's triggers: aws-cdk-lib's operation, whether Cognito waits for the answer, and the
    event version the library asks for."""

    operation: cognito.UserPoolOperation
    synchronous: bool = True
    event_version: Optional[cognito.LambdaVersion] = None

    @property
    def name(self) -> str:
        """The trigger's name in the pool's LambdaConfig (e.g. "preSignUp")."""
        return self.operation.operation_name


TRIGGERS: dict[str, PoolTrigger] = {
    "pre_sign_up": PoolTrigger(cognito.UserPoolOperation.PRE_SIGN_UP),
    "post_confirmation": PoolTrigger(cognito.UserPoolOperation.POST_CONFIRMATION),
    "pre_authentication": PoolTrigger(cognito.UserPoolOperation.PRE_AUTHENTICATION),
    "post_authentication": PoolTrigger(cognito.UserPoolOperation.POST_AUTHENTICATION),
    # The V2 event: ID and access tokens (the V1 event customizes the ID token only).
    "pre_token_generation": PoolTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
                                        event_version=cognito.LambdaVersion.V2_0),
    "custom_message": PoolTrigger(cognito.UserPoolOperation.CUSTOM_MESSAGE),
    "define_auth_challenge": PoolTrigger(cognito.UserPoolOperation.DEFINE_AUTH_CHALLENGE),
    "create_auth_challenge": PoolTrigger(cognito.UserPoolOperation.CREATE_AUTH_CHALLENGE),
    "verify_auth_challenge_response": PoolTrigger(cognito.UserPoolOperation.VERIFY_AUTH_CHALLENGE_RESPONSE),
    "user_migration": PoolTrigger(cognito.UserPoolOperation.USER_MIGRATION),
    "custom_email_sender": PoolTrigger(cognito.UserPoolOperation.CUSTOM_EMAIL_SENDER, synchronous=False),
    "custom_sms_sender": PoolTrigger(cognito.UserPoolOperation.CUSTOM_SMS_SENDER, synchronous=False),
}
OPERATIONS = tuple(TRIGGERS)
# Event versions V2_0 and V3_0 of pre token generation need one of these feature plans (Cognito developer guide,
# "Pre token generation Lambda trigger"); a pool that states no plan has Essentials, CreateUserPool's default.
ACCESS_TOKEN_PLANS = ("ESSENTIALS", "PLUS")


def check_trigger(checks: Checks, prop: str, operation: str, timeout_seconds: Optional[float],
                  keeps_failed_events: bool, pool: Optional[cognito.IUserPool] = None,
                  feature_plan: Optional[str] = None) -> None:
    """What Cognito and aws-cdk-lib ask of a trigger, checked before it is wired: a known operation, on a pool the
    app defines (`pool`, when it exists already) with no function for that operation yet, at most 5 s for a
    synchronous trigger, a feature plan with access token customization for pre token generation (the pool's, or
    `feature_plan` for a pool about to be made), and failed events kept for the asynchronous sender triggers."""
    if not checks.one_of(prop, operation, OPERATIONS):
        return
    trigger = TRIGGERS[operation]
    if pool is not None:
        if not isinstance(pool, cognito.UserPool):
            checks.fail(prop, operation, f"needs a user pool this app defines: {pool.node.path} is imported, and a "
                        "pool's triggers are set on its own resource (LambdaConfig); add the trigger where it is "
                        "defined")
            return
        checks.require(
            pool.node.try_find_child(permission_id(trigger)) is None, prop, operation,
            f"is already a trigger of {pool.node.path}: a user pool invokes one function per trigger",
        )
        feature_plan = cfn_resource(pool, cognito.CfnUserPool).user_pool_tier
    if trigger.synchronous and timeout_seconds is not None:
        checks.require(
            timeout_seconds <= SYNCHRONOUS_WAIT_SECONDS, prop, operation,
            f"is invoked synchronously and Cognito waits {SYNCHRONOUS_WAIT_SECONDS} s for its answer (a wait it "
            f"does not let you change): a timeout of {timeout_seconds:g} s would fail the user's request while "
            f"the function still runs; use at most {SYNCHRONOUS_WAIT_SECONDS} s",
        )
    if trigger.event_version is not None and isinstance(feature_plan, str):
        checks.require(
            feature_plan.upper() in ACCESS_TOKEN_PLANS, prop, operation,
            "sends the V2 event (ID and access tokens), which needs the Essentials or Plus feature plan: the pool "
            f"is on {feature_plan.title()}; give it feature_plan=FeaturePlan.ESSENTIALS",
        )
    checks.require(
        trigger.synchronous or keeps_failed_events, prop, operation,
        "is invoked asynchronously: its function must keep the events that fail every retry (an on_failure or "
        "dead_letter_queue target, or the stack's FailedEvents queue), not no_failure_target",
    )


def permission_id(trigger: PoolTrigger) -> str:
    """The id aws-cdk-lib gives, under the pool, to the invoke permission of a trigger."""
    return trigger.name[0].upper() + trigger.name[1:] + "Cognito"


def attach(checks: Checks, pool: cognito.UserPool, operation: str,
           function: lambda_.IFunction) -> lambda_.CfnPermission:
    """Makes `function` the pool's `operation` trigger, with aws-cdk-lib's invoke permission: for
    cognito-idp.amazonaws.com from this pool only (SourceArn, the pool's ARN, which names its account). A sender
    trigger on a pool without a custom sender key fails through `checks`, not with aws-cdk-lib's error."""
    trigger = TRIGGERS[operation]
    try:
        pool.add_trigger(trigger.operation, function, trigger.event_version)
    except RuntimeError as error:
        if "KMS key" not in str(error):
            raise
        checks.fail("operation", operation, f"needs a pool with a custom sender KMS key: create {pool.node.path} "
                    "with custom_sender_kms_key= (the key Cognito encrypts the codes with)")
        checks.raise_if_any()
    permission = pool.node.find_child(permission_id(trigger))
    assert isinstance(permission, lambda_.CfnPermission)  # what add_trigger makes
    findings.skip(
        permission,
        f"Only the user pool {pool.node.path} may invoke: SourceArn is its ARN, which CloudFormation resolves at "
        "deploy time; the rule reads only literal strings.",
        guard=["lambda_function_public_access_prohibited_check"],
    )
    return permission


def invoker(operation: str) -> str:
    """How a trigger is named in the reason its function needs no failure target."""
    return f"Cognito (the user pool's {TRIGGERS[operation].name} trigger)"


def let_cognito_encrypt(scope: Construct, key: kms.IKey) -> None:
    """What Cognito's guide asks of a custom sender key's policy. Its custom email sender page: the principal that
    creates or updates the pool (CloudFormation's role) makes a one-time grant on the key, so the policy must let
    it kms:CreateGrant; aws-cdk-lib's default key policy does, by letting the account's IAM policies decide
    (DeployRules' DR-COGNITO-SENDER-KEY checks it in any app). Its custom SMS sender page (SENDER_GUIDE) asks for
    cognito-idp.amazonaws.com to be let kms:CreateGrant from the account's pools: added here. The pools are named
    by a wildcard, not the pool's ARN: the pool names the key (KMSKeyID), and a key policy naming the pool would
    make a circular dependency CloudFormation refuses. An imported key's policy cannot be changed here: a warning
    says what it needs."""
    pools = Stack.of(scope).format_arn(service="cognito-idp", resource="userpool", resource_name="*")
    added = key.add_to_resource_policy(iam.PolicyStatement(
        sid="CognitoCustomSenderGrants",
        principals=[as_interface(iam.IPrincipal, iam.ServicePrincipal("cognito-idp.amazonaws.com"))],
        actions=["kms:CreateGrant"],
        resources=["*"],
        conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}, "ArnLike": {"aws:SourceArn": pools}},
    ))
    if not added.statement_added:
        Annotations.of(scope).add_warning_v2(
            "constructs_lib:sender-key-policy",
            f"sender_key {key.node.path} is imported: its key policy must let the role that deploys the pool "
            f"kms:CreateGrant ({EMAIL_SENDER_GUIDE}), and cognito-idp.amazonaws.com too ({SENDER_GUIDE})")


def refuse_cycle(owner: Construct, prop: str, pool: cognito.UserPool, function_scope: IConstruct) -> None:
    """At synth: the function must not name the pool (in its environment, or in its role's policies, which the
    function waits for), because the pool names the function as its trigger: CloudFormation refuses the circular
    dependency ("Circular dependency between resources")."""
    owner.node.add_validation(_NoCycle(owner, prop, pool, function_scope))


@jsii.implements(IValidation)
class _NoCycle:
    def __init__(self, owner: Construct, prop: str, pool: cognito.UserPool, function_scope: IConstruct) -> None:
        self.owner, self.prop, self.pool, self.function_scope = owner, prop, pool, function_scope

    def validate(self) -> list[str]:
        stack = Stack.of(self.pool)
        pool_id = stack.get_logical_id(cfn_resource(self.pool, cognito.CfnUserPool))
        # The properties as rendered (aws-cdk-lib's protected cfnProperties): the L1 attributes miss what the L2
        # adds later (add_environment, a policy's statements).
        named_by = [
            node.node.path for node in self.function_scope.node.find_all()
            if isinstance(node, (lambda_.CfnFunction, iam.CfnPolicy, iam.CfnManagedPolicy, iam.CfnRole))
            and pool_id in refs(stack.resolve(getattr(node, "_cfn_properties")))
        ]
        return [
            f"{type(self.owner).__name__} '{self.owner.node.path}': {self.prop} names {self.pool.node.path}, which "
            f"names the function as its trigger: {path} refers to the pool, a circular dependency CloudFormation "
            "refuses. Read the pool from the event (userPoolId), and grant on "
            "arn:aws:cognito-idp:<region>:<account>:userpool/* instead of the pool's ARN"
            for path in named_by
        ]
