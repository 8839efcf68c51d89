"""The order process (validate, reserve stock, charge, ship; refund and release the stock when shipping fails) in
both styles, side by side: a Workflow of four ServerlessFunctions, started by an "OrderPlaced" event on the default
bus, and one Lambda durable function, started by a "DurableOrderPlaced" event."""

from typing import Any

from aws_cdk import Annotations, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from constructs_lib import Durable, FunctionStep, ScheduledFunction, ServerlessFunction, Workflow

from .notifications import send_alarms_to_a_topic
from .paths import HANDLERS
from .tables import demo_table

ORDER_SOURCE = "constructs_lib.demo.orders"
SYNCHRONOUS = "Only the order workflow invokes it, synchronously: the workflow retries, catches and records failures."


class OrderWorkflowStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **stack_options: Any) -> None:
        super().__init__(scope, construct_id, description="constructs_lib demo: Workflow (the order process)",
                         **stack_options)
        self.alarms = send_alarms_to_a_topic(self)
        self.stock = demo_table(self, "Stock", partition_key="pk")
        self.payments = demo_table(self, "Payments", partition_key="order_id")

        def function(construct_id: str, folder: str, **environment: str) -> ServerlessFunction:
            return ServerlessFunction(
                self, construct_id, entry=HANDLERS / folder, powertools=True, no_failure_target=SYNCHRONOUS,
                environment={"POWERTOOLS_SERVICE_NAME": f"orders-{folder.removeprefix('order_')}", **environment},
            )

        self.validate = function("Validate", "order_validate")
        self.reserve = function("Reserve", "order_stock", STOCK_TABLE=self.stock.table_name)
        self.charge = function("Charge", "order_payments", PAYMENTS_TABLE=self.payments.table_name)
        self.ship = function("Ship", "order_ship", SHIPS_TO="US,CA,GB,FR,DE")
        self.stock.grant(self.reserve.function.role, "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem",
                         "dynamodb:ConditionCheckItem")
        self.payments.grant(self.charge.function.role, "dynamodb:PutItem", "dynamodb:UpdateItem")

        self.workflow = Workflow(self, "Orders", definition=self._definition(), timeout=Duration.minutes(15))
        self.workflow.start_on_event(
            "OrderPlaced", event_pattern=events.EventPattern(source=[ORDER_SOURCE], detail_type=["OrderPlaced"]),
            input=events.RuleTargetInput.from_event_path("$.detail"),
        )
        # The same process as one durable function: checkpointed steps, the compensation in code.
        self.durable_order = ScheduledFunction(
            self, "DurableOrder", entry=HANDLERS / "order_durable",
            event_pattern=events.EventPattern(source=[ORDER_SOURCE], detail_type=["DurableOrderPlaced"]),
            input=events.RuleTargetInput.from_event_path("$.detail"),
            durable=Durable(execution_timeout=Duration.hours(1)), timeout=Duration.minutes(1),
        )
        # Durable from its first deployment: the information that adding durable= later replaces the function does
        # not apply.
        function = self.durable_order.function
        Annotations.of(function).acknowledge_info("constructs_lib:durable:replacesFunction", "durable from the start")
        Annotations.of(function.function).acknowledge_info("aws-lambda:Function.DurableConfig", "durable from the start")

    def _definition(self) -> sfn.IChainable:
        failed = sfn.Fail(self, "OrderFailed", error_path="$.error.Error", cause_path="$.error.Cause")

        def step(construct_id: str, function: ServerlessFunction, action: str, result: str) -> FunctionStep:
            return FunctionStep(self, construct_id, function=function, result_path=result,
                                payload=sfn.TaskInput.from_object({"action": action, "order.$": "$.order"}))

        release = step("ReleaseStock", self.reserve, "release", "$.release").next(failed)
        refund = step("Refund", self.charge, "refund", "$.refund").next(release)
        caught = {"result_path": "$.error"}
        validate = FunctionStep(self, "ValidateOrder", function=self.validate).add_catch(failed, **caught)
        reserve = step("ReserveStock", self.reserve, "reserve", "$.reservation").add_catch(failed, **caught)
        charge = step("ChargePayment", self.charge, "charge", "$.payment").add_catch(release, **caught)
        ship = step("ShipOrder", self.ship, "ship", "$.shipment").add_catch(refund, **caught)
        return validate.next(reserve).next(charge).next(ship).next(sfn.Succeed(self, "OrderShipped"))
