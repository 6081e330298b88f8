"""RealtimeKitFake: the endpoint for a user's own tests, arranged in a few typed lines, answered by the reference mock.

An arrangement that breaks the contract is refused: the suite's own checks run on the answer the session would get,
so the fake cannot serve what the suite would fail. `broken=True` serves it anyway, for testing one's own handling of a
broken answer."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import respx

from conformance.checks import REGISTRY
from conformance.checks.base import CheckFailure, NotApplicable
from conformance.fake.app import SERVER_ERROR, ArrangedMock, Failing
from conformance.fake.routing import SDK_BASE_URL, mocked, routed, served
from conformance.fake.sessions import Clock, SessionMaker
from conformance.mock import MockData, Request, load_data
from conformance.mock.app import encoded
from conformance.secret import sendable
from conformance.transport.exchange import Exchange, Received, SentRequest
from conformance.transport.probes import Probe

CURRENT = "current"  # the edition the official SDK (5.3 and later) reads


class ArrangementError(ValueError):
    """What a test arranged breaks the contract (or names what the fake does not have)."""


class RealtimeKitFake:
    """GET /accounts/{account_id}/realtime/kit/{app_id}/sessions/{session_id} for a test: no network, no server
    process unless asked (`serving()`), answered as Cloudflare answers, failures included.

    It knows one account, one app and one token (the bundled mock's unless given), and starts with no session;
    `seeded=True` starts with the bundled mock's sessions and apps instead."""

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
        bundled = load_data()
        if token is not None and not sendable(token):
            raise ArrangementError("a token is printable ASCII without spaces, as the Authorization header carries it")
        app = app_id or bundled.app_id
        apps = {**(bundled.apps if seeded else {}), app: bundled.apps.get(app, ()) if seeded else ()}
        tokens = (token,) if token else bundled.realtime_tokens
        data = MockData(account_id or bundled.account_id, app, tokens, bundled.tokens_without_permission, apps)
        self.app = ArrangedMock(data, edition)
        self.base_url = SDK_BASE_URL  # where clients reach it: the SDK's, or its socket's while it is served
        self.clock = Clock(now)
        self._maker = SessionMaker(self.app.contract, data.app_id, self.clock)

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

    def add_session(self, *, broken: bool = False, **fields: Any) -> dict[str, Any]:
        """A new session of the app, with these fields and defaults for the others that hold to every rule of the
        contract (a new id; LIVE; timestamps from the fake's clock); its breakout rooms, if given, are sessions
        reachable by their own ids too. Returns the session as stored."""
        session = self._maker.make(self._known(fields))
        self._store(session, broken)
        return copy.deepcopy(session)

    def end_session(self, session_id: str, **fields: Any) -> dict[str, Any]:
        """The session as it is once ended (its status and end time as the contract's semantics say, updated now),
        with any other change given."""
        ended = {**self._maker.ended(self.session(session_id)), **self._known(fields)}
        self._store(ended, broken=False)
        return copy.deepcopy(ended)

    def session(self, session_id: str) -> dict[str, Any]:
        """A session (or breakout room) of the app, as stored."""
        try:
            return copy.deepcopy(self.app.sessions[self.app_id][session_id])
        except KeyError:
            raise ArrangementError(f"the fake has no session {session_id} in app {self.app_id}") from None

    def fail_next(self, situation: str, times: int = 1, *, retry_after: int = 1) -> None:
        """The next `times` requests of the operation get the answer Cloudflare gives in `situation` (one of
        `situations`: rate-limited, invalid-token, no-permission, unroutable-identifier, server-error, ...)."""
        if times < 1:
            raise ArrangementError(f"times is 1 or more, got {times}")
        self._failing(Failing(situation, times, retry_after))

    def fail_all(self, situation: str, *, retry_after: int = 1) -> None:
        """Every request from now on gets the answer of `situation`, until `recover()`."""
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
        return mocked(self.app, [base_url, *more])

    def route(self, router: respx.Router, base_url: str = SDK_BASE_URL, *more: str) -> None:
        """Answer at `base_url` (and any more given) on a respx router of yours (respx's `respx_mock` fixture, say)."""
        for each in (base_url, *more):
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

    def _known(self, fields: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(fields) - set(self.app.contract.session["properties"]))
        if unknown:
            raise ArrangementError(f"not a field of the contract's session: {', '.join(unknown)}")
        return fields

    def _failing(self, failing: Failing) -> None:
        if failing.situation not in self.situations:
            raise ArrangementError(f"no situation {failing.situation!r}; the fake knows: {', '.join(self.situations)}")
        with self.app.lock:
            self.app.failing.append(failing)

    def _store(self, session: dict[str, Any], broken: bool) -> None:
        index = self.app.sessions.setdefault(self.app_id, {})
        before = dict(index)
        rooms = self.app.contract.nested_sessions_field
        with self.app.lock:
            stack = [session]
            while stack:
                each = stack.pop()
                index[each["id"]] = each
                stack += each.get(rooms, [])
        broke = [] if broken else self._failures_of(session["id"])
        if broke:
            with self.app.lock:
                index.clear()
                index.update(before)
            raise ArrangementError("the arranged session breaks the contract (broken=True serves it anyway):\n" + "\n".join(broke))

    def _failures_of(self, session_id: str) -> list[str]:
        """Every failure the suite's explicit checks find in the answers the session gets, with and without its
        breakout rooms."""
        found = []
        parameter = self.app.contract.breakout_rooms_parameter
        for kind, query in (("session", {}), ("breakout", {parameter: "true"})):
            params = {"account_id": self.account_id, "app_id": self.app_id, "session_id": session_id}
            probe = Probe(f"{kind}:{session_id}", kind, params, query)
            reply = self.app.session_reply(self.app_id, session_id, breakout_rooms=bool(query))
            headers, payload = encoded(reply)
            received = Received(200, {k.decode(): v.decode() for k, v in headers}, payload)
            url = SDK_BASE_URL + self.app.contract.path_template.format(**params)
            exchange = Exchange(probe.name, SentRequest("GET", url, {}, params, query), received)
            for check in (c for c in REGISTRY if c.applies_to(probe)):
                try:
                    check.run(exchange, self.app.contract)
                except CheckFailure as failure:
                    found.append(str(failure))
                except NotApplicable:
                    pass
        return found
