"""`rtk-conformance proxy --upstream URL`: a validating proxy on loopback. Each request goes to the upstream (the live
API, any mock) and its answer comes back unchanged, byte for byte; on its way each exchange on this endpoint is
judged as an audit judges a recorded one, one line each. When it stops (Ctrl-C, or --max-requests answered) the
exchanges that passed make one Record: the audit's verdict, summary and reports.

Bounded as every input is: a request body and an answer of at most --max-body bytes (decoded, however its encoding
stacks), --timeout seconds for each answer. The token passes through in its header and is never shown: each line
names the method, the path and the status, and every report hides it. An upstream off loopback (the live API) gets
GET only, unless --allow-writes: a proxy in front of production never turns a test into a write.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from conformance.audit.auditing import add_judged, new_record
from conformance.audit.formats.bodies import decoded_headers
from conformance.audit.judge import edition_of, judge, on_the_endpoint
from conformance.audit.recorded import Recorded
from conformance.audit.writing import Passed
from conformance.cassettes.redaction import CREDENTIALS_RECORDED, credential_class
from conformance.contract import load_contract
from conformance.contract.editions import DEFAULT_EDITION
from conformance.mock.app import Reply, lifespan, send_reply
from conformance.printable import printable
from conformance.run.record import Record
from conformance.run.settings import AUTO_EDITION, Settings
from conformance.secret import NO_SECRET, Secret, remember
from conformance.transport.decoding import PastLimit, Undecodable, decoded

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
SOURCE = "proxy"


def on_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host == "::1" or host.startswith("127.")


@dataclass
class JudgingProxy:
    """The ASGI app: forward, judge, answer as the upstream did."""

    upstream: str
    settings: Settings
    say: Callable[[str], None]  # one line per exchange
    writes_allowed: bool = False
    token: Secret = NO_SECRET  # the run's token, from the environment: what tells a valid bearer token from an invalid one
    stop: threading.Event = field(default_factory=threading.Event)  # set once --max-requests were answered
    record: Record = field(init=False)
    passed: list[Passed] = field(default_factory=list)  # every exchange, as --record writes it
    lock: threading.Lock = field(default_factory=threading.Lock)
    edition: str | None = None  # as asked, or as the first 200 body in an edition's shape shows it

    def __post_init__(self) -> None:
        self.record = new_record(self.settings, f"proxy to {self.upstream}")
        self.edition = None if self.settings.edition == AUTO_EDITION else self.settings.edition
        self.client = httpx.AsyncClient(timeout=self.settings.timeout, verify=self.settings.tls_verify)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] == "http":
            await send_reply(send, await self.answer(scope, receive))

    async def answer(self, scope: dict[str, Any], receive: Any) -> Reply:
        method = scope["method"]
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query}" if query else "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if method != "GET" and not self.writes_allowed and not on_loopback(self.upstream):
            self.say(f"{method} {printable(path)}: not forwarded: the upstream is off loopback, and the proxy sends GET only there")
            return Reply(405, {"success": False, "errors": [{"code": 405, "message": "rtk-conformance proxy: GET only (--allow-writes)"}]})
        started, clock = datetime.datetime.now(datetime.timezone.utc).isoformat(), time.monotonic()
        try:
            body = await _body(receive, self.settings.max_body)
            upstream = await self.forward(method, target, headers, body)
        except (httpx.HTTPError, PastLimit, Undecodable) as exc:
            self.say(f"{method} {printable(path)}: no answer from the upstream: {printable(type(exc).__name__)}")
            return Reply(
                502, {"success": False, "errors": [{"code": 502, "message": "rtk-conformance proxy: the upstream did not answer"}]}
            )
        self.judge(method, target, headers, upstream, started, round((time.monotonic() - clock) * 1000, 3))
        return upstream.reply

    async def forward(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Forwarded:
        sent = {k: v for k, v in headers.items() if k not in HOP_BY_HOP}
        request = self.client.build_request(method, self.upstream.rstrip("/") + target, headers=sent, content=body)
        response = await self.client.send(request, stream=True)
        try:
            raw = await _bounded(response, self.settings.max_body)
        finally:
            await response.aclose()
        kept = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP | {"content-type"}}
        reply = Reply(response.status_code, raw, kept, response.headers.get("content-type", ""))
        encodings = response.headers.get("content-encoding", "").split(",")
        body = decoded([raw], encodings, self.settings.max_body)
        headers = decoded_headers({k.lower(): v for k, v in response.headers.items()})  # as the run's transport gives them
        return Forwarded(reply, body, headers, response.reason_phrase)

    def judge(self, method: str, target: str, headers: dict[str, str], upstream: Forwarded, started: str, milliseconds: float) -> None:
        with self.lock:
            number = len(self.passed) + 1
            url = self.upstream.rstrip("/") + target
            status, sent = upstream.reply.status, self.redacted(headers)
            recorded = Recorded(SOURCE, f"request {number}", method, url, sent, status, upstream.headers, upstream.body)
            self.passed.append(Passed(recorded, upstream.reason, started, milliseconds))
            self.edition = self.edition or edition_of([recorded])
            contract = load_contract(self.edition or DEFAULT_EDITION)
            params = on_the_endpoint(recorded, contract)
            line = f"#{number} {method} {printable(urlsplit(target).path)} -> {upstream.reply.status}: "
            if params is None:
                self.say(line + "another endpoint, left alone")
            else:
                audited = add_judged(self.record, judge(recorded, params, contract), contract)
                failed = f" ({', '.join(audited.failed)})" if audited.failed else ""
                self.say(line + audited.verdict + failed)
            if self.settings.max_requests and number >= self.settings.max_requests:
                self.stop.set()

    def redacted(self, headers: dict[str, str]) -> dict[str, str]:
        """The request's headers as judged and recorded: the Authorization header as its credential class, and its
        token hidden from every output. Without the run's token in the environment, any bearer token is taken as
        valid, as an audit takes one."""
        authorization = headers.get("authorization")
        if authorization is None:
            return headers
        scheme, _, value = authorization.partition(" ")
        bearer = Secret(value.strip() if scheme == "Bearer" else authorization)
        remember(bearer)
        credentials = credential_class(authorization, self.token or bearer)
        return {**headers, "authorization": f"{CREDENTIALS_RECORDED}{credentials}]"}

    def finished(self) -> Record:
        """The record of every exchange that passed, once the proxy stopped."""
        record = self.record
        assert record.recordings is not None
        record.recordings.files, record.recordings.exchanges = 1, len(self.passed)
        asked = self.settings.edition != AUTO_EDITION
        record.edition = self.edition or DEFAULT_EDITION
        record.edition_source = "asked" if asked else "detected" if self.edition else "assumed: no 200 body in an edition's shape passed"
        record.duration = round(time.time() - record.started, 3)
        return record


@dataclass(frozen=True)
class Forwarded:
    reply: Reply  # what the client gets: the upstream's status, headers and raw bytes
    body: bytes  # the body decoded, for the checks
    headers: dict[str, str]  # lower-case names
    reason: str


async def _body(receive: Any, limit: int) -> bytes:
    """The request's body, at most `limit` bytes."""
    body = bytearray()
    while True:
        message = await asyncio.wait_for(receive(), timeout=30)
        body += message.get("body", b"")
        if len(body) > limit:
            raise PastLimit()
        if not message.get("more_body"):
            return bytes(body)


async def _bounded(response: httpx.Response, limit: int) -> bytes:
    """The answer's raw bytes (as sent, still encoded), at most `limit`."""
    raw = bytearray()
    async for piece in response.aiter_raw():
        raw += piece
        if len(raw) > limit:
            raise PastLimit()
    return bytes(raw)
