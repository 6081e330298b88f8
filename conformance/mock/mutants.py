"""Deliberately broken variants of the reference mock: each breaks one promise of the contract.

The suite must pass on the reference mock and catch every mutant with the checks it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks.body import lookup
from conformance.contract import load_contract
from conformance.mock.app import ReferenceMock, Reply, Request, cloudflare_failure
from conformance.mock.data import MockData


@dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str  # the promise it breaks, in a few words
    killed_by: tuple[str, ...]  # the check ids expected to catch it
    build: Callable[[MockData], ReferenceMock]


class SessionEdit(ReferenceMock):
    """Edits the sessions it answers with: all of them, or those `only` selects."""

    def __init__(
        self, data: MockData, edit: Callable[[dict[str, Any]], None], only: Callable[[dict[str, Any]], bool] | None = None
    ) -> None:
        super().__init__(data)
        self.edit, self.only = edit, only or (lambda session: True)

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        body = super().body(session, breakout_rooms)
        shown = lookup(body, load_contract().session_pointer)
        if self.only(shown):
            self.edit(shown)
        return body


class ServerErrorOnDot(ReferenceMock):
    """500 for session ids containing '.': the bug random text rarely finds (DESIGN §5)."""

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        if "." in params["session_id"]:
            return cloudflare_failure(500, 10001, "Internal server error")
        return super().found(request, params)


class TruncatesLongAccount(ReferenceMock):
    """Accepts an account id past its maxLength by reading only its first characters."""

    def steps(self) -> list[Any]:
        return [s for s in super().steps() if s.__name__ != "identifiers"]

    def token(self, request: Request, params: dict[str, str]) -> Reply | None:
        limit = self.max_lengths["account_id"]
        return super().token(request, {**params, "account_id": params["account_id"][:limit]})


class AuthIgnored(ReferenceMock):
    """Answers without looking at the Authorization header."""

    def steps(self) -> list[Any]:
        return [s for s in super().steps() if s.__name__ not in ("credentials", "token")]

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        if params["account_id"] != self.data.account_id:  # the account check lived in the token step
            return cloudflare_failure(403, 10000, "Authentication error")
        return super().found(request, params)


class DenyAll(ReferenceMock):
    """401 to every request: must never pass."""

    def respond(self, request: Request) -> Reply:
        return cloudflare_failure(401, 10000, "Authentication error")


def drop(field: str) -> Callable[[dict[str, Any]], None]:
    return lambda session: session.pop(field, None)


def set_to(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda session: session.__setitem__(field, value)


def _required_field() -> str:
    return str(load_contract().session["required"][-1])


MUTANTS = {
    m.name: m
    for m in [
        Mutant(
            "missing-required-field",
            "a required field is missing",
            ("schema.required-fields", "schema.body"),
            lambda d: SessionEdit(d, drop(_required_field())),
        ),
        Mutant(
            "status-paused",
            "status is PAUSED, not a documented value",
            ("enums.status", "schema.body"),
            lambda d: SessionEdit(d, set_to("status", "PAUSED")),
        ),
        Mutant("auth-ignored", "requests without a valid token are answered", ("auth.rejected",), AuthIgnored),
        Mutant("deny-all", "401 to everything", ("transport.session-ok",), DenyAll),
        Mutant("server-error-on-dot", "500 for session ids containing '.'", ("errors.no-server-error",), ServerErrorOnDot),
        Mutant("long-account-accepted", "a 33-character account_id is accepted", ("params.max-length",), TruncatesLongAccount),
        Mutant(
            "status-out-of-enum-for-some",
            "status FINISHED for ENDED sessions only",
            ("enums.status",),
            lambda d: SessionEdit(d, set_to("status", "FINISHED"), only=lambda s: s["status"] == "ENDED"),
        ),
        Mutant(
            "count-as-string-for-some",
            "live_participants as a string for LIVE sessions only",
            ("schema.field-types",),
            lambda d: SessionEdit(
                d, lambda s: s.__setitem__("live_participants", str(s["live_participants"])), only=lambda s: s["status"] == "LIVE"
            ),
        ),
    ]
}
