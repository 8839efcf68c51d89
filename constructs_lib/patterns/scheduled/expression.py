"""Checks EventBridge schedule expressions, `rate(...)` and `cron(...)`, as EventBridge would at deploy.

Rules from the EventBridge user guide ("Schedule expressions for rules"):
- ``rate(value unit)``: a positive whole value; unit minute(s), hour(s) or day(s), singular for 1.
- ``cron(minutes hours day-of-month month day-of-week year)``: six fields; one of day-of-month and
  day-of-week must be ``?``; field values within their ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
RATE = re.compile(r"rate\((?P<value>\S+) (?P<unit>\S+)\)")
CRON = re.compile(r"cron\((?P<fields>.*)\)")
RATE_UNITS = {"minute", "hour", "day"}


@dataclass(frozen=True)
class Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    specials: str = ""  # characters allowed beyond , - * /

    def value(self, text: str) -> int | None:
        if text.isdigit():
            return int(text)
        if text.upper() in self.names:
            return self.names.index(text.upper()) + self.low
        return None


FIELDS = (
    Field("minutes", 0, 59),
    Field("hours", 0, 23),
    Field("day-of-month", 1, 31, specials="?LW"),
    Field("month", 1, 12, MONTHS),
    Field("day-of-week", 1, 7, WEEKDAYS, specials="?L#"),
    Field("year", 1970, 2199),
)


def problems_of(expression: str) -> list[str]:
    """What is wrong with a schedule expression; empty when EventBridge accepts it."""
    if match := RATE.fullmatch(expression):
        return _rate_problems(match["value"], match["unit"])
    if match := CRON.fullmatch(expression):
        return _cron_problems(match["fields"].split())
    return ["must be 'rate(value unit)' or 'cron(minutes hours day-of-month month day-of-week year)'"]


def _rate_problems(value: str, unit: str) -> list[str]:
    if not value.isdigit() or int(value) < 1:
        return [f"rate value '{value}' must be a whole number of 1 or more (EventBridge's finest rate is 1 minute)"]
    singular = unit.rstrip("s")
    if singular not in RATE_UNITS:
        return [f"rate unit '{unit}' must be minute(s), hour(s) or day(s): EventBridge has no finer rate"]
    expected = singular if int(value) == 1 else singular + "s"
    if unit != expected:
        return [f"rate unit '{unit}' must be '{expected}' for the value {value}"]
    return []


def _cron_problems(fields: list[str]) -> list[str]:
    if len(fields) != len(FIELDS):
        return [f"cron needs 6 fields (minutes hours day-of-month month day-of-week year), given {len(fields)}"]
    problems = [p for spec, text in zip(FIELDS, fields) for p in _field_problems(spec, text)]
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        problems.append(
            f"cron day-of-month '{day_of_month}' and day-of-week '{day_of_week}': exactly one of them "
            "must be '?' (EventBridge cannot match both)"
        )
    return problems


def _field_problems(spec: Field, text: str) -> list[str]:
    if text == "?":
        return [] if "?" in spec.specials else [f"cron {spec.name} cannot be '?'"]
    return [p for item in text.split(",") for p in _item_problems(spec, item)]


def _item_problems(spec: Field, item: str) -> list[str]:
    base, _, step = item.partition("/")
    if step and (not step.isdigit() or int(step) < 1):
        return [f"cron {spec.name} step '{step}' must be a whole number of 1 or more"]
    if base == "*":
        return []
    if "L" in spec.specials and base in ("L", "LW"):
        return [] if base == "L" or "W" in spec.specials else [f"cron {spec.name} '{base}' is not allowed"]
    if "W" in spec.specials and base.endswith("W"):
        base = base[:-1]
    elif "#" in spec.specials and "#" in base:
        base, _, nth = base.partition("#")
        if nth not in {"1", "2", "3", "4", "5"}:
            return [f"cron {spec.name} '{item}': the week number after '#' must be 1-5"]
    elif "L" in spec.specials and base.endswith("L") and spec.name == "day-of-week":
        base = base[:-1]
    bounds = base.split("-")
    if len(bounds) > 2 or not all(bounds):
        return [f"cron {spec.name} '{item}' is not a value, range, list or step"]
    for bound in bounds:
        value = spec.value(bound)
        if value is None or not spec.low <= value <= spec.high:
            allowed = f"{spec.low}-{spec.high}" + (f" or {spec.names[0]}-{spec.names[-1]}" if spec.names else "")
            return [f"cron {spec.name} '{bound}' must be {allowed}"]
    return []
