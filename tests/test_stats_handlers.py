"""LayerDemo's handlers, with the packages the layer ships (scipy, numpy): answers, and bad requests."""

from __future__ import annotations

import pytest

from tests.handlers import Context, load_handler
from tests.helpers import ROOT

HANDLERS = ROOT / "lambda_src"


@pytest.fixture(scope="module")
def describe():
    return load_handler(HANDLERS / "stats_describe" / "handler.py", "stats_describe")


@pytest.fixture(scope="module")
def percentiles():
    return load_handler(HANDLERS / "stats_percentiles" / "handler.py", "stats_percentiles")


def test_describe(describe) -> None:
    answer = describe.handler({"values": [1, 2, 3, 4, 10]}, Context())
    assert (answer["count"], answer["min"], answer["max"], answer["mean"]) == (5, 1.0, 10.0, 4.0)
    assert answer["variance"] == pytest.approx(12.5) and answer["skewness"] > 0


def test_percentiles(percentiles) -> None:
    answer = percentiles.handler({"values": list(range(1, 101)), "percentiles": [50, 90]}, Context())
    assert answer == {"percentiles": {"p50": pytest.approx(50.5), "p90": pytest.approx(90.1)}}
    assert set(percentiles.handler({"values": [1, 2]}, Context())["percentiles"]) == {"p50", "p90", "p99"}


@pytest.mark.parametrize(("event", "error"), [
    ({}, "'values' must be a list of 2 to 100000 numbers"),
    ({"values": [1]}, "'values' must be a list of 2 to 100000 numbers"),
    ({"values": "1,2"}, "'values' must be a list of 2 to 100000 numbers"),
    ({"values": [1, "2"]}, "'values' must hold finite numbers only"),
    ({"values": [1, float("nan")]}, "'values' must hold finite numbers only"),
    ({"values": [1, True]}, "'values' must hold finite numbers only"),
])
def test_bad_requests_are_answered_not_raised(describe, percentiles, event: dict, error: str) -> None:
    assert describe.handler(event, Context()) == {"error": error}
    assert percentiles.handler(event, Context()) == {"error": error}


def test_bad_percentiles(percentiles) -> None:
    for wanted, error in (([], "'percentiles' must be a list of 1 to 20 numbers"),
                          ([101], "'percentiles' must be between 0 and 100")):
        assert percentiles.handler({"values": [1, 2], "percentiles": wanted}, Context()) == {"error": error}
    assert percentiles.handler([1, 2], Context()) == {"error": "the event must be a JSON object"}
