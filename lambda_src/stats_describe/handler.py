"""Describes a sample: count, min, max, mean, variance, skewness, kurtosis (scipy, from the shared layer).

Event: {"values": [numbers]} with 2 to 100,000 finite numbers. Anything else is answered
{"error": "..."} (and logged): a bad request is the caller's to fix, not a failure to retry.
"""

import math

from aws_lambda_powertools import Logger
from scipy import stats

logger = Logger()
MAX_VALUES = 100_000


def sample_of(event: object) -> list[float]:
    values = event.get("values") if isinstance(event, dict) else None
    if not isinstance(values, list) or not 2 <= len(values) <= MAX_VALUES:
        raise ValueError(f"'values' must be a list of 2 to {MAX_VALUES} numbers")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
        raise ValueError("'values' must hold finite numbers only")
    return [float(v) for v in values]


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    try:
        sample = sample_of(event)
    except ValueError as error:
        logger.warning("bad request", extra={"error": str(error)})
        return {"error": str(error)}
    described = stats.describe(sample)
    return {"count": int(described.nobs), "min": float(described.minmax[0]), "max": float(described.minmax[1]),
            "mean": float(described.mean), "variance": float(described.variance),
            "skewness": float(described.skewness), "kurtosis": float(described.kurtosis)}
