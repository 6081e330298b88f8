"""The ways a mutant breaks the reference mock: edit the sessions it answers with, edit its replies,
or change one step of how it decides. Each mutant of the catalogue is one of these with its arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks.body import lookup
from conformance.mock.app import ReferenceMock, Reply, Request
from conformance.mock.data import MockData

SessionChange = Callable[[dict[str, Any]], None]
ReplyChange = Callable[[Request, Reply], Reply]


def cloudflare_failure(status: int, code: int, message: str, **extra: Any) -> Reply:
    """A failure in the Cloudflare v4 envelope, as broken variants answer."""
    error = {"code": code, "message": message, **extra}
    return Reply(status, {"success": False, "errors": [error], "messages": [], "result": None})


def realtimekit_failure(status: int, message: str) -> Reply:
    """A failure in RealtimeKit's error shape, as broken variants answer."""
    return Reply(status, {"success": False, "error": {"code": status, "message": message}})


class SessionEdit(ReferenceMock):
    """Edits the sessions it answers with: all of them, or those `only` selects."""

    def __init__(self, data: MockData, edit: SessionChange, only: Callable[[dict[str, Any]], bool] | None = None, **options: Any) -> None:
        super().__init__(data, **options)
        self.edit, self.only = edit, only or (lambda session: True)

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        body = super().body(session, breakout_rooms)
        shown = lookup(body, self.contract.session_pointer)
        if self.only(shown):
            self.edit(shown)
        return body


class BodyEdit(ReferenceMock):
    """Edits the whole 200 body."""

    def __init__(self, data: MockData, edit: Callable[[dict[str, Any]], None], **options: Any) -> None:
        super().__init__(data, **options)
        self.edit = edit

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        body = super().body(session, breakout_rooms)
        self.edit(body)
        return body


class ReplyEdit(ReferenceMock):
    """Changes the replies a request gets, after the reference mock has decided them."""

    def __init__(self, data: MockData, change: ReplyChange) -> None:
        super().__init__(data)
        self.change = change

    def respond(self, request: Request) -> Reply:
        return self.change(request, super().respond(request))


class AnswersOtherwise(ReferenceMock):
    """Answers some failure situations otherwise than the contract records that production does."""

    def __init__(self, data: MockData, edits: dict[str, Callable[[Reply], Reply]]) -> None:
        super().__init__(data)
        self.edits = edits

    def recorded(self, situation: str, message: str = "") -> Reply:
        reply = super().recorded(situation, message)
        return self.edits[situation](reply) if situation in self.edits else reply


class WithoutSteps(ReferenceMock):
    """Skips some of the checks the reference mock makes before answering."""

    def __init__(self, data: MockData, *skipped: str) -> None:
        super().__init__(data)
        self.skipped = skipped

    def steps(self) -> list[Any]:
        return [s for s in super().steps() if s.__name__ not in self.skipped]


class AuthIgnored(WithoutSteps):
    """Answers without looking at the Authorization header."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data, "credentials", "token")

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        if params["account_id"] != self.data.account_id:  # the account check lived in the token step
            return cloudflare_failure(403, 10000, "Authentication error")
        return super().found(request, params)


class AnyToken(ReferenceMock):
    """Checks the header's form but accepts any token."""

    def token(self, request: Request, params: dict[str, str]) -> Reply | None:
        bearer = f"Bearer {self.data.token}"
        return super().token(Request(request.method, request.path, request.query, {"authorization": bearer}), params)


class BasicAccepted(ReferenceMock):
    """Takes a Basic Authorization header as valid credentials."""

    def credentials(self, request: Request, params: dict[str, str]) -> Reply | None:
        if request.headers.get("authorization", "").startswith("Basic "):
            return None
        return super().credentials(request, params)

    def token(self, request: Request, params: dict[str, str]) -> Reply | None:
        if request.headers["authorization"].startswith("Basic "):
            return None
        return super().token(request, params)


class TruncatesLongAccount(WithoutSteps):
    """Accepts an account id past its maxLength by reading only its first characters."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data, "identifiers")

    def token(self, request: Request, params: dict[str, str]) -> Reply | None:
        limit = self.max_lengths["account_id"]
        return super().token(request, {**params, "account_id": params["account_id"][:limit]})


class ServerErrorOnLongIds(ReferenceMock):
    """Crashes on ids past their maxLength instead of rejecting them."""

    def identifiers(self, request: Request, params: dict[str, str]) -> Reply | None:
        if super().identifiers(request, params) is not None:
            return cloudflare_failure(500, 10001, "Internal server error")
        return None


class RejectsIdsAtTheLimit(ReferenceMock):
    """Off by one: rejects ids of exactly maxLength."""

    def identifiers(self, request: Request, params: dict[str, str]) -> Reply | None:
        if any(len(params[name]) >= limit for name, limit in self.max_lengths.items()):
            return cloudflare_failure(400, 7003, "Could not route, perhaps your object identifier is invalid?")
        return None


class ServerErrorOnDot(ReferenceMock):
    """500 for session ids containing '.': the bug random text rarely finds (DESIGN §5)."""

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        if "." in params["session_id"]:
            return cloudflare_failure(500, 10001, "Internal server error")
        return super().found(request, params)


class UnknownSessionFound(ReferenceMock):
    """Answers an unknown session with 200 and empty data."""

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        reply = super().found(request, params)
        return Reply(200, {"success": True, "data": {}}) if reply.status == 404 else reply


class UnknownSessionCrashes(ReferenceMock):
    """Answers an unknown session with a 500."""

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        reply = super().found(request, params)
        return realtimekit_failure(500, "Internal server error") if reply.status == 404 else reply


class InvalidSessionIdsFound(ReferenceMock):
    """Answers a session id its edition's schema rules out (no UUID, in the current edition) with a session made up for
    it, instead of refusing it."""

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        reply = super().found(request, params)
        if reply.status != 404 or not self.contract.validate_parameter("session_id", params["session_id"]):
            return reply
        made_up = {**self.data.sessions[0], "id": params["session_id"]}
        return Reply(200, self.body(made_up, self.wants_breakout_rooms(request)))


class AnotherSession(ReferenceMock):
    """Answers every known id with the first seeded session."""

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        return super().body(self.data.sessions[0], breakout_rooms)


class BreakoutRoomsIgnored(ReferenceMock):
    """Never lists breakout rooms, whatever include_breakout_rooms says."""

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        return super().body(session, False)


class EveryFifthFails(ReferenceMock):
    """500 on every fifth request: a flaky backend."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data)
        self.count = 0

    def respond(self, request: Request) -> Reply:
        self.count += 1
        return cloudflare_failure(500, 10001, "Internal server error") if self.count % 5 == 0 else super().respond(request)


class DenyAll(ReferenceMock):
    """401 to every request: must never pass."""

    def respond(self, request: Request) -> Reply:
        return cloudflare_failure(401, 10000, "Authentication error")
