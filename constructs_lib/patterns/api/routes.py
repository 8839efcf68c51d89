"""Routes of an API, as "METHOD /path" strings, checked the way API Gateway checks them when it creates them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional, Sequence, get_args

from ...core.validation import Checks

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]
METHODS: tuple[HttpMethod, ...] = get_args(HttpMethod)
DEFAULT_ROUTES = ("ANY /{proxy+}",)
LITERAL = re.compile(r"[A-Za-z0-9._~-]+")
VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str

    @property
    def segments(self) -> list[str]:
        return [s for s in self.path.split("/") if s]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def parse_routes(checks: Checks, routes: Optional[Sequence[str]]) -> list[Route]:
    """The routes, each checked; every broken rule is recorded in `checks` (the route is then left out)."""
    parsed: list[Route] = []
    for text in DEFAULT_ROUTES if routes is None else routes:
        route = _parse(checks, text)
        if route is None:
            continue
        if route in parsed:
            checks.fail("routes", text, "is given twice")
            continue
        parsed.append(route)
    checks.require(routes is None or bool(routes), "routes", routes, "must name at least one route")
    check_variables(checks, parsed)
    return parsed


def _parse(checks: Checks, text: object) -> Optional[Route]:
    if not isinstance(text, str) or text.count(" ") != 1:
        checks.fail("routes", text, "must be 'METHOD /path', e.g. 'GET /orders/{id}'")
        return None
    method, path = text.split(" ")
    if method not in METHODS:
        checks.fail("routes", text, f"has method {method!r}: use one of {', '.join(METHODS)}")
        return None
    if path == "/":
        return Route(method, path)
    segments = path.split("/")
    if segments[0] != "" or "" in segments[1:]:
        checks.fail("routes", text, "must have a path that starts with '/' and has no empty segment or trailing '/'")
        return None
    for index, segment in enumerate(segments[1:], start=1):
        variable = VARIABLE.fullmatch(segment)
        if variable and variable.group(2) and index != len(segments) - 1:
            checks.fail("routes", text, f"has the greedy variable {segment} before the last segment")
            return None
        if not variable and not LITERAL.fullmatch(segment):
            checks.fail(
                "routes", text,
                f"has the segment {segment!r}: use letters, digits, '-', '.', '_', '~', or a variable "
                "'{name}' ('{name+}' as the last segment)",
            )
            return None
    return Route(method, path)


def check_variables(checks: Checks, routes: list[Route]) -> None:
    """API Gateway allows one variable name per position under a path: /orders/{id} and /orders/{orderId}
    cannot both exist."""
    names: dict[tuple[str, ...], set[str]] = {}
    for route in routes:
        for index, segment in enumerate(route.segments):
            variable = VARIABLE.fullmatch(segment)
            if variable:
                names.setdefault(tuple(route.segments[:index]), set()).add(segment)
    for parent, variables in names.items():
        if len(variables) > 1:
            checks.fail(
                "routes", sorted(variables),
                f"name different variables at the same place under '/{'/'.join(parent)}': use one name",
            )
