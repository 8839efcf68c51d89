"""How often a schedule expression runs in an average month (730 hours), for workloads the template knows."""

from __future__ import annotations

import re
from typing import Optional

HOURS_PER_MONTH = 730
DAYS_PER_MONTH = HOURS_PER_MONTH / 24  # 30.4167
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
UNIT_HOURS = {"minute": 1 / 60, "minutes": 1 / 60, "hour": 1, "hours": 1, "day": 24, "days": 24}
# cron fields: minutes, hours, day of month, month, day of week, year; their value ranges.
FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7))
NAMES = {name: i + 1 for i, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())} | {
    name: i + 1 for i, name in enumerate("SUN MON TUE WED THU FRI SAT".split())}


def runs_per_month(expression: str) -> Optional[float]:
    """rate(), cron() or at() expression -> runs in an average month; None when it cannot be read."""
    rate = re.fullmatch(r"rate\((\d+)\s+(\w+)\)", expression.strip())
    if rate and rate.group(2) in UNIT_HOURS:
        return HOURS_PER_MONTH / (int(rate.group(1)) * UNIT_HOURS[rate.group(2)])
    if re.fullmatch(r"at\(.+\)", expression.strip()):
        return 1.0
    cron = re.fullmatch(r"cron\((.+)\)", expression.strip())
    if not cron:
        return None
    fields = cron.group(1).split()
    if len(fields) != 6:
        return None
    counts = [_count(field, low, high) for field, (low, high) in zip(fields, FIELD_RANGES)]
    known = [count for count in counts if count is not None]
    if len(known) != len(counts):
        return None
    minutes, hours, days_of_month, months, days_of_week = known
    if fields[2] not in ("*", "?"):
        days = float(days_of_month)
    elif fields[4] not in ("*", "?"):
        days = days_of_week * WEEKS_PER_MONTH
    else:
        days = DAYS_PER_MONTH
    return minutes * hours * days * months / 12


def _count(field: str, low: int, high: int) -> Optional[int]:
    """How many values a cron field takes (L, W and # count as one)."""
    values: set[int] = set()
    for part in field.upper().split(","):
        if part in ("*", "?"):
            values |= set(range(low, high + 1))
            continue
        if re.fullmatch(r"\d*L|\d+W|LW|\w+#\d", part):
            values.add(-len(values) - 1)  # one day, whichever
            continue
        step = re.fullmatch(r"(\*|[\w]+(?:-[\w]+)?)/(\d+)", part)
        span = step.group(1) if step else part
        every = int(step.group(2)) if step else 1
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, last = span.split("-")
            start, end = _value(first), _value(last)
        else:
            start = _value(span)
            end = high if step else start
        if start is None or end is None:
            return None
        values |= set(range(start, end + 1, every))
    return len(values)


def _value(token: str) -> Optional[int]:
    if token.isdigit():
        return int(token)
    return NAMES.get(token)
