"""Percentiles of a sample (numpy, from the shared layer): {"values": [...], "percentiles": [50, 90, 99]}.

2 to 100,000 finite values and 1 to 20 percentiles between 0 and 100 (default 50, 90, 99). Anything else is
answered {"error": "..."} and logged.
"""

import math

import numpy
from aws_lambda_powertools import Logger

logger = Logger()
MAX_VALUES = 100_000
DEFAULT_PERCENTILES = (50, 90, 99)


def numbers(value: object, name: str, low: int, high: int) -> list[float]:
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise ValueError(f"'{name}' must be a list of {low} to {high} numbers")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        raise ValueError(f"'{name}' must hold finite numbers only")
    return [float(v) for v in value]


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    try:
        if not isinstance(event, dict):
            raise ValueError("the event must be a JSON object")
        values = numbers(event.get("values"), "values", 2, MAX_VALUES)
        wanted = numbers(event.get("percentiles", list(DEFAULT_PERCENTILES)), "percentiles", 1, 20)
        if not all(0 <= p <= 100 for p in wanted):
            raise ValueError("'percentiles' must be between 0 and 100")
    except ValueError as error:
        logger.warning("bad request", extra={"error": str(error)})
        return {"error": str(error)}
    found = numpy.percentile(numpy.array(values), wanted)
    return {"percentiles": {f"p{p:g}": float(v) for p, v in zip(wanted, found)}}
