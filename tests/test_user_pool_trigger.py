"""UserPoolTrigger and ApiFunction(user_pool_triggers=...): Cognito invokes the function from its pool only,
synchronous triggers within Cognito's 5 s and without a failure target, sender triggers asynchronous with their
failed events kept and their key, pre token generation's V2 event on a plan that has it; each refusal's message."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import Duration, Stack
from aws_cdk.assertions import Annotations, Match
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from constructs_lib import ApiFunction, ConfigurationError, Deployment, ServerlessFunction, UserPoolTrigger
from constructs_lib.core.templates import refs
from tests.helpers import PLAIN, make_app, role_statements, template_of


def logical_id(stack: Stack, construct) -> str:
    return stack.get_logical_id(construct.node.default_child)


def resources(stack: Stack, kind: str) -> list[dict]:
    return [r.get("Properties", {}) for r in template_of(stack).find_resources(kind).values()]


def refused(match: str):
    return pytest.raises(ConfigurationError, match=r"UserPoolTrigger '.+': " + match)


def test_a_synchronous_trigger_answers_within_cognitos_wait_and_only_its_pool_may_invoke(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Users")
    trigger = UserPoolTrigger(stack, "SignUp", user_pool=pool, operation="pre_sign_up", entry=PLAIN)
    template = template_of(stack).to_json()["Resources"]
    (config,) = [r["Properties"]["LambdaConfig"] for r in template.values() if r["Type"] == "AWS::Cognito::UserPool"]
    assert refs(config["PreSignUp"]) == {logical_id(stack, trigger.function.function)}
    (permission,) = [r["Properties"] for r in template.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permission["Principal"] == "cognito-idp.amazonaws.com" and permission["Action"] == "lambda:InvokeFunction"
    assert permission["SourceArn"] == {"Fn::GetAtt": [logical_id(stack, pool), "Arn"]}
    (function,) = [r["Properties"] for r in template.values() if r["Type"] == "AWS::Lambda::Function"]
    assert function["Timeout"] == 5
    assert not [r for r in template.values() if r["Type"] == "AWS::SQS::Queue"]  # no FailedEvents: Cognito waits
    assert trigger.failures is None and trigger.permission.node.path == "Test/Users/PreSignUpCognito"


def test_pre_token_generation_sends_the_v2_event_to_the_alias(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Users", feature_plan=cognito.FeaturePlan.PLUS)
    trigger = UserPoolTrigger(stack, "Claims", user_pool=pool, operation="pre_token_generation", entry=PLAIN,
                              deployment=Deployment.all_at_once())
    (pool_props,) = resources(stack, "AWS::Cognito::UserPool")
    config = pool_props["LambdaConfig"]["PreTokenGenerationConfig"]
    assert config["LambdaVersion"] == "V2_0"
    assert refs(config["LambdaArn"]) == {logical_id(stack, trigger.function.alias)}
    (permission,) = [p for p in resources(stack, "AWS::Lambda::Permission") if p["Principal"].startswith("cognito")]
    assert refs(permission["FunctionName"]) == {logical_id(stack, trigger.function.alias)}


def test_a_sender_trigger_is_asynchronous_keeps_its_failed_events_and_decrypts_with_the_pool_key(stack: Stack) -> None:
    key = kms.Key(stack, "Codes", enable_key_rotation=True)
    pool = cognito.UserPool(stack, "Users", custom_sender_kms_key=key)
    trigger = UserPoolTrigger(stack, "Mail", user_pool=pool, operation="custom_email_sender", sender_key=key,
                              entry=PLAIN)
    template = template_of(stack).to_json()["Resources"]
    (config,) = [r["Properties"]["LambdaConfig"] for r in template.values() if r["Type"] == "AWS::Cognito::UserPool"]
    assert refs(config["CustomEmailSender"]["LambdaArn"]) == {logical_id(stack, trigger.function.function)}
    assert refs(config["KMSKeyID"]) == {logical_id(stack, key)}
    assert trigger.failures is not None
    # Lambda's own asynchronous settings: the stack's queue is the function's dead-letter queue.
    assert not [r for r in template.values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    (function,) = [r["Properties"] for r in template.values() if r["Type"] == "AWS::Lambda::Function"]
    assert refs(function["DeadLetterConfig"]) == {logical_id(stack, trigger.failures)}
    statements = role_statements({"Resources": template}, logical_id(stack, trigger.function.role))
    assert any(s["Action"] == "kms:Decrypt" and refs(s["Resource"]) == {logical_id(stack, key)} for s in statements)


def test_cognito_may_create_grants_on_the_sender_key_from_this_accounts_pools_without_a_cycle(stack: Stack) -> None:
    """Cognito's guide ("Activating the custom SMS sender Lambda trigger"): the key policy lets cognito-idp
    create grants on the key, from this account's pools. The pool names the key, so the statement names the
    account's pools by wildcard, never the pool (a Key -> UserPool -> Key cycle CloudFormation refuses)."""
    key = kms.Key(stack, "Codes", enable_key_rotation=True)
    pool = cognito.UserPool(stack, "Users", custom_sender_kms_key=key)
    UserPoolTrigger(stack, "Mail", user_pool=pool, operation="custom_email_sender", sender_key=key, entry=PLAIN)
    policy = template_of(stack).to_json()["Resources"][logical_id(stack, key)]["Properties"]["KeyPolicy"]
    (grant,) = [s for s in policy["Statement"] if s.get("Sid") == "CognitoCustomSenderGrants"]
    assert (grant["Effect"], grant["Principal"], grant["Action"]) == (
        "Allow", {"Service": "cognito-idp.amazonaws.com"}, "kms:CreateGrant")
    assert grant["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source = json.dumps(grant["Condition"]["ArnLike"]["aws:SourceArn"])
    assert ":userpool/*" in source and logical_id(stack, pool) not in json.dumps(policy)


def test_an_imported_sender_key_is_warned_of_for_its_key_policy(stack: Stack) -> None:
    key = kms.Key.from_key_arn(stack, "Codes", "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    pool = cognito.UserPool(stack, "Users", custom_sender_kms_key=key)
    UserPoolTrigger(stack, "Mail", user_pool=pool, operation="custom_sms_sender", sender_key=key, entry=PLAIN)
    warnings = Annotations.from_stack(stack).find_warning("/Test/Mail", Match.string_like_regexp("kms:CreateGrant"))
    assert len(warnings) == 1


@pytest.mark.parametrize("operation, options, message", [
    ("pre_signup", {}, "operation 'pre_signup' must be 'pre_sign_up' or .+: did you mean 'pre_sign_up'?"),
    ("post_confirmation", {"timeout": Duration.seconds(6)},
     re.escape("operation 'post_confirmation' is invoked synchronously and Cognito waits 5 s for its answer (a wait "
               "it does not let you change): a timeout of 6 s would fail the user's request while the function still "
               "runs; use at most 5 s")),
    ("custom_sms_sender", {}, re.escape("sender_key None is needed by the custom sender triggers")),
    ("custom_email_sender", {"no_failure_target": "nothing"},
     re.escape("operation 'custom_email_sender' is invoked asynchronously: its function must keep the events that "
               "fail every retry")),
])
def test_what_cognito_refuses_is_refused(stack: Stack, operation: str, options: dict, message: str) -> None:
    pool = cognito.UserPool(stack, "Users")
    key = kms.Key(stack, "Codes") if operation.startswith("custom_") and options else None
    with refused(message):
        UserPoolTrigger(stack, "Trigger", user_pool=pool, operation=operation, sender_key=key, entry=PLAIN, **options)


def test_pre_token_generation_on_lite_is_refused_naming_the_plan(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Users", feature_plan=cognito.FeaturePlan.LITE)
    with refused(re.escape("operation 'pre_token_generation' sends the V2 event (ID and access tokens), which needs "
                           "the Essentials or Plus feature plan: the pool is on Lite")):
        UserPoolTrigger(stack, "Claims", user_pool=pool, operation="pre_token_generation", entry=PLAIN)


def test_an_imported_pool_a_second_function_and_a_stray_key_are_refused(stack: Stack) -> None:
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", "us-east-1_EXAMPLE")
    with refused("operation 'pre_sign_up' needs a user pool this app defines: .+Imported is imported"):
        UserPoolTrigger(stack, "Imports", user_pool=imported, operation="pre_sign_up", entry=PLAIN)
    pool = cognito.UserPool(stack, "Users")
    UserPoolTrigger(stack, "First", user_pool=pool, operation="pre_sign_up", entry=PLAIN)
    with refused(re.escape("operation 'pre_sign_up' is already a trigger of Test/Users: a user pool invokes one "
                           "function per trigger")):
        UserPoolTrigger(stack, "Second", user_pool=pool, operation="pre_sign_up", entry=PLAIN)
    with refused(re.escape("sender_key 'Test/Codes' applies only to the custom sender triggers, not to 'user_migration'")):
        UserPoolTrigger(stack, "Stray", user_pool=pool, operation="user_migration", entry=PLAIN,
                        sender_key=kms.Key(stack, "Codes"))


def test_a_sender_trigger_on_a_pool_without_its_key_is_refused(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Users")
    with refused(re.escape("operation 'custom_email_sender' needs a pool with a custom sender KMS key: create "
                           "Test/Users with custom_sender_kms_key=")):
        UserPoolTrigger(stack, "Mail", user_pool=pool, operation="custom_email_sender", entry=PLAIN,
                        sender_key=kms.Key(stack, "Codes"))


# ApiFunction(user_pool_triggers=...): the pool it creates.

def cognito_waits(stack: Stack, name: str, **options) -> ServerlessFunction:
    return ServerlessFunction(stack, name, entry=PLAIN, timeout=Duration.seconds(5),
                              no_failure_target="Cognito waits for it.", **options)


def test_the_api_pool_invokes_its_triggers(stack: Stack) -> None:
    sign_up, profile = cognito_waits(stack, "SignUp"), cognito_waits(stack, "Profile")
    api = ApiFunction(stack, "Api", entry=PLAIN, self_sign_up=True,
                      user_pool_triggers={"pre_sign_up": sign_up, "post_confirmation": profile})
    assert api.user_pool is not None
    (pool,) = resources(stack, "AWS::Cognito::UserPool")
    assert refs(pool["LambdaConfig"]["PreSignUp"]) == {logical_id(stack, sign_up.function)}
    assert refs(pool["LambdaConfig"]["PostConfirmation"]) == {logical_id(stack, profile.function)}
    assert set(api.user_pool_trigger_permissions) == {"pre_sign_up", "post_confirmation"}
    permissions = [p for p in resources(stack, "AWS::Lambda::Permission") if p["Principal"].startswith("cognito")]
    assert {refs(p["SourceArn"]).pop() for p in permissions} == {logical_id(stack, api.user_pool)}


@pytest.mark.parametrize("options, triggers, message", [
    ({"auth": "iam"}, {"pre_sign_up": "SignUp"}, re.escape(
        "user_pool_triggers ['pre_sign_up'] apply only to the user pool ApiFunction creates (auth='cognito' "
        "without user_pool=): give your own pool its triggers with UserPoolTrigger")),
    ({}, {"custom_email_sender": "Mail"}, re.escape(
        "user_pool_triggers['custom_email_sender'] 'custom_email_sender' needs a pool with a custom sender KMS key")),
    ({}, {"post_confirmation": "Slow"}, re.escape(
        "user_pool_triggers['post_confirmation'] 'post_confirmation' is invoked synchronously and Cognito waits 5 s")),
    ({"feature_plan": cognito.FeaturePlan.LITE}, {"pre_token_generation": "Claims"}, re.escape(
        "needs the Essentials or Plus feature plan: the pool is on Lite")),
    ({}, {"pre_sign_up": "not a function"}, re.escape("user_pool_triggers['pre_sign_up'] 'not a function' must be a "
                                                     "ServerlessFunction, given str")),
    ({}, {"pre_sign_up": "Tenanted"}, re.escape(
        "tenancy 'per_tenant' cannot be used here: A Cognito user pool trigger (user_pool_triggers['pre_sign_up']) "
        "invokes the function without a tenant id")),
])
def test_what_the_api_pool_cannot_take_is_refused(stack: Stack, options: dict, triggers: dict, message: str) -> None:
    functions = {
        operation: name if name == "not a function" else
        ServerlessFunction(stack, name, entry=PLAIN, timeout=Duration.seconds(10)) if name == "Slow" else
        cognito_waits(stack, name, tenancy="per_tenant") if name == "Tenanted" else
        cognito_waits(stack, name) if operation != "custom_email_sender" else ServerlessFunction(stack, name, entry=PLAIN)
        for operation, name in triggers.items()
    }
    with pytest.raises(ConfigurationError, match=r"ApiFunction '.+': .*" + message):
        ApiFunction(stack, "Api", entry=PLAIN, user_pool_triggers=functions, **options)


@pytest.mark.parametrize("how, profile", [("environment", "default"), ("policy", "default"), ("policy", "regulated")])
def test_a_trigger_that_names_its_pool_is_refused_for_the_cycle(how: str, profile: str) -> None:
    """The pool names the function (LambdaConfig); a function naming the pool in its environment, or through its
    role's policies (inline in the role, or under the regulated profile a managed policy, which the function waits
    for), closes a cycle CloudFormation refuses."""
    stack = Stack(make_app(**{"constructs_lib:profile": profile, "constructs_lib:concurrency-quota": 1000}), "Test")
    pool = cognito.UserPool(stack, "Users")
    trigger = UserPoolTrigger(stack, "Confirmed", user_pool=pool, operation="post_confirmation", entry=PLAIN)
    if how == "environment":
        trigger.function.function.add_environment("POOL_ID", pool.user_pool_id)
    else:
        pool.grant(trigger.function.role, "cognito-idp:AdminAddUserToGroup")
    with pytest.raises(RuntimeError, match=re.escape(
            "UserPoolTrigger 'Test/Confirmed': user_pool names Test/Users, which names the function as its trigger: "
            "Test/Confirmed/Function/")):
        template_of(stack)


def test_a_trigger_granted_on_the_accounts_pools_is_no_cycle(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Users")
    trigger = UserPoolTrigger(stack, "Confirmed", user_pool=pool, operation="post_confirmation", entry=PLAIN)
    trigger.function.role.add_to_principal_policy(iam.PolicyStatement(
        actions=["cognito-idp:AdminAddUserToGroup"],
        resources=[Stack.of(stack).format_arn(service="cognito-idp", resource="userpool", resource_name="*")]))
    template_of(stack)
