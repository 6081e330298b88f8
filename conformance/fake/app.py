"""The reference mock with a test's arrangement on it: sessions added and ended, failures to answer, the requests it
received. Every answer is still the reference mock's: the fake and the mock cannot drift apart."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from conformance.mock import MockData, ReferenceMock, Reply, Request
from conformance.mock.app import Step

SERVER_ERROR = "server-error"  # the one situation the contract records no answer for: see ArrangedMock.failure


@dataclass
class Failing:
    situation: str
    times: int | None  # requests left to fail; None: every one
    retry_after: int


class ArrangedMock(ReferenceMock):
    """ASGI app (and a pure `respond`) answering as the reference mock does, but first as the test arranged."""

    def __init__(self, data: MockData, edition: str) -> None:
        super().__init__(data, edition=edition)
        self.received: list[Request] = []
        self.failing: list[Failing] = []
        # The one lock of the store (self.sessions) and of the failures: a served fake answers on its own thread
        # while the test arranges, maybe from threads of its own. Reentrant: an arrangement checks answers under it.
        self.lock = threading.RLock()

    def respond(self, request: Request) -> Reply:
        with self.lock:
            self.received.append(request)
            return super().respond(request)

    def steps(self) -> list[Step]:
        return [self.arranged_failure, *super().steps()]

    def arranged_failure(self, request: Request, params: dict[str, str]) -> Reply | None:
        if not self.failing:
            return None
        failing = self.failing[0]
        if failing.times is not None:
            failing.times -= 1
            if failing.times == 0:
                self.failing.pop(0)
        return self.failure(failing)

    def failure(self, failing: Failing) -> Reply:
        """The answer the contract records for the situation. A server error has none recorded: it is a 500 in
        RealtimeKit's own error shape, whose code is the HTTP status (the contract's unknown-session answer)."""
        if failing.situation == SERVER_ERROR:
            reply = self.recorded("unknown-session")
            reply.status = reply.body["error"]["code"] = 500
            reply.body["error"]["message"] = "Internal server error"
            return reply
        reply = self.recorded(failing.situation)
        if reply.status == 429:
            reply.headers["retry-after"] = str(failing.retry_after)
        return reply

    def reply_for(self, session: dict[str, Any], breakout_rooms: bool) -> Reply:
        """The 200 a session would get, stamped as every answer is, without counting as a request: a session is
        checked before it is stored."""
        reply = Reply(200, self.body(session, breakout_rooms))
        self.limiter.stamp(reply)
        return reply
