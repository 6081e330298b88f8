"""The reference mock: GetSessionDetails answered as Cloudflare does, its failures as the contract records them.

`ReferenceMock.respond` is a pure function of the request, built from small steps, so that a
deliberately broken variant (a mutant) overrides one step and nothing else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from jsonpointer import JsonPointer

from conformance.contract import BASE_PATH, load_contract
from conformance.contract.editions import DEFAULT_EDITION
from conformance.mock.data import MockData
from conformance.mock.ratelimit import RateLimiter

BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # raw, still percent-encoded
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    @classmethod
    def from_scope(cls, scope: dict[str, Any]) -> Request:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        return cls(
            method=scope["method"],
            path=raw_path.decode("latin-1"),
            query=parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True),
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])},
        )


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


Step = Callable[[Request, dict[str, str]], "Reply | None"]


class ReferenceMock:
    """ASGI app answering GET {BASE_PATH}/accounts/{account_id}/realtime/kit/{app_id}/sessions/{session_id},
    its 200 body in one edition of the contract."""

    def __init__(
        self, data: MockData, limiter: RateLimiter | None = None, base_path: str = BASE_PATH, edition: str = DEFAULT_EDITION
    ) -> None:
        self.data, self.sessions = data, data.index()
        self.limiter = limiter or RateLimiter()
        self.base_path = base_path.rstrip("/")
        self.contract = load_contract(edition)
        self.max_lengths = self.contract.max_lengths()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] == "http":
            await send_reply(send, self.respond(Request.from_scope(scope)))

    def respond(self, request: Request) -> Reply:
        reply = self.route(request)
        self.limiter.stamp(reply)
        return reply

    def route(self, request: Request) -> Reply:
        under_base = request.path.startswith(self.base_path + "/")
        params = self.contract.match_path(request.path.removeprefix(self.base_path)) if under_base else None
        if params is None:
            return self.recorded("no-route")
        for step in self.steps():
            reply = step(request, params)
            if reply is not None:
                return reply
        return self.found(request, params)

    def steps(self) -> list[Step]:
        """What is checked before the session is looked up, in Cloudflare's order: gateway first."""
        return [self.method, self.rate_limit, self.credentials, self.identifiers, self.token, self.query]

    def method(self, request: Request, params: dict[str, str]) -> Reply | None:
        if request.method == "GET":
            return None
        reply = self.recorded("method-not-allowed")
        reply.headers["allow"] = "GET"
        return reply

    def rate_limit(self, request: Request, params: dict[str, str]) -> Reply | None:
        retry_after = self.limiter.take()
        if retry_after is None:
            return None
        reply = self.recorded("rate-limited")
        reply.headers["retry-after"] = str(retry_after)
        return reply

    def credentials(self, request: Request, params: dict[str, str]) -> Reply | None:
        header = request.headers.get("authorization")
        if header is None:
            return self.recorded("missing-credentials")
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token.strip():
            return self.recorded("malformed-authorization")
        return None

    def identifiers(self, request: Request, params: dict[str, str]) -> Reply | None:
        """Ids the contract rules out cannot be routed; a UUID app id past the documented 32 characters can, as in production."""
        for name in self.max_lengths:
            if self.contract.validate_parameter(name, params[name]):
                route = f"/accounts/{params['account_id']}/realtime/kit/{params['app_id']}"
                return self.recorded("unroutable-identifier", f"Could not route to {route}, perhaps your object identifier is invalid?")
        return None

    def token(self, request: Request, params: dict[str, str]) -> Reply | None:
        token = request.headers["authorization"].partition(" ")[2].strip()
        if token not in self.data.realtime_tokens + self.data.tokens_without_permission:
            return self.recorded("invalid-token")
        if token not in self.data.realtime_tokens or params["account_id"] != self.data.account_id:
            return self.recorded("no-permission")
        return None

    def query(self, request: Request, params: dict[str, str]) -> Reply | None:
        for name, value in request.query:
            if name == self.contract.breakout_rooms_parameter and value not in BOOLEANS:
                return self.recorded("invalid-parameter")
        return None

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        if params["app_id"] not in self.sessions:
            return self.recorded("unknown-app")
        session = self.sessions[params["app_id"]].get(params["session_id"])
        if session is None:
            return self.recorded("unknown-session")
        return Reply(200, self.body(session, self.wants_breakout_rooms(request)))

    def recorded(self, situation: str, message: str = "") -> Reply:
        """The answer the contract records for a failure situation (a named example of a failure response),
        with this request's own message in place of the example's (Cloudflare envelope situations)."""
        failure = self.contract.recorded_failures[situation]
        body = copy.deepcopy(failure.body)
        if message:
            body["errors"][0]["message"] = message
        return Reply(failure.status, body)

    def wants_breakout_rooms(self, request: Request) -> bool:
        return any(BOOLEANS.get(v, False) for n, v in request.query if n == self.contract.breakout_rooms_parameter)

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        """The 200 body in the mock's edition: the session where the edition puts it, without other editions' fields."""
        shown = copy.deepcopy(session)
        for name in self.contract.other_edition_fields():
            shown.pop(name, None)
        rooms = self.contract.nested_sessions_field
        if breakout_rooms:
            shown.setdefault(rooms, [])
        else:
            shown.pop(rooms, None)
        return placed({"success": True}, self.contract.session_pointer, shown)


def placed(body: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    """`body` with `value` at the JSON pointer, creating the objects on the way."""
    *parents, last = JsonPointer(pointer).parts
    node = body
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return body


def encoded(reply: Reply) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """(headers, body) of a reply as they go on the wire: over a socket, or to an in-process client."""
    payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
    headers = [(b"content-type", reply.content_type.encode()), (b"content-length", str(len(payload)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
    return headers, payload


async def send_reply(send: Any, reply: Reply) -> None:
    """An ASGI app's answer: the reply, as the mock writes any (the replay server writes its recorded ones so too)."""
    headers, payload = encoded(reply)
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def lifespan(receive: Any, send: Any) -> None:
    """An ASGI app's lifespan: nothing to start or stop."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
