"""ServiceApi: one API of a service, many functions. Signed-in users (the API's own Cognito user pool) keep
orders (GET /orders, GET /orders/{id}, POST /orders: the orders function, its table) and are greeted
(GET /hello: another function, with no access to the table): one user pool, stage, log group and set of API
alarms for both, and each function invoked only for its routes."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct

from constructs_lib import ServiceApi

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table


class ServiceApiStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: ServiceApi", **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.orders = demo_table(self, "Orders", partition_key="user_id", sort_key="order_id")
        self.api = ServiceApi(self, "Shop")
        self.orders_function = self.api.add_function(
            "Orders", routes=["GET /orders", "GET /orders/{id}", "POST /orders"],
            entry=HANDLERS / "orders_api", powertools=True,
            environment={
                "TABLE_NAME": self.orders.table_name, "API_KIND": "http", "POWERTOOLS_SERVICE_NAME": "orders-api",
            },
        )
        self.orders.grant(self.orders_function.role, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
        self.api.add_function("Greeting", routes=["GET /hello"], entry=HANDLERS / "hello", powertools=True,
                              environment={"POWERTOOLS_SERVICE_NAME": "greeting", "GREETING": "Hello"})
