"""Offline cost estimates of cloud assemblies: a price per resource type, workloads, free tiers, diffs."""

from .prices import FREE_TIERS, PRICES, RECORDED, REGION, Price
from .report import diff, price_assembly, render, render_diff
from .workload import Workload, WorkloadError, load_workload

__all__ = ["FREE_TIERS", "PRICES", "Price", "RECORDED", "REGION", "Workload", "WorkloadError", "diff",
           "load_workload", "price_assembly", "render", "render_diff"]
