"""Reading a 200 body: the session object where the edition puts it, and the sessions nested in it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonpointer import resolve_pointer

from conformance.checks.base import NotApplicable
from conformance.contract import Contract
from conformance.transport.exchange import NO_JSON, Exchange

# Probe kinds, grouped by what they should get back. "property" is any case of the property layer:
# checks that list it judge whatever answer a generated request gets.
BODY_PROBES = ("session", "breakout")
SESSION_BODIES = (*BODY_PROBES, "property")
FAILURE_PROBES = ("auth", "too-long", "bad-boolean", "unknown-session", "method")
ALL_PROBES = (*SESSION_BODIES, *FAILURE_PROBES, "at-limit", "odd-id")


def ok_body(exchange: Exchange) -> Any:
    """The JSON body of a 200 response."""
    response = exchange.response
    if response is None or response.status != 200:
        status = response.status if response else "none"
        raise NotApplicable(f"no 200 response to check (status {status}); transport.session-ok reports it")
    if response.json is NO_JSON:
        raise NotApplicable("the 200 body is not JSON; errors.json-content-type reports it")
    return response.json


def lookup(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer, or None when absent."""
    return resolve_pointer(document, pointer, None)


def editions_of(body: Any, contract: Contract) -> list[str]:
    """The editions this 200 body is in: those whose place for the session holds an object with session fields."""
    required = contract.session["required"]
    found = []
    for name, edition in contract.editions.items():
        session = lookup(body, edition["session_pointer"])
        if isinstance(session, dict) and any(field in session for field in required):
            found.append(name)
    return found


def session_of(exchange: Exchange, contract: Contract) -> dict[str, Any]:
    """The session object of a 200 body, where the checked edition puts it."""
    body = ok_body(exchange)
    if contract.edition not in editions_of(body, contract):
        raise NotApplicable(f"no session object at {contract.session_pointer}; schema.envelope reports it")
    return dict(lookup(body, contract.session_pointer))


def sessions_in(session: dict[str, Any], pointer: str, nested: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The session and, recursively, its breakout rooms, each with its pointer."""
    yield pointer, session
    rooms = session.get(nested)
    for index, room in enumerate(rooms if isinstance(rooms, list) else []):
        if isinstance(room, dict):
            yield from sessions_in(room, f"{pointer}/{nested}/{index}", nested)
