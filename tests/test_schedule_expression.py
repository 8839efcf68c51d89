"""EventBridge schedule expressions: what EventBridge accepts passes, what it refuses is explained."""

from __future__ import annotations

import pytest

from constructs_lib.patterns.scheduled.expression import problems_of


@pytest.mark.parametrize("expression", [
    "rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)",
    "cron(0 * * * ? *)", "cron(5 12 ? * MON-FRI *)", "cron(0/15 8-17 ? * 2-6 *)", "cron(0 0 L * ? *)",
    "cron(0 0 LW * ? *)", "cron(0 0 15W * ? *)", "cron(0 10 ? * 6L 2027)", "cron(0 10 ? * MON#2 *)",
    "cron(30 9 1,15 JAN,JUL ? 2026-2030)", "cron(*/5 * * * ? *)",
])
def test_valid_expressions(expression: str) -> None:
    assert problems_of(expression) == []


@pytest.mark.parametrize("expression, problem", [
    ("rate(30 seconds)", "rate unit 'seconds' must be minute(s), hour(s) or day(s)"),
    ("rate(0 minutes)", "rate value '0' must be a whole number of 1 or more"),
    ("rate(1.5 hours)", "rate value '1.5' must be a whole number"),
    ("rate(1 minutes)", "rate unit 'minutes' must be 'minute' for the value 1"),
    ("rate(5 hour)", "rate unit 'hour' must be 'hours' for the value 5"),
    ("cron(0 0 1 * MON *)", "exactly one of them must be '?'"),
    ("cron(0 0 ? * ? *)", "exactly one of them must be '?'"),
    ("cron(0 0 * * *)", "cron needs 6 fields"),
    ("cron(60 * * * ? *)", "cron minutes '60' must be 0-59"),
    ("cron(0 24 * * ? *)", "cron hours '24' must be 0-23"),
    ("cron(0 0 32 * ? *)", "cron day-of-month '32' must be 1-31"),
    ("cron(0 0 ? FOO * *)", "cron month 'FOO' must be 1-12 or JAN-DEC"),
    ("cron(0 0 ? * 8 *)", "cron day-of-week '8' must be 1-7 or SUN-SAT"),
    ("cron(0 0 1 * ? 1969)", "cron year '1969' must be 1970-2199"),
    ("cron(0/0 * * * ? *)", "cron minutes step '0' must be a whole number of 1 or more"),
    ("cron(? * * * ? *)", "cron minutes cannot be '?'"),
    ("cron(0 0 ? * MON#6 *)", "the week number after '#' must be 1-5"),
    ("cron(0 0 1-2-3 * ? *)", "is not a value, range, list or step"),
    ("every hour", "must be 'rate(value unit)' or 'cron("),
])
def test_invalid_expressions(expression: str, problem: str) -> None:
    problems = problems_of(expression)
    assert len(problems) == 1 and problem in problems[0], problems
