"""WireMock mapping files: one mapping ({"request": ..., "response": ...}) or several ({"mappings": [...]}), alone or
in WireMock's root folder (`mappings/`, with the bodies a mapping names in `__files/` beside it).

A stub with an exact `url` or `urlPath` is asked that URL; one with a pattern (urlPathPattern, urlPattern,
urlPathTemplate) or no URL matcher is asked the operation's path with the ids given. Then every stub is asked the
variants of asking.py, each kept when its matchers match it too. Stubs are read together: WireMock answers a request
with the matching stub of the highest priority, so a request another stub takes first is not this stub's answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from conformance.audit.formats import asking
from conformance.audit.formats.asking import Asked
from conformance.audit.formats.bodies import from_base64, undone
from conformance.audit.formats.fields import Broken, mapping_headers, object_at, path_shown, shown, status_of, utf8
from conformance.audit.formats.wiremock_matchers import Matcher
from conformance.audit.formats.wiremock_stubs import (
    DEFAULT_PRIORITY,
    Answer,
    Stub,
    request_matchers,
    url_matcher,
    why_not_asked,
)
from conformance.audit.recorded import Recorded
from conformance.contract import load_contract
from conformance.files import TooLarge, read_at_most


def stubs_of(doc: dict[str, Any], file: Path, source: str, limit: int) -> list[Stub]:
    """Every stub of a mapping file, in its order."""
    mappings = doc.get("mappings", [doc])
    if not isinstance(mappings, list):
        raise Broken("mappings is not a list")
    return [_stub(mapping, index, file, source, limit) for index, mapping in enumerate(mappings)]


def _stub(mapping: Any, index: int, file: Path, source: str, limit: int) -> Stub:
    if not isinstance(mapping, dict):
        raise Broken(f"mapping {index} is not an object")
    where = _location(mapping, index)
    request, response = object_at(mapping, "request", where), object_at(mapping, "response", where)
    method = request.get("method", "ANY")
    if not isinstance(method, str) or not method.isalpha():
        raise Broken(f"{where}: request.method is not a method: {shown(method)}")
    kind, text, compiled = url_matcher(request, where)
    found = request_matchers(request, where)
    answer, no_answer = _answer(response, where, file, limit)
    priority = mapping.get("priority", DEFAULT_PRIORITY)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise Broken(f"{where}: priority is not a number: {shown(priority)}")
    state = mapping.get("requiredScenarioState")
    scenario = f"only in state {shown(state)} of scenario {shown(mapping.get('scenarioName'))}" if state else ""
    return Stub(
        source, where, priority, method.upper(), kind, text, compiled, **found,
        not_asked=why_not_asked(request, found), answer=answer, no_answer=no_answer, scenario=scenario,
    )  # fmt: skip


def _location(mapping: dict[str, Any], index: int) -> str:
    """mapping <id, uuid or index> (<name>), as WireMock's own listings name a stub."""
    name = mapping.get("id") or mapping.get("uuid") or index
    return f"mapping {shown(name)}" + (f" ({shown(mapping['name'])})" if mapping.get("name") else "")


def _answer(response: dict[str, Any], where: str, file: Path, limit: int) -> tuple[Answer | None, str]:
    """The response, or None with why there is none: a fault or a proxy answers nothing a file holds."""
    if response.get("fault"):
        return None, f"it answers with the fault {shown(response['fault'])}, not with an HTTP response"
    if response.get("proxyBaseUrl"):
        return None, f"it proxies to {shown(response['proxyBaseUrl'])}, whose answers the file does not hold"
    status = status_of(response.get("status", 200), f"{where}: response.status")
    headers = mapping_headers(response.get("headers"), f"{where}: response.headers")
    body, known, note = _body(response, where, file, limit)
    body, headers, undone_note = undone(body, headers, limit, f"{where}: the response body")
    return Answer(status, headers, body, "; ".join(n for n in (note, undone_note) if n), known), ""


def _body(response: dict[str, Any], where: str, file: Path, limit: int) -> tuple[bytes, bool, str]:
    if "base64Body" in response:
        return from_base64(response["base64Body"], f"{where}: response.base64Body"), True, ""
    if "jsonBody" in response:
        return json.dumps(response["jsonBody"], ensure_ascii=False, separators=(",", ":")).encode(), True, ""  # as WireMock writes it
    if "body" in response:
        if not isinstance(response["body"], str):
            raise Broken(f"{where}: response.body is not text: {shown(response['body'])}")
        return utf8(response["body"]), True, ""
    if "bodyFileName" in response:
        return _body_file(response["bodyFileName"], where, file, limit)
    return b"", True, ""


