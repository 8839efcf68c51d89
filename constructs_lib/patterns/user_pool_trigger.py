"""UserPoolTrigger: a Cognito user pool -> trigger -> function (synchronous, but for the custom sender triggers)."""

from __future__ import annotations

from typing import Optional, Unpack

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from constructs import Construct

from ..core.validation import Checks, seconds_of
from ..function.failed_events import invoked_synchronously
from ..function.options import FunctionOptions
from ..function.pattern_options import check_function_options
from ..function.serverless_function import DEFAULT_TIMEOUT, ServerlessFunction
from ..observability import alarms as alarm_kit
from ..resources import user_pool_triggers as triggers

SENDERS = ("custom_email_sender", "custom_sms_sender")


class UserPoolTrigger(Construct):
    """A function that a Cognito user pool invokes at one step of its users' flows: user -> Cognito -> function.

    Cognito invokes every trigger synchronously, waiting 5 seconds for the answer (retried up to three times
    in all, a wait that cannot be changed), but the custom email and SMS sender triggers, which it invokes
    asynchronously. So a synchronous trigger's function defaults to a 5 s timeout and refuses a longer one,
    and needs no failure target (its failures are answered to the user's request); a sender trigger's function
    keeps the events that fail every retry, as any asynchronous function does (by default in the stack's
    `FailedEvents` queue).

    The function's invoke permission lets cognito-idp.amazonaws.com invoke it from this pool only (SourceArn).
    Pre token generation sends the V2 event (ID and access tokens), which needs the Essentials or Plus feature
    plan: a pool on Lite is refused, naming its plan.

    :param user_pool: the pool, defined in this app (an imported pool's triggers are set where it is defined).
    :param operation: the trigger: "pre_sign_up", "post_confirmation", "pre_authentication",
        "post_authentication", "pre_token_generation" (V2 event), "custom_message", "define_auth_challenge",
        "create_auth_challenge", "verify_auth_challenge_response", "user_migration", "custom_email_sender" or
        "custom_sms_sender". A pool takes one function per trigger.
    :param sender_key: for the custom sender triggers only, and needed by them: the KMS key the pool was given as
        ``custom_sender_kms_key``, with which Cognito encrypts the codes it sends; the function may decrypt with it.
    :param function_options: ``entry``, ``handler`` and any other ``ServerlessFunction`` option; default timeout
        5 s for the synchronous triggers, 10 s for the sender ones.

    Exposes ``user_pool``, ``operation``, ``function`` (the ServerlessFunction), ``permission`` (the invoke
    permission), ``failures`` (the stack's FailedEvents queue for a sender trigger; None otherwise or when the
    options named a failure target) and ``alarms``: the function's.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        user_pool: cognito.IUserPool,
        operation: str,
        sender_key: Optional[kms.IKey] = None,
        **function_options: Unpack[FunctionOptions],
    ) -> None:
        super().__init__(scope, construct_id)
        check_function_options(self, function_options, UserPoolTrigger.__init__,
                               invoked_without_tenant_id_by="A Cognito user pool trigger")
        checks = Checks(self, "UserPoolTrigger")
        synchronous = operation in triggers.TRIGGERS and triggers.TRIGGERS[operation].synchronous
        if synchronous:
            function_options.setdefault("timeout", Duration.seconds(triggers.SYNCHRONOUS_WAIT_SECONDS))
        triggers.check_trigger(
            checks, "operation", operation, seconds_of(function_options.get("timeout", DEFAULT_TIMEOUT)),
            keeps_failed_events=function_options.get("no_failure_target") is None, pool=user_pool,
        )
        if operation in triggers.TRIGGERS:
            sender = operation in SENDERS
            checks.require(
                sender == (sender_key is not None), "sender_key", sender_key and sender_key.node.path,
                "is needed by the custom sender triggers, and by them only: the key the pool was given as "
                "custom_sender_kms_key, with which Cognito encrypts the codes the function decrypts" if sender
                else f"applies only to the custom sender triggers, not to {operation!r}",
            )
        checks.raise_if_any()

        if synchronous and "no_failure_target" not in function_options:
            function_options["no_failure_target"] = invoked_synchronously(
                function_options, triggers.invoker(operation),
                "a failure is answered to the user's request, which Cognito fails",
            )
        self.user_pool = user_pool
        self.operation = operation
        self.function = ServerlessFunction(self, "Function", **function_options)
        self.failures = self.function.failed_events.queue if self.function.failed_events else None
        if sender_key is not None:
            sender_key.grant_decrypt(self.function.role)
            triggers.let_cognito_encrypt(self, sender_key)
        assert isinstance(user_pool, cognito.UserPool)  # checked above
        self.permission = triggers.attach(checks, user_pool, operation, self.function.invoke_target)
        triggers.refuse_cycle(self, "user_pool", user_pool, self.function)
        self.alarms = dict(self.function.alarms)
        alarm_kit.warn_if_silent(self)

