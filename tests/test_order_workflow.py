"""The order workflow end to end, offline: the definition the demo stack synthesizes runs in moto's Step Functions
interpreter (moto's `execute_state_machine` mode, which parses and runs Amazon States Language), and each task
invokes the real handler of its function against moto's DynamoDB. Three paths: an order shipped, an order shipped
after a throttled invocation was retried, and an order whose shipping failed, refunded and released.

Two seams, both here: moto runs no Lambda code without Docker, so its Lambda invoke calls the handler in-process
(a handler's exception becomes Lambda's Unhandled function error, as Lambda reports it); and moto names a Lambda API
error of a task that invokes a function ARN "Exception", where Step Functions reports it as Lambda.<ErrorName>
(https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html), as moto already does for
the lambda:invoke integration. Retry waits are recorded, not slept.
"""

from __future__ import annotations

import io
import json
import os
import time
import traceback
import zipfile
from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.awslambda.models import LambdaFunction
from moto.core.exceptions import JsonRESTError
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import StateTaskLambda

from stacks.order_workflow_stack import OrderWorkflowStack
from tests.handlers import Context, load_handler, moto_aws, on_demand_table
from tests.helpers import ROOT, make_app

ACCOUNT = "123456789012"
REGION = "us-east-1"
HANDLERS = {"Validate": "order_validate", "Reserve": "order_stock", "Charge": "order_payments", "Ship": "order_ship"}


class Throttled(JsonRESTError):
    """What Lambda answers an Invoke beyond the function's concurrency."""

    code = 429

    def __init__(self) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")


@pytest.fixture(scope="module")
def synthesized() -> dict:
    stack = OrderWorkflowStack(make_app(), "OrderWorkflowDemo")
    template = stack.node.root.synth().get_stack_by_name("OrderWorkflowDemo").template
    functions = {name: stack.get_logical_id(getattr(stack, name.lower()).function.node.default_child)
                 for name in HANDLERS}
    tables = {"STOCK_TABLE": stack.get_logical_id(stack.stock.node.default_child),
              "PAYMENTS_TABLE": stack.get_logical_id(stack.payments.node.default_child)}
    return {"template": template, "functions": functions, "tables": tables}


def resolved(value: Any, names: dict[str, str]) -> str:
    """A template value with its Refs and Fn::GetAtt Arns replaced by the local resources' names and ARNs."""
    if isinstance(value, str):
        return value
    (function, argument), = value.items()
    if function == "Fn::Join":
        return argument[0].join(resolved(part, names) for part in argument[1])
    if function == "Ref":
        return {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}.get(argument) or names[argument]
    if function == "Fn::GetAtt" and argument[1] == "Arn":
        return names[argument[0]]
    raise ValueError(f"cannot resolve {value!r}")


@pytest.fixture(scope="module")
def local(synthesized) -> Iterator[dict]:
    """moto as AWS: the tables, the four functions (their handlers behind them) and the state machine."""
    template = synthesized["template"]
    environment = {variable: f"local-{logical_id}" for variable, logical_id in synthesized["tables"].items()}
    # moto's interpreter, not its stub; moto's full Lambda (whose invoke `interpreter` replaces), not its simple one.
    config = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": True}}
    with moto_aws(config, **environment, SHIPS_TO="US,CA,GB,FR,DE", POWERTOOLS_SERVICE_NAME="orders") as endpoint:
        os.environ["MOTO_PORT"] = endpoint.rsplit(":", 1)[1]  # where the interpreter's own clients call moto
        on_demand_table(environment["STOCK_TABLE"], "pk")
        on_demand_table(environment["PAYMENTS_TABLE"], "order_id")
        handlers = {name: load_handler(ROOT / "lambda_src" / folder / "handler.py", f"order_{name.lower()}_handler")
                    for name, folder in HANDLERS.items()}
        iam = boto3.client("iam")
        role = iam.create_role(RoleName="local", AssumeRolePolicyDocument=json.dumps({"Statement": []}))["Role"]["Arn"]
        lambda_client = boto3.client("lambda")
        names: dict[str, str] = {}
        by_function_name: dict[str, Any] = {}
        for name, logical_id in synthesized["functions"].items():
            made = lambda_client.create_function(FunctionName=logical_id, Runtime="python3.13", Role=role,
                                                 Handler="handler.handler", Code={"ZipFile": _zip()})
            names[logical_id] = made["FunctionArn"]
            by_function_name[logical_id] = handlers[name]
        names.update({logical_id: f"local-{logical_id}" for logical_id in synthesized["tables"].values()})
        (machine,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
        definition = resolved(machine["Properties"]["DefinitionString"], names)
        sfn = boto3.client("stepfunctions")
        arn = sfn.create_state_machine(name="orders", definition=definition, roleArn=role)["stateMachineArn"]
        yield {"sfn": sfn, "arn": arn, "handlers": by_function_name, "definition": json.loads(definition),
               "stock": boto3.resource("dynamodb").Table(environment["STOCK_TABLE"]),
               "payments": boto3.resource("dynamodb").Table(environment["PAYMENTS_TABLE"])}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def interpreter(local, monkeypatch) -> Iterator[dict]:
    """moto's Lambda runs the handlers, retry waits are recorded; `throttle` names functions
    whose next invocation Lambda refuses."""
    waits: list[float] = []
    throttle: list[str] = []
    monkeypatch.setattr(retrier_decl, "time", type("Clock", (), {"sleep": staticmethod(waits.append)}))

    def invoke(function: LambdaFunction, body: str, request_headers: Any, response_headers: dict) -> bytes:
        if function.function_name in throttle:
            throttle.remove(function.function_name)
            raise Throttled()
        handler = local["handlers"][function.function_name]
        try:
            return json.dumps(handler.handler(json.loads(body or "{}"), Context())).encode()
        except Exception as error:  # noqa: BLE001 - Lambda reports any exception of the handler
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error),
                               "stackTrace": traceback.format_tb(error.__traceback__)}).encode()

    original = StateTaskLambda._from_error

    def from_error(self, env, ex):  # Step Functions' name for a Lambda API error: Lambda.<ErrorName>
        failure = original(self, env, ex)
        if isinstance(ex, ClientError):
            failure.error_name = CustomErrorName(f"Lambda.{ex.response['Error']['Code']}")
            failure.event_details["lambdaFunctionFailedEventDetails"]["error"] = failure.error_name.error_name
        return failure

    monkeypatch.setattr(LambdaFunction, "invoke", invoke)
    monkeypatch.setattr(StateTaskLambda, "_from_error", from_error)
    yield {**local, "waits": waits, "throttle": throttle}