def _body_file(name: Any, where: str, file: Path, limit: int) -> tuple[bytes, bool, str]:
    """The body file from `__files/` beside the `mappings/` folder (or beside the file), read no further than the
    limit; a name that leads out of `__files/` or to nothing is not read, which the note says."""
    if not isinstance(name, str) or not name:
        raise Broken(f"{where}: response.bodyFileName is not a file name: {shown(name)}")
    root = next((folder.parent for folder in file.parents if folder.name == "mappings"), file.parent)
    files = (root / "__files").resolve()
    found = (files / name).resolve()
    if not found.is_relative_to(files) or not found.is_file():
        return b"", False, f"its body file {shown(name)} is not in {path_shown(root / '__files')}: the body is not read"
    try:
        return read_at_most(found, limit), True, ""
    except TooLarge:
        raise Broken(f"{where}: its body file {shown(name)} is larger than {limit} bytes") from None
    except OSError as error:
        raise Broken(f"{where}: its body file {shown(name)} cannot be read: {error.strerror}") from None


def answers(stub: Stub, stubs: list[Stub], ids: tuple[str, str, str]) -> tuple[list[Recorded], list[str]]:
    """The exchanges of a stub: each request it is asked and answers (no other stub taking it first); otherwise one
    note saying why it gives none."""
    said = f"{stub.source}: {stub.location}"
    if stub.not_asked or stub.answer is None:
        return [], [f"{said}: not audited: {stub.not_asked or stub.no_answer}"]
    try:
        first = _representative(stub, ids)
    except LookupError as unbuildable:
        return [], [f"{said}: not audited: no value this audit can send satisfies its {unbuildable} matcher"]
    asked = asking.asked_of(first, stub.matches, "the stub", "ANY" if stub.method == "ANY" else "")
    if not asked:
        return [], [f"{said}: answers no request of this operation ({first.url} does not match it, nor any variant)"]
    found = []
    for one in asked:
        rivals = [s for s in stubs if s is not stub and not s.not_asked and s.matches(one)]  # a proxy or a fault too
        if not any(rival.priority < stub.priority for rival in rivals):
            found.append(_recorded(stub, stub.answer, one, [r for r in rivals if r.priority == stub.priority]))
    return found, []


def _representative(stub: Stub, ids: tuple[str, str, str]) -> Asked:
    """The request the stub is asked first: its exact URL, or the operation's path; with what its matchers ask for."""
    exact = stub.exact_request()
    path, raw_query = exact if exact is not None else (asking.operation_path(ids), "")
    values = dict(parse_qsl(raw_query, keep_blank_values=True))
    for name, matcher in stub.query.items():
        if name not in values:
            value = _value(matcher, name, "query parameter")
            if value is not None:
                values[name] = value
                raw_query = ""  # a parameter added: the query is written anew
    headers = {"authorization": asking.STAND_IN_AUTHORIZATION}
    for name, matcher in stub.headers.items():
        value = _value(matcher, name, "header")
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    what = "it answers any URL" if not stub.url_kind else f"its {stub.url_kind} matches it"
    note = "" if exact is not None else f"the operation's path with the ids given: {what}"
    method = "GET" if stub.method == "ANY" else stub.method
    return Asked(method, path, tuple(values.items()), headers, note, raw_query or None)


def _value(matcher: Matcher, name: str, kind: str) -> str | None:
    """A value the matcher accepts: what it names, or what a client of this operation sends."""
    defaults = {"authorization": [asking.STAND_IN_AUTHORIZATION], load_contract().breakout_rooms_parameter: ["true", "false"]}
    try:
        return matcher.value_for(defaults.get(name.lower(), []))
    except LookupError:
        raise LookupError(f"{kind} {shown(name)}") from None


def _recorded(stub: Stub, answer: Answer, asked: Asked, same_priority: list[Stub]) -> Recorded:
    notes = [asked.note, stub.scenario, answer.note]
    if same_priority:
        rival = same_priority[0]
        notes.append(f"{rival.location} in {rival.source} matches it too, at the same priority: WireMock answers either")
    note = "; ".join(n for n in notes if n)
    return Recorded(
        stub.source, stub.location, asked.method, asked.url, dict(asked.headers), answer.status, dict(answer.headers),
        answer.body, note, answer.body_known,
    )  # fmt: skip
