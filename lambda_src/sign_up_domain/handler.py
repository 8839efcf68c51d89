"""Lets only addresses of one email domain sign up: the user pool's pre sign-up trigger (UserPoolTrigger, or
ApiFunction(user_pool_triggers=...)).

Cognito invokes it synchronously before it creates a user (self sign-up, an administrator's AdminCreateUser, or a
federated sign-in) and waits 5 seconds. Raising refuses the sign-up: Cognito answers the request with
"PreSignUp failed with error <message>." Answering the event unchanged lets it go on. Environment:
ALLOWED_EMAIL_DOMAIN (e.g. "example.com"; subdomains are not allowed unless named).
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import PreSignUpTriggerEvent

logger = Logger()
ALLOWED_DOMAIN = os.environ["ALLOWED_EMAIL_DOMAIN"].lower()


class SignUpRefused(Exception):
    """Cognito shows the message to the user who tried to sign up."""


def domain_of(email: str) -> str:
    """The domain of an address, lower-cased ("" when it has no single @)."""
    local, at, domain = email.strip().rpartition("@")
    return domain.lower() if at and local and "@" not in local else ""


@logger.inject_lambda_context
@event_source(data_class=PreSignUpTriggerEvent)
def handler(event: PreSignUpTriggerEvent, context: object) -> dict:
    email = event.request.user_attributes.get("email", "")
    if domain_of(email) != ALLOWED_DOMAIN:
        logger.info("sign-up refused", extra={"trigger_source": event.trigger_source, "domain": domain_of(email)})
        raise SignUpRefused(f"only addresses of {ALLOWED_DOMAIN} may sign up")
    logger.info("sign-up allowed", extra={"trigger_source": event.trigger_source})
    return event.raw_event
