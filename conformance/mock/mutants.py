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
    """Edits every session it answers with."""

    def __init__(self, data: MockData, edit: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(data)
        self.edit = edit

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        body = super().body(session, breakout_rooms)
        self.edit(lookup(body, load_contract().session_pointer))
        return body


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
    ]
}
