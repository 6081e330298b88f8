"""A Mockoon environment's routes as Mockoon serves them: each endpoint (`:param` segments, `*` wildcards) under the
environment's endpointPrefix, its method, its responses with their rules, in the order Mockoon tries them (the
environment's tree of folders)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from conformance.audit.formats.bodies import undone
from conformance.audit.formats.fields import Broken, header_name, header_text, shown, status_of, utf8
from conformance.audit.formats.mockoon_rules import Rule, rule_of

# :name (one segment), *name or * (one or more characters, across segments); any other character is literal, but
# Express 4's optional and repeated parts, which Mockoon converts, are not read.
_TOKENS = re.compile(r":([A-Za-z_$][A-Za-z0-9_$]*)|\*([A-Za-z_$][A-Za-z0-9_$]*)?")
_NOT_READ = set("(){}?+[]\\")


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; the environment's headers come first, these replace them
    body: bytes
    rules: list[Rule]
    operator: str  # AND or OR, joining its rules
    default: bool
    body_known: bool = True
    note: str = ""  # what of it could not be read (a body in a file)


@dataclass(frozen=True)
class Route:
    location: str  # route <uuid or index> (<METHOD path>)
    method: str  # upper case; ALL for every method
    path: re.Pattern[str] | None  # None: the endpoint has a syntax not read (not_asked says so)
    names: tuple[str, ...]  # of its parameters, in the order of its groups
    responses: list[Response]
    mode: Any  # responseMode: None, RANDOM, SEQUENTIAL, DISABLE_RULES, FALLBACK
    not_asked: str = ""

    def params(self, path: str) -> dict[str, str] | None:
        """Its route parameters, decoded, when it serves this path; None when it does not."""
        found = self.path.fullmatch(path) if self.path is not None else None
        return None if found is None else {name: unquote(value or "") for name, value in zip(self.names, found.groups(), strict=True)}

    def takes(self, method: str, path: str) -> bool:
        return self.method in ("ALL", method) and self.params(path) is not None


def route_of(spec: Any, index: int, prefix: str, limit: int) -> Route:
    if not isinstance(spec, dict):
        raise Broken(f"route {index} is not an object")
    method, endpoint = spec.get("method"), spec.get("endpoint", "")
    if not isinstance(method, str) or not method.isalpha() or not isinstance(endpoint, str):
        raise Broken(f"route {index}: method and endpoint are not text")
    served = re.sub("/{2,}", "/", f"/{prefix}/{endpoint.replace(' ', '%20')}")
    location = f"route {shown(spec.get('uuid') or index)} ({method.upper()} {shown(served)})"
    responses = spec.get("responses")
    if not isinstance(responses, list) or not responses:
        raise Broken(f"{location}: responses is not a list of responses")
    read = [_response(one, f"{location}, response {n}", limit) for n, one in enumerate(responses)]
    kind = spec.get("type", "http")
    path, names, syntax = _path(served)
    not_asked = f"a {shown(kind)} route" if kind != "http" else syntax
    return Route(location, method.upper(), path, names, read, spec.get("responseMode"), not_asked)


def _path(served: str) -> tuple[re.Pattern[str] | None, tuple[str, ...], str]:
    """The endpoint as a regex (whole path, any case, a trailing slash allowed, as path-to-regexp matches)."""
    if _NOT_READ & set(served):
        return None, (), f"its endpoint {shown(served)} has optional or repeated parts, not read by this audit"
    parts, names, at = [], [], 0
    for token in _TOKENS.finditer(served):
        parts += [re.escape(served[at : token.start()]), "([^/]+)" if token.group(1) else "(.+)"]
        names.append(token.group(1) or token.group(2) or "*")
        at = token.end()
    return re.compile("".join([*parts, re.escape(served[at:])]) + "/?", re.IGNORECASE), tuple(names), ""


def _response(spec: Any, where: str, limit: int) -> Response:
    if not isinstance(spec, dict):
        raise Broken(f"{where} is not an object")
    headers = headers_of(spec.get("headers"), f"{where}: headers")
    rules = spec.get("rules") or []
    if not isinstance(rules, list):
        raise Broken(f"{where}: rules is not a list")
    body, known, note = _body(spec, where)
    body, headers, undone_note = undone(body, headers, limit, f"{where}: the body")
    return Response(
        status_of(spec.get("statusCode"), f"{where}: statusCode"),
        headers,
        body,
        [rule_of(rule, f"{where}: rules[{n}]") for n, rule in enumerate(rules)],
        "AND" if spec.get("rulesOperator") == "AND" else "OR",
        spec.get("default") is True,
        known,
        "; ".join(n for n in (note, undone_note) if n),
    )


def _body(spec: dict[str, Any], where: str) -> tuple[bytes, bool, str]:
    """An inline body, templating and all, as the file holds it; one from a file or a data bucket is not read."""
    kind = spec.get("bodyType", "INLINE")
    if kind == "FILE":
        return b"", False, f"the body is the file {shown(spec.get('filePath'))}, not read by this audit"
    if kind == "DATABUCKET":
        return b"", False, f"the body is the data bucket {shown(spec.get('databucketID'))}, not read by this audit"
    body = spec.get("body") or ""
    if not isinstance(body, str):
        raise Broken(f"{where}: body is not text: {shown(body)}")
    return utf8(body), True, ""


def headers_of(specs: Any, where: str) -> dict[str, str]:
    """Mockoon's headers: a list of {key, value}; one without a key or a value is not sent."""
    if specs is None:
        return {}
    if not isinstance(specs, list) or not all(isinstance(one, dict) for one in specs):
        raise Broken(f"{where} is not a list of headers (objects with key and value)")
    return {header_name(one["key"]): header_text(one["value"]) for one in specs if one.get("key") and one.get("value")}


def served_order(doc: dict[str, Any], routes: list[Any]) -> list[int]:
    """The routes' indexes in the order Mockoon tries them: the tree of rootChildren and folders, walked depth first
    (a route in no folder is not served); without a tree, the file's order."""
    children = doc.get("rootChildren")
    if not isinstance(children, list):
        return list(range(len(routes)))
    folders = {f["uuid"]: f.get("children") for f in _listed(doc.get("folders")) if isinstance(f.get("uuid"), str)}
    by_uuid = {r["uuid"]: i for i, r in enumerate(routes) if isinstance(r, dict) and isinstance(r.get("uuid"), str)}
    order: dict[int, None] = {}
    stack, opened = list(reversed(_listed(children))), set()
    while stack:
        child = stack.pop()
        uuid = child.get("uuid")
        if child.get("type") == "route" and isinstance(uuid, str) and uuid in by_uuid:
            order.setdefault(by_uuid[uuid])
        elif child.get("type") == "folder" and isinstance(uuid, str) and uuid not in opened and uuid in folders:
            opened.add(uuid)
            stack += reversed(_listed(folders[uuid]))
    return list(order)


def _listed(value: Any) -> list[dict[str, Any]]:
    """The objects of a list from the file (anything else in it, or a value that is no list, is left out)."""
    return [one for one in value if isinstance(one, dict)] if isinstance(value, list) else []
