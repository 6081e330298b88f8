"""A second implementation of the endpoint, written apart from the reference mock: the standard library's HTTP
server instead of ASGI and uvicorn, its own routing and its own serialization. It reads the contract's recorded
answers and the seed data, nothing of the mock's code, so that the mock's assumptions cannot leak into it.

A Style says how it writes what the contract leaves open; each correct variant is one Style.
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from conformance.contract import load_contract
from conformance.mock.app import placed  # JSON pointer mechanics only: the answers are this module's own
from conformance.mock.data import MockData
from conformance.transport import loopback

BASE = "/client/v4"
MAX_REQUEST_BODY = 1 << 20
Headers = list[tuple[str, str]]


def compact(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


@dataclass(frozen=True)
class Style:
    """How a variant writes what HTTP, JSON and the contract leave open."""

    framing: str = "length"  # length (Content-Length), chunked, or close (the body ends with the connection)
    gzip: bool = False  # Content-Encoding: gzip, when the client accepts it
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()  # sent with every answer
    header_names: Callable[[str], str] = str  # how header names are written
    serialize: Callable[[Any], str] = compact
    session: Callable[[dict[str, Any]], dict[str, Any]] = dict  # rewrites a session before it is sent
    envelope: Callable[[dict[str, Any]], dict[str, Any]] = dict  # rewrites a 200 body before it is sent
    literal_limits: bool = False  # ids past the documented maxLength are refused, UUID app ids too


class Endpoint:
    """GetSessionDetails as a function of (method, request target, headers) -> (status, body, headers)."""

    def __init__(self, data: MockData, edition: str, style: Style) -> None:
        self.data, self.style, self.contract = data, style, load_contract(edition)
        self.sessions = data.index()

    def answer(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, Any, Headers]:
        path, _, query = target.partition("?")
        params = self.contract.match_path(path.removeprefix(BASE)) if path.startswith(BASE + "/") else None
        if params is None:
            return self.failure("no-route")
        if method != "GET":
            status, body, _ = self.failure("method-not-allowed")
            return status, body, [("Allow", "GET")]
        refused = self.refused(headers.get("authorization"), params)
        if refused:
            return self.failure(*refused)
        flags = parse_qs(query, keep_blank_values=True).get(self.contract.breakout_rooms_parameter, [])
        if any(flag not in ("true", "false") for flag in flags):
            return self.failure("invalid-parameter")
        app = self.sessions.get(params["app_id"])
        if app is None:
            return self.failure("unknown-app")
        session = app.get(params["session_id"])
        return self.failure("unknown-session") if session is None else (200, self.body(session, "true" in flags), [])

    def refused(self, authorization: str | None, params: dict[str, str]) -> tuple[str, str] | None:
        """(situation, message) of a request the gateway refuses, in the order Cloudflare checks, or None."""
        if authorization is None:
            return "missing-credentials", ""
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token.strip():
            return "malformed-authorization", ""
        if not all(self.routable(name, value) for name, value in params.items()):
            return "unroutable-identifier", f"Could not route to /accounts/{params['account_id']}/realtime/kit/{params['app_id']}"
        if token.strip() not in self.data.realtime_tokens + self.data.tokens_without_permission:
            return "invalid-token", ""
        if token.strip() not in self.data.realtime_tokens or params["account_id"] != self.data.account_id:
            return "no-permission", ""
        return None

    def routable(self, name: str, value: str) -> bool:
        if name not in self.contract.max_lengths():
            return True
        if self.style.literal_limits:
            return len(value) <= self.contract.max_lengths()[name]
        return not self.contract.validate_parameter(name, value)

    def failure(self, situation: str, message: str = "") -> tuple[int, Any, Headers]:
        recorded = self.contract.recorded_failures[situation]
        body = copy.deepcopy(recorded.body)
        if message:
            body["errors"][0]["message"] = message
        return recorded.status, body, []

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        rooms, other_editions = self.contract.nested_sessions_field, self.contract.other_edition_fields()
        shown = {k: v for k, v in session.items() if k not in other_editions and k != rooms}
        if breakout_rooms:
            shown[rooms] = [self.style.session(room) for room in session.get(rooms, [])]
        return self.style.envelope(placed({"success": True}, self.contract.session_pointer, self.style.session(shown)))


def handler_for(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    style = endpoint.style

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0" if style.framing == "close" else "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: else the body waits for a delayed ACK (40 ms)

        def handle_any(self) -> None:
            self.rfile.read(min(int(self.headers.get("content-length") or 0), MAX_REQUEST_BODY))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, body, extra = endpoint.answer(self.command, self.path, headers)
            payload = style.serialize(body).encode()
            sent = [("Content-Type", style.content_type), *style.headers, *extra]
            if style.gzip and "gzip" in headers.get("accept-encoding", ""):
                payload, sent = gzip.compress(payload), [*sent, ("Content-Encoding", "gzip")]
            self.send_response_only(status)
            framing = {"length": [("Content-Length", str(len(payload)))], "chunked": [("Transfer-Encoding", "chunked")]}
            for name, value in sent + framing.get(style.framing, [("Connection", "close")]):
                self.send_header(style.header_names(name), value)
            self.end_headers()
            self.wfile.write(chunked(payload) if style.framing == "chunked" else payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

        def log_message(self, format: str, *args: Any) -> None:
            pass  # a test server: nothing on stderr

    return Handler


def chunked(payload: bytes, size: int = 7) -> bytes:
    """The body in small chunks, so that a client really has to join them."""
    pieces = [payload[i : i + size] for i in range(0, len(payload), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"


@contextlib.contextmanager
def serving(data: MockData, edition: str, style: Style) -> Iterator[str]:
    """The endpoint on a free loopback port for the block; yields its base URL (with the /client/v4 path)."""
    with loopback.serving(handler_for(Endpoint(data, edition, style))) as root:
        yield root + BASE