def run(interpreter: dict, order: dict) -> tuple[dict, list[dict]]:
    sfn = interpreter["sfn"]
    execution = sfn.start_execution(stateMachineArn=interpreter["arn"], name=order["order_id"],
                                    input=json.dumps(order))["executionArn"]
    for _ in range(600):
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described, sfn.get_execution_history(executionArn=execution)["events"]
        time.sleep(0.05)
    raise AssertionError(f"{execution} still running")


def entered(history: list[dict]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]


def order(order_id: str, country: str = "FR", quantity: int = 2) -> dict:
    return {"order_id": order_id, "items": [{"sku": "mug", "quantity": quantity}], "amount": 2400,
            "address": {"country": country, "city": "Lyon"}}


def stock_of(interpreter: dict, sku: str) -> int:
    return int(interpreter["stock"].get_item(Key={"pk": f"stock#{sku}"})["Item"]["available"])


@pytest.fixture(autouse=True)
def stocked(local) -> None:
    local["stock"].put_item(Item={"pk": "stock#mug", "available": 10})


def test_the_definition_is_the_one_the_stack_deploys(local) -> None:
    states = local["definition"]["States"]
    assert local["definition"]["StartAt"] == "ValidateOrder"
    assert states["ShipOrder"]["Catch"][0]["Next"] == "Refund" and states["Refund"]["Next"] == "ReleaseStock"
    assert "Lambda.TooManyRequestsException" in states["ChargePayment"]["Retry"][0]["ErrorEquals"]


def test_an_order_is_validated_reserved_charged_and_shipped(interpreter) -> None:
    described, history = run(interpreter, order("o-1"))
    assert described["status"] == "SUCCEEDED", history
    output = json.loads(described["output"])
    assert output["shipment"] == {"tracking_id": "TRK-o-1", "country": "FR"}
    assert output["payment"]["status"] == "charged" and output["reservation"] == {"reserved": True}
    assert entered(history) == ["ValidateOrder", "ReserveStock", "ChargePayment", "ShipOrder", "OrderShipped"]
    assert stock_of(interpreter, "mug") == 8
    assert interpreter["payments"].get_item(Key={"order_id": "o-1"})["Item"]["status"] == "charged"
    assert interpreter["waits"] == []


def test_a_throttled_invocation_is_retried_with_jittered_backoff(interpreter) -> None:
    interpreter["throttle"].append(next(name for name in interpreter["handlers"] if name.startswith("Charge")))
    described, history = run(interpreter, order("o-2"))
    assert described["status"] == "SUCCEEDED", history
    failures = [e["lambdaFunctionFailedEventDetails"]["error"] for e in history if e["type"] == "LambdaFunctionFailed"]
    assert failures == ["Lambda.TooManyRequestsException"]
    assert len(interpreter["waits"]) == 1 and 0 <= interpreter["waits"][0] <= 2  # full jitter: up to 2 s
    assert entered(history).count("ChargePayment") == 1  # retried inside the state: charged once
    assert interpreter["payments"].get_item(Key={"order_id": "o-2"})["Item"]["status"] == "charged"


def test_a_failed_shipment_is_refunded_and_its_stock_released(interpreter) -> None:
    described, history = run(interpreter, order("o-3", country="ZZ"))
    assert described["status"] == "FAILED"
    assert described["error"] == "ShipmentFailed" and "no carrier ships to ZZ" in described["cause"]
    assert entered(history) == ["ValidateOrder", "ReserveStock", "ChargePayment", "ShipOrder", "Refund",
                                "ReleaseStock", "OrderFailed"]
    assert interpreter["payments"].get_item(Key={"order_id": "o-3"})["Item"]["status"] == "refunded"
    assert stock_of(interpreter, "mug") == 10
    assert interpreter["waits"] == []  # a handler's own error is not retried
