"""Mockoon environment files (what the Mockoon app saves and `mockoon-cli import` writes): `routes[]`, each a method,
an endpoint under the environment's endpointPrefix, and responses (statusCode, headers[], body, rules[], default).

Each route whose endpoint serves the operation's path is asked it with the ids given (a `:param` is one non-empty
segment), then the variants of asking.py. A request is the route's only when Mockoon would not serve it from a route
before it; its response is the one the rules choose (mockoon_rules.py). A body is kept as the file holds it,
templating and all. Locations: `route <uuid or index> (<METHOD path>), response <n>`, indexes from 0 as in the file."""

from __future__ import annotations

from typing import Any

from conformance.audit.formats import asking
from conformance.audit.formats.asking import Asked
from conformance.audit.formats.fields import Broken, shown
from conformance.audit.formats.mockoon_routes import Route, headers_of, route_of, served_order
from conformance.audit.formats.mockoon_rules import Choice, choose
from conformance.audit.recorded import Recorded


def is_environment(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("routes"), list) and ("lastMigration" in doc or "endpointPrefix" in doc)


def exchanges(doc: dict[str, Any], source: str, limit: int, ids: tuple[str, str, str]) -> tuple[list[Recorded], list[str]]:
    prefix = doc.get("endpointPrefix") or ""
    if not isinstance(prefix, str):
        raise Broken(f"endpointPrefix is not text: {shown(prefix)}")
    shared = headers_of(doc.get("headers"), "headers")
    routes = [route_of(spec, index, prefix, limit) for index, spec in enumerate(doc["routes"])]
    order = served_order(doc, doc["routes"])
    served = [routes[index] for index in order]
    found, notes = [], []
    for index, route in enumerate(routes):
        said = f"{source}: {route.location}"
        if index not in order:
            notes.append(f"{said}: in no folder of the environment, so Mockoon does not serve it: not audited")
        elif route.not_asked:
            notes.append(f"{said}: not audited: {route.not_asked}")
        else:
            made, note = _route_exchanges(route, served, shared, source, ids)
            found += made
            notes += [f"{said}: {note}"] if note else []
    return found, notes


def _route_exchanges(
    route: Route, served: list[Route], shared: dict[str, str], source: str, ids: tuple[str, str, str]
) -> tuple[list[Recorded], str]:
    method = "GET" if route.method == "ALL" else route.method
    note = "the operation's path with the ids given: its endpoint matches it"
    first = Asked(method, asking.operation_path(ids), (), {"authorization": asking.STAND_IN_AUTHORIZATION}, note)
    asked = asking.asked_of(first, lambda one: route.params(one.path) is not None, "the route's endpoint", _any(route))
    if not asked:
        return [], f"answers no request of this operation ({first.path} is not its endpoint, nor any variant's path)"
    made = []
    for one in asked:
        # Mockoon tries its routes in order; in FALLBACK mode a route none of whose rules hold lets the next answer.
        answering = next((r for r in served if r.takes(one.method, one.path) and _choice(r, one).index is not None), None)
        choice = _choice(route, one)
        if answering is route and choice.index is not None:
            made.append(_recorded(route, one, choice.index, [one.note, choice.why], shared, source))
    return made, ""


def _any(route: Route) -> str:
    """Mockoon's word for a route of every method, whose variants add a POST."""
    return "all" if route.method == "ALL" else ""


def _choice(route: Route, asked: Asked) -> Choice:
    responses = [(r.rules, r.operator, r.default) for r in route.responses]
    return choose(responses, route.mode, asked, route.params(asked.path) or {})


def _recorded(route: Route, asked: Asked, index: int, notes: list[str], shared: dict[str, str], source: str) -> Recorded:
    response = route.responses[index]
    note = "; ".join(n for n in (*notes, response.note) if n)
    headers = {**shared, **response.headers}
    if "content-type" in headers and "charset" not in headers["content-type"].lower():
        headers["content-type"] += "; charset=utf-8"  # Express, which Mockoon answers with, adds it to a text body
    return Recorded(
        source, f"{route.location}, response {index}", asked.method, asked.url, dict(asked.headers),
        response.status, headers, response.body, note, response.body_known,
    )  # fmt: skip
