"""The requests a stub is asked, so that its answers become exchanges to judge. A stub answers many requests: it is
asked one representative request of the operation (a GET of the session with the ids given), then the variants
production refuses and a stub may not: an id one past its documented length, a breakout flag that is no boolean, no
credentials, another method. Each stub format keeps the ones its matchers would answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from urllib.parse import quote, urlencode

from conformance.contract import load_contract
from conformance.mock import load_data
from conformance.transport.probes import one_past

_REFERENCE = load_data()
# The reference mock's account, app and first session: what `rtk-conformance mock` prints, and the default ids.
REFERENCE_IDS = (_REFERENCE.account_id, _REFERENCE.app_id, _REFERENCE.session_ids[0])
# What a stub asked with credentials gets: the mock's public token (a stub knows no token; a matcher may ask for one).
STAND_IN_AUTHORIZATION = f"Bearer {_REFERENCE.token}"
NOT_A_BOOLEAN = "yes"  # production answers 400 to it: include_breakout_rooms is true or false


@dataclass(frozen=True)
class Asked:
    """One request a stub is asked: its path as sent (percent-encoded) and its query decoded."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    note: str = ""  # what the request is, for the exchange's note
    raw_query: str | None = None  # the query as a file wrote it (an exact URL), kept byte for byte

    @property
    def url(self) -> str:
        query = self.raw_query if self.raw_query is not None else urlencode(self.query)
        return self.path + (f"?{query}" if query else "")

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        """What makes two requests the same request."""
        return self.method, self.url, tuple(sorted(self.headers.items()))


def operation_path(ids: tuple[str, str, str]) -> str:
    """The operation's path on its documented server, with these ids."""
    contract = load_contract()
    values = {name: quote(value, safe="") for name, value in zip(contract.path_parameters(), ids, strict=True)}
    return contract.base_path + contract.path_template.format(**values)


def asked_of(first: Asked, matches: Callable[[Asked], bool], who: str, any_method: str = "") -> list[Asked]:
    """The representative and its variants that a stub matches (`who` it is, for the notes), each request once."""
    kept = [first] if matches(first) else []
    also = "also " if kept else ""
    kept += [replace(v, note=f"a request {who} {also}matches: {v.note}") for v in variants(first, any_method) if matches(v)]
    unique: dict[tuple[str, str, tuple[tuple[str, str], ...]], Asked] = {}
    for one in kept:
        unique.setdefault(one.key, one)  # the first to ask it says what it is
    return list(unique.values())


def variants(first: Asked, any_method: str = "") -> list[Asked]:
    """The requests derived from `first` that production refuses, each with its note; `any_method` names the method
    wildcard a stub answers every method with ("ANY", "all"), which adds a POST."""
    found = [replace(first, path=path, note=note) for path, note in _too_long(first.path)]
    breakout = load_contract().breakout_rooms_parameter
    query = (*[(k, v) for k, v in first.query if k != breakout], (breakout, NOT_A_BOOLEAN))
    found.append(replace(first, query=query, raw_query=None, note=f"{breakout}={NOT_A_BOOLEAN}, which is no boolean"))
    if "authorization" in first.headers:
        headers = {k: v for k, v in first.headers.items() if k != "authorization"}
        found.append(replace(first, headers=headers, note="no Authorization header"))
    if any_method:
        found.append(replace(first, method="POST", note=f"POST, which the method {any_method} answers too"))
    return found


def _too_long(path: str) -> list[tuple[str, str]]:
    """The path with each id one past its documented length, when the path ends as the operation's does."""
    contract = load_contract()
    segments, length = path.split("/"), len(contract.path_template.split("/")) - 1
    ids = contract.match_path("/" + "/".join(segments[-length:])) if len(segments) > length else None
    if ids is None:
        return []
    found = []
    for name, limit in too_long_limits().items():
        values = {**ids, name: one_past(ids[name], limit)}
        tail = contract.path_template.format(**{k: quote(v, safe="") for k, v in values.items()})
        found.append(("/".join(segments[:-length]) + tail, _why_too_long(name, limit)))
    return found


@cache
def too_long_limits() -> dict[str, int]:
    """Each path id and the documented length one past which it goes (account_id, app_id: maxLength 32). Session ids
    have no documented length but are UUIDs: one as long as the other too-long ids names no session."""
    limits = load_contract().max_lengths()
    return {**limits, "session_id": max(limits.values())} if "session_id" not in limits else limits


def _why_too_long(name: str, limit: int) -> str:
    if name in load_contract().max_lengths():
        return f"{name} of {limit + 1} characters, one past its documented maxLength {limit}"
    return f"{name} of {limit + 1} characters, which names no session (session ids are UUIDs)"
