"""The HTTP API's route matching, as API Gateway does it: the one matcher of the runtime (the HTTP
server and the in-process test harness both use it).

Most specific first: literal segments before {variables} before {greedy+}, a method before ANY,
$default last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from infra.local.specs import RouteSpec


@dataclass
class _CompiledRoute:
    route: RouteSpec
    pattern: re.Pattern[str] | None  # None for $default
    names: list[str]
    rank: tuple[Any, ...]


def _compile(route: RouteSpec) -> _CompiledRoute:
    if route.path == "$default":
        return _CompiledRoute(route, None, [], (2, ()))
    regex, names, kinds = "", [], []
    for segment in route.path.strip("/").split("/") if route.path != "/" else []:
        variable = re.fullmatch(r"\{([^}]+?)(\+)?\}", segment)
        if variable and variable.group(2):
            regex += "/(.+)"
            names.append(variable.group(1) + "+")
            kinds.append(2)
        elif variable:
            regex += "/([^/]+)"
            names.append(variable.group(1))
            kinds.append(1)
        else:
            regex += "/" + re.escape(segment)
            kinds.append(0)
    pattern = re.compile((regex or "/") + "$")
    return _CompiledRoute(route, pattern, names, (0 if 2 not in kinds else 1, tuple(kinds), route.method == "ANY"))


class Router:
    def __init__(self, routes: list[RouteSpec]) -> None:
        self.routes = sorted((_compile(r) for r in routes), key=lambda c: c.rank)

    def match(self, method: str, path: str) -> tuple[RouteSpec, dict[str, str]] | None:
        for compiled in self.routes:
            route = compiled.route
            if route.method not in ("ANY", method):
                continue
            if compiled.pattern is None:
                return route, {}
            found = compiled.pattern.match(path)
            if found:
                # API Gateway names a greedy variable without its "+" in pathParameters.
                params = {name.rstrip("+"): value for name, value in zip(compiled.names, found.groups(), strict=True)}
                return route, params
        return None
