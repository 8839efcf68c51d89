"""``python -m constructs_lib.cost``: what a stack costs a month (the command is `cli.cost`; the Lambda
estimate is `pricing.lambda_estimate`)."""

from __future__ import annotations

import sys

from .cli.cost import main
from .pricing.lambda_estimate import PRICES, CostBreakdown, CostInputError, estimate_monthly_cost

__all__ = ["PRICES", "CostBreakdown", "CostInputError", "estimate_monthly_cost", "main"]

if __name__ == "__main__":
    sys.exit(main())
