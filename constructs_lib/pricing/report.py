"""The monthly cost of every stack of a cloud assembly, the account's free tier, and cost diffs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from ..core.templates import construct_path
from .facts import Line, Resource, TemplateFacts
from .prices import FREE_TIERS, PRICES, RECORDED, REGION
from .resources import PRICERS, is_free
from .workload import Workload


def price_assembly(assembly: Path, workload: Optional[Workload] = None, free_tier: bool = True) -> dict[str, Any]:
    """Every stack's fixed and usage cost, itemized by construct path; the free tier once for all."""
    workload = workload or Workload()
    stacks: dict[str, Any] = {}
    metered: dict[str, float] = {}
    for template_path in sorted(assembly.rglob("*.template.json")):
        stack = template_path.name.removesuffix(".template.json")
        resources = json.loads(template_path.read_text()).get("Resources", {})
        stacks[stack] = _price_stack(stack, resources, workload, metered)
    free = _free_tier(metered) if free_tier else []
    free_total = sum(item["usd"] for item in free)
    return {
        "region": REGION, "prices_recorded": RECORDED,
        "stacks": stacks,
        "free_tier": {"total": free_total, "items": free},
        "total_monthly": sum(stack["total_monthly"] for stack in stacks.values()) - free_total,
    }


def _price_stack(stack: str, resources: dict[str, Any], workload: Workload, metered: dict[str, float]) -> dict[str, Any]:
    facts = TemplateFacts.of(resources)
    sections: dict[str, list[dict[str, Any]]] = {"fixed": [], "usage": []}
    not_priced: list[dict[str, str]] = []
    for logical_id, resource in resources.items():
        kind = resource.get("Type", "")
        if is_free(kind):
            continue
        path = construct_path(resource, stack, logical_id)
        pricer = PRICERS.get(kind)
        lines = pricer(Resource(logical_id, kind, resource.get("Properties", {}), facts,
                                workload.of(stack, path, logical_id), workload.defaults_of(kind))) if pricer else None
        if lines is None:
            not_priced.append({"logical_id": logical_id, "type": kind})
            continue
        for line in lines:
            if line.meter:
                metered[line.meter] = metered.get(line.meter, 0.0) + line.quantity
            sections[line.kind].append({"path": path, "logical_id": logical_id, "type": kind,
                                        "usd": _usd(line), "basis": _basis(line)})
    fixed_total = sum(item["usd"] for item in sections["fixed"])
    usage_total = sum(item["usd"] for item in sections["usage"])
    return {
        "fixed_monthly": {"total": fixed_total, "items": sections["fixed"]},
        "usage_monthly": {"total": usage_total, "items": sections["usage"]},
        "total_monthly": fixed_total + usage_total,
        "not_priced": not_priced,
    }


def _usd(line: Line) -> float:
    return PRICES[line.meter].cost(line.quantity) if line.meter else 0.0


def _basis(line: Line) -> str:
    if not line.meter:
        return line.what
    price = PRICES[line.meter]
    return f"{line.what}: {_amount(line.quantity)} {price.unit} at {price.words()}"


def _amount(quantity: float) -> str:
    return f"{quantity:,.0f}" if quantity == int(quantity) else f"{quantity:,.2f}"


def _free_tier(metered: dict[str, float]) -> list[dict[str, Any]]:
    """What the always-free allowances take off, once for the whole account (dearest meters first)."""
    items: list[dict[str, Any]] = []
    for tier in FREE_TIERS:
        left, saved = tier.units, 0.0
        for meter in sorted(tier.meters, key=lambda m: -PRICES[m].usd / PRICES[m].per):
            used = min(left, metered.get(meter, 0.0))
            saved += PRICES[meter].cost(used)
            left -= used
        if saved > 0:
            items.append({"what": tier.what, "usd": saved})
    return items


def render(report: dict[str, Any]) -> str:
    lines = [f"Monthly cost at {report['region']} list prices (recorded {report['prices_recorded']}); "
             "fixed: standing still, usage: at the workload given"]
    for stack, cost in report["stacks"].items():
        lines += ["", f"Stack {stack}: fixed ${cost['fixed_monthly']['total']:,.2f}, "
                      f"usage ${cost['usage_monthly']['total']:,.2f}, total ${cost['total_monthly']:,.2f} a month"]
        for kind in ("fixed", "usage"):
            for item in cost[f"{kind}_monthly"]["items"]:
                lines.append(f"  {kind:<5} {item['usd']:>10,.2f}  {item['path']}: {item['basis']}")
        for item in cost["not_priced"]:
            lines.append(f"  NOT PRICED       {item['logical_id']} ({item['type']})")
    free = report["free_tier"]
    if free["items"]:
        lines += ["", f"Free tier, once per account: -${free['total']:,.2f}"]
        lines += [f"  {-item['usd']:>10,.2f}  {item['what']}" for item in free["items"]]
    lines += ["", f"Total: ${report['total_monthly']:,.2f} a month"]
    return "\n".join(lines)


def _by_resource(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for stack, cost in report["stacks"].items():
        for kind in ("fixed", "usage"):
            for item in cost[f"{kind}_monthly"]["items"]:
                entry = found.setdefault((stack, item["logical_id"]), {
                    "stack": stack, "path": item["path"], "logical_id": item["logical_id"], "type": item["type"],
                    "usd": 0.0})
                entry["usd"] += item["usd"]
    return found


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What a change adds, removes or changes a month, resource by resource."""
    before, after = _by_resource(old), _by_resource(new)
    changed: list[dict[str, Any]] = []
    for key in sorted(before.keys() & after.keys()):
        delta = after[key]["usd"] - before[key]["usd"]
        if abs(delta) >= 0.005:
            changed.append({**after[key], "old_usd": before[key]["usd"], "usd": after[key]["usd"], "delta": delta})
    return {
        "added": [after[key] for key in sorted(after.keys() - before.keys())],
        "removed": [before[key] for key in sorted(before.keys() - after.keys())],
        "changed": changed,
        "total_monthly": {"old": old["total_monthly"], "new": new["total_monthly"],
                          "delta": new["total_monthly"] - old["total_monthly"]},
    }


def render_diff(change: dict[str, Any]) -> str:
    lines: list[str] = []
    for sign, entries in (("+", change["added"]), ("-", change["removed"])):
        for entry in entries:
            lines.append(f"{sign} {entry['usd']:>10,.2f}  {entry['stack']}/{entry['path']} ({entry['type']})")
    for entry in change["changed"]:
        lines.append(f"~ {entry['delta']:>+10,.2f}  {entry['stack']}/{entry['path']} ({entry['type']}): "
                     f"${entry['old_usd']:,.2f} -> ${entry['usd']:,.2f}")
    total = change["total_monthly"]
    lines.append(f"Total: ${total['old']:,.2f} -> ${total['new']:,.2f} a month ({total['delta']:+,.2f})")
    return "\n".join(lines)
