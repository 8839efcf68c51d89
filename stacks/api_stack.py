"""ApiFunction: the classic serverless API, user -> API Gateway + Cognito -> Lambda -> DynamoDB, with the user
pool's triggers (UserPoolTrigger's, through ApiFunction(user_pool_triggers=...)).

Signed-in users (a Cognito user pool created with the API) keep orders in a table: GET /orders,
GET /orders/{id}, POST /orders; each sees only their own, as the token's subject. Anyone may sign up with an
address of one email domain (`-c constructs_lib:sign-up-domain=example.org`; default example.com): the pool's
pre sign-up trigger refuses any other, and once a user confirms their address, its post confirmation trigger
writes their profile row into the Profiles table (a table of its own: the orders API lists the Orders table
whole). Sign in with SRP (MFA with an authenticator app is required), and call the API with the ID or access
token in the Authorization header.
"""

from typing import Any

from aws_cdk import Duration, Stack
from constructs import Construct

from constructs_lib import ApiFunction, ServerlessFunction

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table

DEFAULT_SIGN_UP_DOMAIN = "example.com"
# Cognito waits 5 seconds for a trigger, and answers a failure to the user's request.
COGNITO_WAITS = Duration.seconds(5)
ANSWERED_TO_THE_USER = (
    "Cognito invokes this trigger synchronously and answers a failure to the user's sign-up or confirmation "
    "request: there is no asynchronous event to keep."
)


class ApiStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: ApiFunction, UserPoolTrigger",
                         **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.orders = demo_table(self, "Orders", partition_key="user_id", sort_key="order_id")
        self.profiles = demo_table(self, "Profiles", partition_key="user_id")
        domain = self.node.try_get_context("constructs_lib:sign-up-domain") or DEFAULT_SIGN_UP_DOMAIN
        self.sign_up_check = ServerlessFunction(
            self, "SignUpCheck", entry=HANDLERS / "sign_up_domain", powertools=True, timeout=COGNITO_WAITS,
            no_failure_target=ANSWERED_TO_THE_USER,
            environment={"ALLOWED_EMAIL_DOMAIN": domain, "POWERTOOLS_SERVICE_NAME": "sign-up-check"},
        )
        self.profile_writer = ServerlessFunction(
            self, "ProfileWriter", entry=HANDLERS / "user_profile", powertools=True, timeout=COGNITO_WAITS,
            no_failure_target=ANSWERED_TO_THE_USER,
            environment={"TABLE_NAME": self.profiles.table_name, "POWERTOOLS_SERVICE_NAME": "profiles"},
        )
        self.profiles.grant(self.profile_writer.role, "dynamodb:PutItem")
        self.api = ApiFunction(
            self,
            "OrdersApi",
            routes=["GET /orders", "GET /orders/{id}", "POST /orders"],
            entry=HANDLERS / "orders_api",
            powertools=True,
            environment={
                "TABLE_NAME": self.orders.table_name, "API_KIND": "http", "POWERTOOLS_SERVICE_NAME": "orders-api",
            },
            self_sign_up=True,
            user_pool_triggers={"pre_sign_up": self.sign_up_check, "post_confirmation": self.profile_writer},
        )
        self.orders.grant(self.api.function.role, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
