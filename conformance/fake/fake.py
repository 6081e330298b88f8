"""RealtimeKitFake: the endpoint for a user's own tests, arranged in a few typed lines, answered by the reference mock.

An arrangement that breaks the contract is refused: the suite's own checks run on the answer the session would get,
so the fake cannot serve what the suite would fail. `broken=True` serves it anyway, for testing one's own handling of a
broken answer. Every argument is checked first, and a refusal changes nothing: threads may arrange one fake at once."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import respx

from conformance.contract import load_contract
from conformance.fake.app import SERVER_ERROR, ArrangedMock, Failing
from conformance.fake.arguments import (
    MAX_NESTING,
    ArrangementError,
    a_base_url,
    a_bool,
    a_count,
    a_json_value,
    a_string,
    a_token,
    an_id,
    named,
    one_of,
    refused,
    retry_after_seconds,
    shown,
)
from conformance.fake.checked import failures_in
from conformance.fake.routing import SDK_BASE_URL, mocked, routed, served
from conformance.fake.sessions import Clock, SessionMaker
from conformance.mock import MockData, Request, load_data
from conformance.mock.app import encoded
from conformance.transport.exchange import Received

__all__ = ["ArrangementError", "RealtimeKitFake"]

CURRENT = "current"  # the edition the official SDK (5.3 and later) reads
Session = dict[str, Any]


class RealtimeKitFake:
    """GET /accounts/{account_id}/realtime/kit/{app_id}/sessions/{session_id} for a test: no network, no server
    process unless asked (`serving()`), answered as Cloudflare answers, failures included.

    It knows one account, one app and one token (the bundled mock's unless given), and starts with no session;
    `seeded=True` starts with the bundled mock's sessions and apps instead. The ids must be ones the contract's path
    parameters allow and a URL path carries as they are."""

    def __init__(
        self,
        *,
        edition: str = CURRENT,
        account_id: str | None = None,
        app_id: str | None = None,
        token: str | None = None,
        now: datetime | str = "2026-01-05T09:00:00.000Z",
        seeded: bool = False,
    ) -> None:
        contract = load_contract(one_of("edition", edition, list(load_contract().editions)))
        bundled = load_data()
        account = an_id(contract, "account_id", bundled.account_id if account_id is None else account_id)
        app = an_id(contract, "app_id", bundled.app_id if app_id is None else app_id)
        tokens = bundled.realtime_tokens if token is None else (a_token(token),)
        apps = {**(bundled.apps if a_bool("seeded", seeded) else {}), app: bundled.apps.get(app, ()) if seeded else ()}
        self.clock = Clock(now)
        self.app = ArrangedMock(MockData(account, app, tokens, bundled.tokens_without_permission, apps), edition)
        self.base_url = SDK_BASE_URL  # where clients reach it: the SDK's, or its socket's while it is served
        self._maker = SessionMaker(self.app.contract, app, self.clock)
        self._store: dict[str, Session] = self.app.sessions[app]  # every session of the app by id, breakout rooms too

    @property
    def account_id(self) -> str:
        return self.app.data.account_id

    @property
    def app_id(self) -> str:
        return self.app.data.app_id

    @property
    def token(self) -> str:
        """The API token the fake accepts (with the Realtime permission)."""
        return self.app.data.token

    @property
    def edition(self) -> str:
        return self.app.contract.edition

    @property
    def situations(self) -> list[str]:
        """The failures `fail_next` and `fail_all` can answer with: those the contract records, and a server error."""
        return [*self.app.contract.recorded_failures, SERVER_ERROR]

    def add_session(self, *, broken: bool = False, **fields: Any) -> Session:
        """A new session of the app, with these fields and defaults for the others that hold to every rule of the
        contract (a new id; LIVE; timestamps from the fake's clock); its breakout rooms, if given, are sessions
        reachable by their own ids too. An id already a session's is refused. Returns the session as stored."""
        a_bool("broken", broken)
        given = self._given(fields)
        with self.app.lock:
            session = self._maker.make(given, taken=self._store.__contains__)
            self._refuse_taken(session)
            self._refuse_broken(session, broken)
            for _, each in self._each_of(session):
                self._store[each["id"]] = each
            return copy.deepcopy(session)

    def end_session(self, session_id: str, *, broken: bool = False, **fields: Any) -> Session:
        """The session as it is once ended (its status and end time as the contract's semantics say, updated now),
        with any other change given to its own fields (not its id, nor its breakout rooms: end each by its id)."""
        a_bool("broken", broken)
        changes = self._changes(a_string("session_id", session_id), fields)
        with self.app.lock:
            stored = self._stored(session_id)
            ended = {**self._maker.ended(stored), **changes}
            self._refuse_broken(ended, broken)
            # In place: the parent of a breakout room holds this same session, and answers with it ended.
            stored.update((name, value) for name, value in ended.items() if name != self._rooms)
            return copy.deepcopy(stored)

    def session(self, session_id: str) -> Session:
        """A session (or breakout room) of the app, as stored."""
        with self.app.lock:
            return copy.deepcopy(self._stored(a_string("session_id", session_id)))

    def fail_next(self, situation: str, times: int = 1, *, retry_after: int = 1) -> None:
        """The next `times` requests of the operation (an int, 1 or more) get the answer Cloudflare gives in
        `situation` (one of `situations`: rate-limited, invalid-token, no-permission, unroutable-identifier,
        server-error, ...); a 429's Retry-After is `retry_after`, an int of seconds from 0 to 86400."""
        self._failing(Failing(situation, a_count("times", times), retry_after))

    def fail_all(self, situation: str, *, retry_after: int = 1) -> None:
        """Every request from now on gets the answer of `situation`, until `recover()`; `retry_after` as in fail_next."""
        self._failing(Failing(situation, None, retry_after))

    def recover(self) -> None:
        """No more arranged failures."""
        with self.app.lock:
            self.app.failing.clear()

    @property
    def requests(self) -> list[Request]:
        """Every request the fake received, in order: method, raw path, query and lower-case headers."""
        with self.app.lock:
            return list(self.app.received)

    def mocked(self, base_url: str = SDK_BASE_URL, *more: str) -> Any:
        """A context manager (or decorator) under which httpx clients, the official SDK among them, reach the fake
        at `base_url` (and any more given), in-process; yields the respx router."""
        return mocked(self.app, [a_base_url(each) for each in (base_url, *more)])

    def route(self, router: respx.Router, base_url: str = SDK_BASE_URL, *more: str) -> None:
        """Answer at `base_url` (and any more given) on a respx router of yours (respx's `respx_mock` fixture, say)."""
        if not isinstance(router, respx.Router):
            raise refused("router", "is a respx router (respx.mock(), or the respx_mock fixture)", router)
        for each in [a_base_url(each) for each in (base_url, *more)]:
            routed(self.app, each, router)

    @contextmanager
    def serving(self) -> Iterator[str]:
        """The fake on a loopback socket for the block, for clients that are not httpx; yields its base URL."""
        with served(self.app) as base_url:
            self.base_url = base_url
            try:
                yield base_url
            finally:
                self.base_url = SDK_BASE_URL

    @property
    def _rooms(self) -> str:
        return self.app.contract.nested_sessions_field

    def _given(self, fields: dict[Any, Any], where: str = "", depth: int = 0) -> Session:
        """The fields given for a session (or for the breakout room at `where`, `depth` rooms down), each checked: a
        known name, a JSON value, an id the contract allows, breakout rooms given the same way."""
        self._known(fields, where)
        given = {}
        for name, value in fields.items():
            if name == self._rooms:
                given[name] = self._given_rooms(where + name, value, depth + 1)
                continue
            a_json_value(where + name, value)
            if name == "id":
                an_id(self.app.contract, where + name, value, "session_id")
            given[name] = copy.deepcopy(value)  # the fake's own: a test changing its list later changes no answer
        return given

    def _given_rooms(self, argument: str, rooms: Any, depth: int) -> list[Session]:
        if not isinstance(rooms, (list, tuple)) or not all(isinstance(room, dict) for room in rooms):
            raise refused(argument, "is a list of breakout rooms, each a dict of its fields", rooms)
        if rooms and depth > MAX_NESTING:
            raise refused(argument, f"nests breakout rooms at most {MAX_NESTING} deep", rooms)
        return [self._given(room, f"{argument}[{number}].", depth) for number, room in enumerate(rooms)]

    def _known(self, fields: dict[Any, Any], where: str = "") -> None:
        unknown = [where + named(name) for name in fields if name not in self.app.contract.session["properties"]]
        if unknown:
            raise ArrangementError(f"not a field of the contract's session: {', '.join(unknown)}")

    def _changes(self, session_id: str, fields: dict[str, Any]) -> Session:
        """What end_session is given to change: the session's own fields, each a known name and a JSON value."""
        self._known(fields)
        if fields.get("id", session_id) != session_id:
            raise refused("id", f"stays {shown(session_id)} when the session ends", fields["id"])
        if self._rooms in fields:
            raise refused(self._rooms, "are sessions of their own: end each by its id", fields[self._rooms])
        for name, value in fields.items():
            a_json_value(name, value)
        return copy.deepcopy(fields)

    def _stored(self, session_id: str) -> Session:
        try:
            return self._store[session_id]
        except KeyError:
            raise refused("session_id", f"is a session of the fake, in app {self.app_id}", session_id) from None

    def _each_of(self, session: Session, where: str = "") -> Iterator[tuple[str, Session]]:
        """The session and each of its breakout rooms, with where each was given (breakout_rooms[0]., ...)."""
        yield where, session
        for number, room in enumerate(session.get(self._rooms, [])):
            yield from self._each_of(room, f"{where}{self._rooms}[{number}].")

    def _refuse_taken(self, session: Session) -> None:
        """Each id new: not a stored session's, not another of this arrangement's."""
        seen: set[str] = set()
        for where, each in self._each_of(session):
            if each["id"] in self._store or each["id"] in seen:
                raise refused(where + "id", "is already another session's: each session and breakout room has an id of its own", each["id"])
            seen.add(each["id"])

    def _refuse_broken(self, session: Session, broken: bool) -> None:
        """Refused unless every answer it would get passes the checks: its own, and each of its breakout rooms'."""
        found = [] if broken else [failure for _, each in self._each_of(session) for failure in self._failures_of(each)]
        if found:
            raise ArrangementError("the arranged session breaks the contract (broken=True serves it anyway):\n" + "\n".join(found))

    def _failures_of(self, session: Session) -> list[str]:
        """Every failure the suite's explicit checks find in the answers the session would get, with and without its
        breakout rooms."""
        found = []
        params = {"account_id": self.account_id, "app_id": self.app_id, "session_id": session["id"]}
        for kind, query in (("session", {}), ("breakout", {self.app.contract.breakout_rooms_parameter: "true"})):
            reply = self.app.reply_for(session, breakout_rooms=bool(query))
            headers, payload = encoded(reply)
            received = Received(reply.status, {name.decode(): value.decode() for name, value in headers}, payload)
            found += failures_in(self.app.contract, kind, params, query, received)
        return found

    def _failing(self, failing: Failing) -> None:
        one_of("situation", failing.situation, self.situations)
        retry_after_seconds(failing.retry_after)
        with self.app.lock:
            self.app.failing.append(failing)
