"""Application Auto Scaling of an alias's provisioned concurrency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from aws_cdk import aws_lambda as lambda_

from ..core.validation import Checks, is_unresolved


@dataclass(frozen=True)
class ProvisionedConcurrencyScaling:
    """Application Auto Scaling of the alias's provisioned concurrency, tracking its utilization.

    :param min_capacity: fewest provisioned environments, 1 or more.
    :param max_capacity: most provisioned environments, at least ``min_capacity``.
    :param target_utilization: share of the provisioned environments in use that scaling aims at,
        0.1-0.9 (default 0.7, AWS's suggested starting point).
    """

    min_capacity: int
    max_capacity: int
    target_utilization: float = 0.7

    def check(self, checks: Checks, provisioned: Optional[int]) -> None:
        prop = "provisioned_concurrency_scaling"
        checks.require(provisioned is not None, prop, "given", "needs provisioned_concurrency")
        checks.require(self.min_capacity >= 1, prop, self.min_capacity, "min_capacity must be 1 or more")
        checks.require(
            self.max_capacity >= self.min_capacity, prop, self.max_capacity,
            f"max_capacity must be at least min_capacity ({self.min_capacity})",
        )
        checks.within(f"{prop}.target_utilization", self.target_utilization, 0.1, 0.9)
        if provisioned is not None and not is_unresolved(provisioned):
            checks.require(
                self.min_capacity <= provisioned <= self.max_capacity, "provisioned_concurrency", provisioned,
                f"must be between the scaling's min_capacity ({self.min_capacity}) and max_capacity "
                f"({self.max_capacity})",
            )

    def apply(self, alias: lambda_.Alias) -> None:
        alias.add_auto_scaling(
            min_capacity=self.min_capacity, max_capacity=self.max_capacity
        ).scale_on_utilization(utilization_target=self.target_utilization)
