"""A workflow's definition, rendered once to Amazon States Language and checked where a deployment or an execution
would fail: it must render, a step must not pull a whole S3 object into the state, and a Map state should not
outrun the reserved concurrency of the function it invokes."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from aws_cdk import Annotations
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from ...core.validation import Checks
from .function_step import step_invoking

# https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html ("Maximum input or output size for a
# task, state, or execution": 262,144 bytes of data as a UTF-8 encoded string; larger fails the execution with
# States.DataLimitExceeded).
PAYLOAD_LIMIT_BYTES = 262_144
GET_OBJECT = ":s3:getObject"
MAP_CONCURRENCY = "constructs_lib:Workflow:mapConcurrency"


def render(scope: Construct, checks: Checks, definition: sfn.IChainable) -> Optional[sfn.StateGraph]:
    """The definition's state graph, or None with the reason recorded when aws-cdk-lib cannot render it."""
    reasons = [message for state in sfn.State.find_reachable_states(definition.start_state,
                                                                     include_error_handlers=True)
               for message in state.node.validate()]  # what aws-cdk-lib would report only at synth
    graph = None
    try:
        graph = sfn.StateGraph(definition.start_state, f"Workflow {scope.node.path}")
        graph.to_graph_json()
    except Exception as error:  # noqa: BLE001 - jsii raises aws-cdk-lib's own errors as RuntimeError or JSIIError
        reasons.append(str(error).splitlines()[0] if str(error) else type(error).__name__)
    for reason in reasons:
        checks.fail("definition", definition.start_state.id, f"does not render as a state machine: {reason} "
                    "(Amazon States Language: https://states-language.net/spec.html)")
    return None if reasons else graph


def states(graph_json: Any, enclosing_map: Optional[str] = None) -> Iterator[tuple[str, dict[str, Any], Optional[str]]]:
    """(name, state, the Map state it runs in) of every state, those of Map and Parallel states included."""
    for name, state in dict(graph_json.get("States", {})).items():
        state = dict(state)
        yield name, state, enclosing_map
        if state.get("Type") == "Map":
            processor: Any = state.get("ItemProcessor") or state.get("Iterator") or {}
            yield from states(processor, name)
        for branch in state.get("Branches", []):
            yield from states(branch, enclosing_map)


def check_payloads(checks: Checks, graph_json: Any) -> None:
    for name, state, _ in states(graph_json):
        resource = str(state.get("Resource", ""))
        if not resource.endswith(GET_OBJECT) or "ResultPath" in state and state["ResultPath"] is None:
            continue
        selector = state.get("ResultSelector")
        if selector is not None and "$.Body" not in str(selector):
            continue  # the task keeps the object's metadata only
        checks.fail(
            "definition", name,
            f"passes a whole S3 object (s3:getObject's Body) into the state: Step Functions fails an execution whose "
            f"state exceeds {PAYLOAD_LIMIT_BYTES:,} bytes (256 KiB) with States.DataLimitExceeded "
            "(https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); pass the bucket and key and "
            "read the object in a function, or keep only its metadata with result_selector",
        )


def warn_unbounded_maps(scope: Construct, graph_json: Any) -> None:
    maps = {name: state for name, state, _ in states(graph_json) if state.get("Type") == "Map"}
    for name, state, enclosing in states(graph_json):
        step = step_invoking(str(state.get("Resource", ""))) if state.get("Type") == "Task" else None
        if enclosing is None or step is None or step.reserved_concurrency is None:
            continue
        if maps[enclosing].get("MaxConcurrency"):
            continue
        Annotations.of(scope).add_warning_v2(
            MAP_CONCURRENCY,
            f"Map state '{enclosing}' has no max_concurrency and runs '{name}', which invokes {step.function_path} "
            f"with reserved concurrency {step.reserved_concurrency}: iterations above it are throttled and, after "
            f"the retries, fail the Map; set max_concurrency to at most {step.reserved_concurrency} "
            "(https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html)",
        )
