"""The catalogue of deliberately broken implementations: each mutant of the reference mock breaks one
promise of the contract and names the check(s) expected to catch it. `rtk-conformance selftest` runs
the suite against every one of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from conformance.checks import by_id
from conformance.contract import load_contract
from conformance.mock.app import ReferenceMock, Reply, Request
from conformance.mock.data import MockData
from conformance.selftest.mutants import kinds as k


@dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str  # the promise it breaks, in a few words
    killed_by: tuple[str, ...]  # the check ids expected to catch it; any one of them kills it
    build: Callable[[MockData], ReferenceMock]

    @property
    def level(self) -> str:
        """MUST when a MUST check is expected to catch it: then the explicit checks alone must."""
        return "MUST" if any(by_id(c).level == "MUST" for c in self.killed_by) else "SHOULD"

    @property
    def category(self) -> str:
        return by_id(self.killed_by[0]).category


def drop(field: str) -> k.SessionChange:
    return lambda session: session.pop(field, None)


def set_to(field: str, value: Any) -> k.SessionChange:
    return lambda session: session.__setitem__(field, value)


def change(field: str, how: Callable[[Any], Any]) -> k.SessionChange:
    return lambda session: session.__setitem__(field, how(session[field]))


def failures(edit: Callable[[Reply], Reply]) -> k.ReplyChange:
    """A reply change applied to 4xx/5xx replies only."""
    return lambda request, reply: edit(reply) if reply.status >= 400 else reply


def _html(reply: Reply) -> Reply:
    return Reply(reply.status, f"<html><body><h1>{reply.status} Error</h1></body></html>".encode(), reply.headers, "text/html")


def _without_success(reply: Reply) -> Reply:
    return Reply(reply.status, {k_: v for k_, v in reply.body.items() if k_ != "success"}, reply.headers)


def _as_text(request: Request, reply: Reply) -> Reply:
    return Reply(reply.status, reply.body, reply.headers, "text/plain")


def _success_as_string(body: dict[str, Any]) -> None:
    body["success"] = "true"


def _elsewhere(body: dict[str, Any]) -> None:
    body["data"] = {"result": body["data"]["session"]}  # where neither edition puts it


class MixedEditions(ReferenceMock):
    """Flat data for LIVE sessions, data.session for the others: no one edition."""

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        body = super().body(session, breakout_rooms)
        return {"success": True, "data": body["data"]["session"]} if session["status"] == "LIVE" else body


def current(kind: Callable[..., ReferenceMock], *args: Any) -> Callable[[MockData], ReferenceMock]:
    """A mutant of the reference mock serving the current edition (flat data)."""
    return lambda data: kind(data, *args, edition="current")


def _ended_on_live(session: dict[str, Any]) -> None:
    if session["status"] == "LIVE":
        session["ended_at"] = session["updated_at"]


def _room_without_type(session: dict[str, Any]) -> None:
    for room in session.get("breakout_rooms", [])[:1]:
        room.pop("type")


def answers_otherwise(situation: str, edit: Callable[[Reply], Reply]) -> Callable[[MockData], ReferenceMock]:
    return lambda data: k.AnswersOtherwise(data, {situation: edit})


def _without_error_chain(reply: Reply) -> Reply:
    return Reply(reply.status, {**reply.body, "errors": [{"code": e["code"], "message": e["message"]} for e in reply.body["errors"]]})


def _as_realtimekit_error(reply: Reply) -> Reply:
    return k.realtimekit_failure(reply.status, "Request failed")


def _production_mutants() -> list[Mutant]:
    """One per failure situation the production.* checks compare: still a failure, not the one Cloudflare gives."""
    return [
        Mutant(
            "missing-credentials-401",
            "401 to a request without credentials",
            ("production.missing-credentials",),
            answers_otherwise("missing-credentials", lambda reply: Reply(401, reply.body)),
        ),
        Mutant(
            "malformed-authorization-without-chain",
            "400/6003 without error_chain to a malformed Authorization header",
            ("production.malformed-authorization",),
            answers_otherwise("malformed-authorization", _without_error_chain),
        ),
        Mutant(
            "invalid-token-without-error-code",
            "403 in the RealtimeKit shape (no error code) to an unknown token",
            ("production.invalid-token",),
            answers_otherwise("invalid-token", _as_realtimekit_error),
        ),
        Mutant(
            "no-permission-as-invalid-token",
            "code 9109 for an account the token cannot reach",
            ("production.no-permission",),
            answers_otherwise("no-permission", lambda reply: k.cloudflare_failure(403, 9109, "Invalid access token")),
        ),
        Mutant(
            "unroutable-identifier-realtimekit",
            "a RealtimeKit body for an id the gateway cannot route",
            ("production.unroutable-identifier",),
            answers_otherwise("unroutable-identifier", _as_realtimekit_error),
        ),
        Mutant(
            "unknown-session-no-route",
            "404/7000 (no route) for an unknown session",
            ("production.unknown-session",),
            answers_otherwise("unknown-session", lambda reply: k.cloudflare_failure(404, 7000, "No route for that URI")),
        ),
    ]


def _dropping(field: str, data: MockData) -> ReferenceMock:
    return k.SessionEdit(data, drop(field))


def _required_field_mutants() -> list[Mutant]:
    """One mutant per required field of the contract, dropping it."""
    required = load_contract().session["required"]
    return [Mutant(f"drop-{f}", f"required field {f} missing", ("schema.required-fields",), partial(_dropping, f)) for f in required]


CATALOGUE = [
    *_required_field_mutants(),
    Mutant(
        "count-as-string",
        "minutes_consumed is a string",
        ("schema.field-types",),
        lambda d: k.SessionEdit(d, change("minutes_consumed", str)),
    ),
    Mutant(
        "null-required-field",
        "meeting_display_name is null",
        ("schema.field-types",),
        lambda d: k.SessionEdit(d, set_to("meeting_display_name", None)),
    ),
    Mutant(
        "timestamp-not-rfc3339",
        "created_at is not RFC 3339",
        ("schema.timestamps",),
        lambda d: k.SessionEdit(d, set_to("created_at", "2026-11-02 09:00:00")),
    ),
    Mutant("success-as-string", 'success is the string "true"', ("schema.body",), lambda d: k.BodyEdit(d, _success_as_string)),
    Mutant("session-elsewhere", "the session sits where no edition puts it", ("schema.envelope",), lambda d: k.BodyEdit(d, _elsewhere)),
    Mutant("editions-mixed", "flat data for some sessions, data.session for others", ("schema.envelope",), MixedEditions),
    Mutant(
        "current-drop-created_at",
        "current edition: created_at missing",
        ("schema.required-fields",),
        current(k.SessionEdit, drop("created_at")),
    ),
    Mutant("current-type-out-of-enum", "current edition: type webinar", ("enums.type",), current(k.SessionEdit, set_to("type", "webinar"))),
    Mutant(
        "current-count-as-string",
        "current edition: max_concurrent_participants is a string",
        ("schema.field-types",),
        current(k.SessionEdit, change("max_concurrent_participants", str)),
    ),
    Mutant(
        "breakout-room-missing-field",
        "a breakout room lacks type",
        ("schema.breakout-rooms",),
        lambda d: k.SessionEdit(d, _room_without_type),
    ),
    Mutant("status-paused", "status PAUSED", ("enums.status",), lambda d: k.SessionEdit(d, set_to("status", "PAUSED"))),
    Mutant("status-lower-case", "status in lower case", ("enums.status",), lambda d: k.SessionEdit(d, change("status", str.lower))),
    Mutant("type-out-of-enum", "type webinar", ("enums.type",), lambda d: k.SessionEdit(d, set_to("type", "webinar"))),
    Mutant(
        "status-out-of-enum-for-some",
        "status FINISHED for ENDED sessions only",
        ("enums.status",),
        lambda d: k.SessionEdit(d, set_to("status", "FINISHED"), only=lambda s: s["status"] == "ENDED"),
    ),
    Mutant(
        "count-as-string-for-some",
        "live_participants a string for LIVE sessions only",
        ("schema.field-types",),
        lambda d: k.SessionEdit(d, change("live_participants", str), only=lambda s: s["status"] == "LIVE"),
    ),
    Mutant("success-missing", "no success on a 200", ("semantics.success-true",), lambda d: k.BodyEdit(d, lambda b: b.pop("success"))),
    Mutant("another-session", "the body is another session than the one asked", ("semantics.echoes-path-parameters",), k.AnotherSession),
    Mutant("ended-at-on-live", "ended_at on a LIVE session", ("semantics.present-only-when",), lambda d: k.SessionEdit(d, _ended_on_live)),
    Mutant(
        "negative-count",
        "live_participants below 0",
        ("semantics.non-negative",),
        lambda d: k.SessionEdit(d, set_to("live_participants", -1)),
    ),
    Mutant(
        "ended-before-started",
        "ended_at before started_at",
        ("semantics.chronology",),
        lambda d: k.SessionEdit(d, set_to("ended_at", "2020-01-01T00:00:00.000Z"), only=lambda s: s["status"] == "ENDED"),
    ),
    Mutant(
        "live-above-max",
        "live_participants above max_concurrent_participants",
        ("semantics.at-most",),
        lambda d: k.SessionEdit(d, lambda s: s.__setitem__("live_participants", s["max_concurrent_participants"] + 1)),
    ),
    Mutant(
        "breakout-rooms-ignored", "include_breakout_rooms=true lists no rooms", ("params.breakout-rooms-array",), k.BreakoutRoomsIgnored
    ),
    Mutant("long-account-accepted", "a 33-character account_id is accepted (truncated)", ("params.max-length",), k.TruncatesLongAccount),
    Mutant("long-id-server-error", "a 33-character id gets a 500", ("params.max-length", "errors.no-server-error"), k.ServerErrorOnLongIds),
    Mutant("ids-at-limit-rejected", "32-character ids are rejected", ("params.at-max-length",), k.RejectsIdsAtTheLimit),
    Mutant(
        "boolean-not-validated",
        "include_breakout_rooms=maybe is accepted",
        ("params.boolean-rejected",),
        lambda d: k.WithoutSteps(d, "query"),
    ),
    Mutant(
        "current-invalid-session-id-found",
        "current edition: a session id that is no UUID is answered 200",
        ("params.invalid-rejected",),
        current(k.InvalidSessionIdsFound),
    ),
    Mutant(
        "invalid-parameter-422",
        "a non-boolean include_breakout_rooms gets 422, a status Cloudflare never answers",
        ("errors.documented-status",),
        answers_otherwise("invalid-parameter", lambda reply: Reply(422, reply.body)),
    ),
    Mutant("auth-ignored", "requests without a valid token are answered", ("auth.rejected",), k.AuthIgnored),
    Mutant("any-token-accepted", "an unknown token is accepted", ("auth.rejected",), k.AnyToken),
    Mutant("basic-accepted", "Basic credentials are accepted", ("auth.rejected",), k.BasicAccepted),
    Mutant("deny-all", "401 to everything", ("transport.session-ok",), k.DenyAll),
    Mutant("unknown-session-empty-200", "an unknown session gets 200 with empty data", ("errors.unknown-session",), k.UnknownSessionFound),
    Mutant(
        "unknown-session-500", "an unknown session gets 500", ("errors.unknown-session", "errors.no-server-error"), k.UnknownSessionCrashes
    ),
    Mutant("post-answered-200", "POST answered like GET", ("errors.method-not-allowed",), lambda d: k.WithoutSteps(d, "method")),
    Mutant("text-content-type", "JSON sent as text/plain", ("errors.json-content-type",), lambda d: k.ReplyEdit(d, _as_text)),
    Mutant(
        "html-error-page",
        "failures are HTML pages",
        ("errors.failure-body", "errors.json-content-type"),
        lambda d: k.ReplyEdit(d, failures(_html)),
    ),
    Mutant(
        "error-without-success",
        "failure bodies lack success: false",
        ("errors.failure-body",),
        lambda d: k.ReplyEdit(d, failures(_without_success)),
    ),
    Mutant("server-error-on-dot", "500 for session ids containing '.'", ("errors.no-server-error",), k.ServerErrorOnDot),
    Mutant("every-fifth-request-500", "500 on every fifth request", ("errors.no-server-error",), k.EveryFifthFails),
    *_production_mutants(),
]

MUTANTS = {m.name: m for m in CATALOGUE}
