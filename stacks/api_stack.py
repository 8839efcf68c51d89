"""ApiFunction: the classic serverless API, user -> API Gateway + Cognito -> Lambda -> DynamoDB.

Signed-in users (a Cognito user pool created with the API) keep orders in a table: GET /orders,
GET /orders/{id}, POST /orders; each sees only their own, as the token's subject. Create a user with
`aws cognito-idp admin-create-user` (self sign-up is off), sign in with SRP (MFA with an authenticator app
is required), and call the API with the ID or access token in the Authorization header.
"""

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import ApiFunction

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table


class ApiStack(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: ApiFunction")
        self.alarms = send_alarms_to_a_topic(self)
        self.orders = demo_table(self, "Orders", partition_key="user_id", sort_key="order_id")
        self.api = ApiFunction(
            self,
            "OrdersApi",
            routes=["GET /orders", "GET /orders/{id}", "POST /orders"],
            entry=HANDLERS / "orders_api",
            powertools=True,
            environment={
                "TABLE_NAME": self.orders.table_name, "API_KIND": "http", "POWERTOOLS_SERVICE_NAME": "orders-api",
            },
        )
        self.orders.grant(self.api.function.role, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
