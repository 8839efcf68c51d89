"""Writes a confirmed user's profile row: the user pool's post confirmation trigger (UserPoolTrigger, or
ApiFunction(user_pool_triggers=...)).

Cognito invokes it synchronously once a user confirms their sign-up, and waits 5 seconds; a failure is answered to
that request, and Cognito may invoke it again for the same user. So the row is written only if it is not there yet:
a repeat changes nothing. A confirmed password reset (PostConfirmation_ConfirmForgotPassword) is not a new user
and writes nothing. Environment: TABLE_NAME (partition key user_id, the user's "sub").
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import PostConfirmationTriggerEvent

logger = Logger()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
NEW_USER = "PostConfirmation_ConfirmSignUp"


def profile(event: PostConfirmationTriggerEvent) -> dict:
    attributes = event.request.user_attributes
    return {"user_id": attributes["sub"], "email": attributes.get("email", ""), "user_name": event.user_name,
            "confirmed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


@logger.inject_lambda_context
@event_source(data_class=PostConfirmationTriggerEvent)
def handler(event: PostConfirmationTriggerEvent, context: object) -> dict:
    if event.trigger_source != NEW_USER:
        return event.raw_event
    row = profile(event)
    try:
        table.put_item(Item=row, ConditionExpression="attribute_not_exists(user_id)")
        logger.info("profile written", extra={"user_id": row["user_id"]})
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        logger.info("profile already written", extra={"user_id": row["user_id"]})
    return event.raw_event
