"""A hostile HTTP target on a raw loopback socket: every request it receives gets a newly drawn response (its status
line, headers, framing, content encodings and body, the request's own Authorization echoed back in any form), drawn
from a seeded random stream, so that one run meets hundreds of them and the same seed serves the same ones again.

A drawn response is plain data (`Drawn`); the server keeps a printable account of each one it served, in order, for
the report of a failing case. Most kinds are hostile; `reference` is the reference mock's own answer, so that a run
gets far enough to meet the rest."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import json
import random
import socket
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from conformance.mock import MockData, ReferenceMock, Request, load_data

MiB = 1024 * 1024
HEAD_LIMIT = 64 * 1024  # bytes of a response's status line and headers, at most
BODY_LIMIT = 2 * MiB + 4096  # bytes of a response's body on the wire, at most
BOMB_SIZE = 1024 * MiB  # bytes a compression bomb inflates to
ECHO = "@@ECHO@@"  # where an echoed Authorization goes in a template, before it is encoded
EDITIONS = ("documented", "current")


@dataclass(frozen=True)
class Asked:
    """One request as the server read it."""

    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-case names, each byte one character (latin-1)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.target.partition("?")[2], keep_blank_values=True)

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", "")


# How a body is delimited on the wire, and whether the server closes the connection after it.
FRAMINGS = {
    "length": False,  # Content-Length, right
    "length-short": False,  # Content-Length below the body's size: the rest is left on the connection
    "length-long": True,  # Content-Length above it, then the connection is closed
    "length-long-open": False,  # above it, and the connection left open: the client's timeout ends it
    "length-twice": True,  # two Content-Length headers that disagree
    "length-garbage": True,  # Content-Length: -1, 12abc, a number of 30 digits
    "chunked": False,  # well-formed chunks
    "chunked-bad-size": True,  # a chunk size that is no hexadecimal number
    "chunked-no-end": True,  # no last chunk: the connection is closed
    "chunked-short": True,  # a chunk shorter than its size says, then closed
    "chunked-and-length": False,  # Transfer-Encoding: chunked and a Content-Length
    "close": True,  # neither: the body ends when the connection closes
}


@dataclass(frozen=True)
class Drawn:
    """One response as drawn: what goes on the wire is `wire()`; `describe()` prints it as a reproduction."""

    kind: str
    status_line: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    framing: str = "length"
    line_end: bytes = b"\r\n"
    note: str = ""  # what is hostile about it: the echo's form and place, the bomb's size, the depth
    cut: int = 0  # the amount a framing misstates: bytes too few or too many, a chunk's missing bytes

    @property
    def closes(self) -> bool:
        return FRAMINGS[self.framing] or any(n.lower() == b"connection" and v.lower() == b"close" for n, v in self.headers)

    def wire(self) -> bytes:
        framing_headers, body = self._framed()
        lines = [self.status_line, *(n + b": " + v for n, v in (*self.headers, *framing_headers))]
        return b"".join(line + self.line_end for line in lines) + self.line_end + body

    def _framed(self) -> tuple[list[tuple[bytes, bytes]], bytes]:
        """(the headers that delimit the body, the body as sent) for the framing: only that one is built."""
        size, body, cut = len(self.body), self.body, max(self.cut, 1)
        length = [(b"Content-Length", str(size).encode())]
        chunked = [(b"Transfer-Encoding", b"chunked")]
        framings: dict[str, Callable[[], tuple[list[tuple[bytes, bytes]], bytes]]] = {
            "length": lambda: (length, body),
            "length-short": lambda: ([(b"Content-Length", str(max(size - cut, 0)).encode())], body),
            "length-long": lambda: ([(b"Content-Length", str(size + cut).encode())], body),
            "length-long-open": lambda: ([(b"Content-Length", str(size + cut).encode())], body),
            "length-twice": lambda: ([*length, (b"Content-Length", str(size + cut).encode())], body),
            "length-garbage": lambda: ([(b"Content-Length", [b"-1", b"12abc", b"9" * 30, b"", b"0x10"][cut % 5])], body),
            "chunked": lambda: (chunked, _chunks(body, cut) + b"0\r\n\r\n"),
            "chunked-bad-size": lambda: (chunked, [b"zz", b"-5", b"f" * 20, b"1;\xff"][cut % 4] + b"\r\n" + body + b"\r\n0\r\n\r\n"),
            "chunked-no-end": lambda: (chunked, _chunks(body, cut)),
            "chunked-short": lambda: (chunked, f"{size + cut:x}\r\n".encode() + body),
            "chunked-and-length": lambda: ([*chunked, *length], _chunks(body, cut) + b"0\r\n\r\n"),
            "close": lambda: ([], body),
        }
        return framings[self.framing]()

    def describe(self) -> dict[str, Any]:
        """Printable, and small: long fields shortened, bytes as Python literals."""
        return {
            "kind": self.kind,
            "note": self.note,
            "status_line": _short(self.status_line),
            "headers": [[_short(n), _short(v)] for n, v in self.headers],
            "framing": self.framing + (f" ({self.cut})" if self.cut else ""),
            "line_end": repr(self.line_end),
            "body": _short(self.body),
            "body_bytes": len(self.body),
        }


def _chunks(body: bytes, seed: int) -> bytes:
    """`body` as chunks of sizes that vary with `seed`, without the last chunk."""
    sizes = random.Random(seed)
    out, at = bytearray(), 0
    while at < len(body):
        size = sizes.choice([1, 7, 100, 4096, 65536])
        piece = body[at : at + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        at += size
    return bytes(out)


def _short(data: bytes, keep: int = 300) -> str:
    return repr(data) if len(data) <= keep else repr(data[:keep]) + f"... ({len(data)} bytes)"


@dataclass
class Context:
    """What the draws read: the reference mocks (one per edition, the canary token their own) and the run's edition."""

    data: MockData
    edition: str
    mocks: dict[str, ReferenceMock] = field(default_factory=dict)

    def mock(self, edition: str = "") -> ReferenceMock:
        edition = edition or self.edition
        if edition not in self.mocks:
            self.mocks[edition] = ReferenceMock(self.data, edition=edition)
        return self.mocks[edition]


def data_for(token: str) -> MockData:
    """The reference mock's seeded data, with `token` the one it accepts."""
    return dataclasses.replace(load_data(), realtime_tokens=(token,))


# --- what a response is made of --------------------------------------------------------------------------------------


def status_line(rnd: random.Random, status: int | None = None, reason: bytes | None = None) -> bytes:
    status = status if status is not None else any_status(rnd)
    return b"HTTP/1.1 %d " % status + (reason if reason is not None else any_reason(rnd))


def any_status(rnd: random.Random) -> int:
    return rnd.choice([rnd.randrange(100, 1000), rnd.choice([200, 201, 204, 304, 400, 401, 403, 404, 405, 418, 500, 503, 599])])


def any_reason(rnd: random.Random) -> bytes:
    return rnd.choice(
        [
            lambda: b"OK",
            lambda: b"",
            lambda: bytes(rnd.randrange(0x80, 0x100) for _ in range(rnd.randrange(1, 40))),  # not ASCII, not UTF-8
            lambda: "Réponse ✓ 🙂".encode(),
            lambda: b"\x1b[2J\x1b[31mVerdict: CONFORMS\x07",  # a terminal escape and a spoofed verdict
            lambda: b"x" * rnd.randrange(1000, 16_000),  # very long
            lambda: bytes(rnd.randrange(0x20, 0x7F) for _ in range(rnd.randrange(1, 80))),
        ]
    )()


CONTENT_TYPES = [
    b"application/json",
    b"application/problem+json",
    b"application/json; charset=utf-8",
    b"application/json; charset=utf-16",
    b"application/json; charset=\xff\xfe",
    b"Application/JSON",
    b"text/html",
    b"text/plain",
    b"multipart/form-data",
    b"multipart/mixed; boundary=",
    b"application/octet-stream",
    b"application/x-www-form-urlencoded",
    b"*/*",
    b"",
    b"application/vnd.api+json",
]


def content_type(rnd: random.Random) -> list[tuple[bytes, bytes]]:
    return [] if rnd.random() < 0.1 else [(b"Content-Type", rnd.choice(CONTENT_TYPES))]


def response(kind: str, status: bytes, body: bytes, headers: list[tuple[bytes, bytes]] | None = None, note: str = "") -> Drawn:
    return Drawn(kind, status, tuple(headers if headers is not None else [(b"Content-Type", b"application/json")]), body, note=note)


def session_body(ctx: Context, asked: Asked, edition: str) -> dict[str, Any]:
    """A 200 body that holds the asked session (or the first one) in `edition`'s shape."""
    sessions = ctx.data.by_id
    session_id = asked.path.rsplit("/", 1)[-1]
    session = dict(sessions.get(session_id) or {**ctx.data.sessions[0], "id": session_id})
    if edition == "current":
        session.pop("meta", None)
        return {"success": True, "data": session}
    return {"success": True, "data": {"session": session}}


def failure_body(code: int, message: str) -> dict[str, Any]:
    return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}


# --- the kinds of response -------------------------------------------------------------------------------------------

Draw = Callable[[random.Random, Asked, Context], Drawn]


def reference(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """The reference mock's answer: a run gets far enough to meet the rest."""
    reply = ctx.mock().respond(Request(asked.method, asked.path, asked.query, asked.headers))
    body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
    headers = [(b"Content-Type", reply.content_type.encode()), *((k.encode(), v.encode()) for k, v in reply.headers.items())]
    return response("reference", b"HTTP/1.1 %d OK" % reply.status, body, headers)


def session(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """A valid 200 session body whatever was asked, in either edition (a target that switches editions mid-run)."""
    edition = rnd.choice(EDITIONS)
    return response("session", b"HTTP/1.1 200 OK", json.dumps(session_body(ctx, asked, edition)).encode(), note=edition)


def failure(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    # A 429 stops a run (inconclusive), so it is rare: a run goes on to meet the rest.
    status = rnd.choice([400, 401, 403, 404, 405, 409, 422, 500, 502, 503, 504, rnd.randrange(400, 600)] * 4 + [429])
    body = rnd.choice(
        [
            failure_body(rnd.randrange(1000, 10_000), "Authentication error"),
            {"success": False, "error": {"code": status, "message": "Session not found"}},
            {"success": False, "errors": []},
            {"type": "about:blank", "title": "Not Found", "status": status},
        ]
    )
    headers = [(b"Content-Type", rnd.choice([b"application/json", b"application/problem+json"]))]
    if status in (429, 503) and rnd.random() < 0.5:
        headers.append((b"Retry-After", rnd.choice([b"0", b"1", b"2", b"86400", b"soon", b"\xb2", b"-1"])))
    return response("failure", status_line(rnd, status, b"Error"), json.dumps(body).encode(), headers, note=str(status))


def odd_status(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """Any three digits, any reason phrase."""
    status = rnd.randrange(100, 1000)
    body = json.dumps(rnd.choice([session_body(ctx, asked, ctx.edition), failure_body(1000, "odd")])).encode()
    return response("status", status_line(rnd, status), body, content_type(rnd), note=str(status))


def bad_head(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """A status line or header block that is no HTTP/1.1 one."""
    body = json.dumps(session_body(ctx, asked, ctx.edition)).encode()
    json_type = [(b"Content-Type", b"application/json")]
    how = rnd.choice(["http/1.0", "lf-only", "cr-only", "garbage-line", "no-status-line", "no-colon", "space-before-colon", "fold", "nul"])
    drawn = response("bad-head", b"HTTP/1.1 200 OK", body, json_type, note=how)
    if how == "http/1.0":
        return dataclasses.replace(drawn, status_line=b"HTTP/1.0 200 OK", framing=rnd.choice(["length", "close"]))
    if how in ("lf-only", "cr-only"):
        return dataclasses.replace(drawn, line_end=b"\n" if how == "lf-only" else b"\r")
    if how == "garbage-line":
        line = rnd.choice([b"HTTP/1.1 2OO OK", b"HTTP/9.9 200 OK", b"ICY 200 OK", b"HTTP/1.1", b"\x00\xff\xfe", b"HTTP/1.1 -200 OK"])
        return dataclasses.replace(drawn, status_line=line, framing="close")
    if how == "no-status-line":
        return dataclasses.replace(drawn, status_line=b"Content-Type: application/json", framing="close")
    header = {"no-colon": (b"X-Broken", b""), "space-before-colon": (b"X-Spaced ", b"1"), "fold": (b"X-Fold", b"a\r\n  folded")}
    return dataclasses.replace(drawn, headers=(*drawn.headers, header.get(how, (b"X-Nul", b"a\x00b"))), framing="close")


def odd_headers(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """Bytes that are not ASCII, repeated headers, huge values (a head below HEAD_LIMIT), odd Content-Types."""
    base = reference(rnd, asked, ctx) if rnd.random() < 0.6 else session(rnd, asked, ctx)
    headers = [h for h in base.headers if h[0].lower() != b"content-type"] + content_type(rnd)
    how = rnd.choice(["not-ascii", "repeated", "huge-value", "many", "two-content-types", "odd-names"])
    if how == "not-ascii":
        headers.append((b"X-Note", bytes(rnd.randrange(0x80, 0x100) for _ in range(rnd.randrange(1, 50)))))
    elif how == "repeated":
        headers += [(b"X-Repeated", str(i).encode()) for i in range(rnd.randrange(2, 200))]
    elif how == "huge-value":
        headers.append((b"X-Huge", b"v" * rnd.randrange(1000, HEAD_LIMIT - 1024)))
    elif how == "many":
        headers += [(b"X-Many-%d" % i, b"x" * 50) for i in range(rnd.randrange(10, 900))]
    elif how == "two-content-types":
        headers += [(b"Content-Type", b"application/json"), (b"Content-Type", b"text/html")]
    else:
        headers.append((rnd.choice([b"X-\xe9t\xe9", b"Content-Type\x7f", b"", b"Ratelimit"]), rnd.choice([b"r=0;t=1", b"\xff"])))
    return dataclasses.replace(base, kind="headers", headers=tuple(headers), note=how)


def framing(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """A correct answer, delimited wrongly (or rightly, some other way)."""
    base = reference(rnd, asked, ctx)
    how = rnd.choice(list(FRAMINGS))
    return dataclasses.replace(base, kind="framing", framing=how, cut=rnd.choice([1, 2, 10, 1000]), note=how)


def encodings(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """A correct answer in stacked content encodings, real or unknown, possibly mislabelled or truncated."""
    base = reference(rnd, asked, ctx) if rnd.random() < 0.7 else session(rnd, asked, ctx)
    names = [rnd.choice(ENCODINGS) for _ in range(rnd.randrange(1, 4))]
    body = base.body
    for name in names:
        body = encode(name, body)
    spoken = [("deflate" if n == "deflate-raw" else n) for n in names]
    how = rnd.choice(["one-header", "one-header", "one-header-per-layer", "mislabelled", "truncated"])
    if how == "mislabelled":
        body = base.body
    elif how == "truncated":
        body = body[: max(len(body) - rnd.randrange(1, 20), 0)]
    if how == "one-header-per-layer":
        encoding_headers = [(b"Content-Encoding", n.encode()) for n in spoken]
    else:
        encoding_headers = [(b"Content-Encoding", ", ".join(spoken).encode())]
    headers = (*base.headers, *encoding_headers)
    return dataclasses.replace(base, kind="encoding", headers=headers, body=body, note=f"{'+'.join(names)} {how}")


ENCODINGS = ["gzip", "gzip", "deflate", "deflate-raw", "br", "x-unknown", "identity", "compress"]  # gzip: the likeliest


def encode(name: str, body: bytes) -> bytes:
    if name == "gzip":
        return _compress(body, 31)
    if name == "deflate":
        return _compress(body, 15)
    if name == "deflate-raw":
        return _compress(body, -15)
    return body  # br (no brotli here), unknown names, identity: the body as it is under a name the client may not know


def _compress(body: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return packer.compress(body) + packer.flush()


@functools.cache
def bomb_layer() -> bytes:
    """Gzip of BOMB_SIZE bytes of JSON whitespace and then `{}` (valid JSON, once inflated): about 1 MiB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * MiB
    parts = [packer.compress(block) for _ in range(BOMB_SIZE // MiB)]
    return b"".join([*parts, packer.compress(b"{}"), packer.flush()])


@functools.cache
def bomb() -> bytes:
    """The bomb gzipped twice: under 2 KB on the wire (`Content-Encoding: gzip, gzip`), BOMB_SIZE bytes inflated."""
    return _compress(bomb_layer(), 31)


def compression_bomb(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    how = rnd.choice(["gzip, gzip", "gzip, gzip", "gzip", "gzip, gzip chunked"])
    body = bomb_layer() if how == "gzip" else bomb()
    headers = [(b"Content-Type", b"application/json"), (b"Content-Encoding", how.split(" chunked")[0].encode())]
    drawn = response("bomb", b"HTTP/1.1 200 OK", body, headers, note=f"{how}: {len(body)} bytes inflate to {BOMB_SIZE + 2}")
    return dataclasses.replace(drawn, framing="chunked" if "chunked" in how else "length")


LOCATIONS = [
    "javascript:alert(1)",
    "http://[::1/x",
    "/client/v4",
    "relative/path",
    "//192.0.2.1/x",
    "http://192.0.2.1/elsewhere",
    "",
    "http://127.0.0.1:1/",
    "file:///etc/passwd",
    "http://user:pass@192.0.2.1/",
    "http://\xff\xfe/",
    "/" + "a" * 8000,
    "\x1b[2J/x",
]


def redirect(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    status = rnd.choice([301, 302, 303, 307, 308, 300, 305])
    locations = [rnd.choice(LOCATIONS) for _ in range(rnd.choice([0, 1, 1, 1, 2]))]
    headers = [(b"Content-Type", b"application/json"), *((b"Location", loc.encode("latin-1")) for loc in locations)]
    return response("redirect", status_line(rnd, status, b"Moved"), b"{}", headers, note=repr(locations))


def deep_json(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """JSON nested up to 100,000 levels, small in bytes: around the interpreter's recursion limit (1000) and the suite's
    own nesting limit (64), where an off-by-one between two readers of one body would show."""
    depth = rnd.choice([rnd.randrange(900, 1100), rnd.randrange(400, 900), rnd.randrange(60, 70), 2000, 5000, 100_000])
    opening, closing, leaf = rnd.choice([(b"[", b"]", b""), (b'{"a":', b"}", b"1")])
    deep = opening * depth + leaf + closing * depth
    where = rnd.choice(["bare", "session", "data", "errors"])
    wrapped = {
        "bare": deep,
        "session": b'{"success": true, "data": {"session": ' + deep + b"}}",
        "data": b'{"success": true, "data": ' + deep + b"}",
        "errors": b'{"success": false, "errors": ' + deep + b"}",
    }[where]
    status = rnd.choice([b"HTTP/1.1 200 OK", b"HTTP/1.1 404 Not Found", b"HTTP/1.1 401 Unauthorized"])
    return response("deep", status, wrapped, note=f"{opening.decode()} x {depth} at {where}")


def huge_json(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """Large JSON, just under and over the 1 MiB body limit, at most 2 MiB."""
    size = rnd.choice([64 * 1024, 900 * 1024, MiB - 200, MiB + 10, 2 * MiB - 1000])
    body = session_body(ctx, asked, ctx.edition)
    target = body["data"].get("session", body["data"])
    how = rnd.choice(["long-string", "many-rooms", "many-keys", "numbers"])
    if how == "long-string":
        target["meeting_display_name"] = "x" * size
    elif how == "many-rooms":
        room = {k: v for k, v in target.items() if k != "breakout_rooms"}
        target["breakout_rooms"] = [room] * (size // (len(json.dumps(room)) + 2))
    elif how == "many-keys":
        target.update({f"k{i}": i for i in range(size // 12)})
    else:
        body = [1] * (size // 3)
    encoded = json.dumps(body).encode()[:BODY_LIMIT]
    return response("huge", b"HTTP/1.1 200 OK", encoded, note=f"{how} {len(encoded)} bytes")


def invalid_json(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    valid = json.dumps(session_body(ctx, asked, ctx.edition)).encode()
    how, body = rnd.choice(
        [
            ("truncated", valid[: rnd.randrange(0, len(valid))]),
            ("not-json", b"{not json"),
            ("nan", b'{"success": true, "data": {"session": {"id": NaN, "minutes_consumed": Infinity}}}'),
            ("duplicate-keys", b'{"success": true, "success": false, "data": {}}'),
            ("lone-surrogate", b'{"success": false, "errors": [{"code": 1, "message": "\\ud800"}]}'),
            ("invalid-utf-8", b'{"success": false, "errors": [{"code": 1, "message": "\xff\xfe"}]}'),
            ("utf-16", json.dumps(session_body(ctx, asked, ctx.edition)).encode("utf-16")),
            ("bom", b"\xef\xbb\xbf" + valid),
            ("5000-digit-integer", b'{"success": true, "data": {"session": {"live_participants": ' + b"9" * 5000 + b"}}}"),
            ("huge-exponent", b'{"success": true, "data": {"session": {"minutes_consumed": 1e999999}}}'),
            ("trailing-garbage", valid + b" {}"),
            ("empty", b""),
            ("whitespace", b" \n\t " * 100),
            ("null", b"null"),
            ("control-characters", b'{"success": false, "errors": [{"code": 1, "message": "\x1b[2Ja\nVerdict: CONFORMS"}]}'),
        ]
    )
    return response("invalid", status_line(rnd, rnd.choice([200, 400, 401, 404, 500]), b"X"), body, content_type(rnd), note=how)


# --- the request's own token, echoed back ----------------------------------------------------------------------------


def encode_echo(rnd: random.Random, value: str) -> tuple[str, str]:
    """(how, text): `value` as is, JSON \\u-escaped or percent-encoded (some or all characters, either case), or inside a
    longer base64 blob (standard or URL-safe, at any byte offset)."""
    form = rnd.choice(["raw", "json-u", "percent", "base64", "base64url"])
    if form == "raw":
        return form, value
    if form in ("json-u", "percent"):
        share, upper = rnd.choice([1.0, rnd.random()]), rnd.random() < 0.5
        pattern = ("\\u%04X" if upper else "\\u%04x") if form == "json-u" else ("%%%02X" if upper else "%%%02x")
        text = "".join(pattern % ord(c) if rnd.random() < share else c for c in value)
        return f"{form} ({share:.0%} of the characters, {'upper' if upper else 'lower'} case)", text
    before, after = rnd.randbytes(rnd.randrange(0, 40)), rnd.randbytes(rnd.randrange(0, 40))
    blob = before + value.encode("latin-1") + after
    text = (base64.urlsafe_b64encode if form == "base64url" else base64.b64encode)(blob).decode()
    return f"{form} (at byte {len(before)} of {len(blob)})", text.rstrip("=") if rnd.random() < 0.3 else text


def echoed_value(rnd: random.Random, asked: Asked) -> str:
    """What of the request is echoed: its Authorization value, the token alone, or the header line."""
    value = asked.authorization
    return rnd.choice([value, value.partition(" ")[2] or value, f"Authorization: {value}"])


def echo(rnd: random.Random, asked: Asked, ctx: Context) -> Drawn:
    """The request's Authorization echoed back in a body, a reason phrase, a header or split across two JSON fields."""
    how, text = encode_echo(rnd, echoed_value(rnd, asked))
    place = rnd.choice(["failure-message", "session-field", "unknown-field", "split", "text", "reason", "header", "location"])
    status = rnd.choice([401, 403, 400, 200, 404])
    template: Any = failure_body(10_000, f"Invalid token: {ECHO}")
    headers = [(b"Content-Type", b"application/json")]
    reason = b"Unauthorized"
    if place == "session-field":
        status, template = 200, session_body(ctx, asked, ctx.edition)
        template["data"].get("session", template["data"])["meeting_display_name"] = ECHO
    elif place == "unknown-field":
        template = {**template, "debug": {"request": {"headers": {"authorization": ECHO}}}}
    elif place == "split":
        return split_echo(rnd, asked, status)
    elif place == "text":
        headers = [(b"Content-Type", rnd.choice([b"text/plain", b"text/html"]))]
        template = f"<html><body><pre>Your request had {ECHO}</pre></body></html>"
    elif place == "reason":
        reason = text.encode("latin-1")
    elif place == "header":
        name = rnd.choice([b"WWW-Authenticate", b"X-Echo", b"Set-Cookie", b"Warning", b"Ratelimit"])
        headers.append((name, f'Bearer error="invalid_token", error_description="{text}"'.encode("latin-1")))
    elif place == "location":
        status = rnd.choice([301, 302, 307, 308])
        headers.append((b"Location", f"http://127.0.0.1:1/login?token={text}".encode("latin-1")))
    body = (template if isinstance(template, str) else json.dumps(template)).replace(ECHO, text)
    if not isinstance(template, str) and rnd.random() < 0.3:  # as PHP's json_encode writes a / (of a base64 blob)
        body, how = body.replace("/", "\\/"), f"{how}, its / written \\/"
    return response("echo", status_line(rnd, status, reason), body.encode("latin-1"), headers, note=f"{how} in {place}, status {status}")


def split_echo(rnd: random.Random, asked: Asked, status: int) -> Drawn:
    """The Authorization value in two JSON fields, each half in a form of its own."""
    value = asked.authorization
    cut = rnd.randrange(1, max(len(value), 2))
    (first_how, first), (second_how, second) = encode_echo(rnd, value[:cut]), encode_echo(rnd, value[cut:])
    template = {"success": False, "errors": [{"code": 10_000, "message": ECHO + "1"}, {"code": 10_001, "message": ECHO + "2"}]}
    body = json.dumps(template).replace(ECHO + "1", first).replace(ECHO + "2", second).encode("latin-1")
    note = f"split at {cut}: {first_how} + {second_how}, status {status}"
    return response("echo", status_line(rnd, status, b"Unauthorized"), body, note=note)


KINDS: dict[str, Draw] = {
    "reference": reference,
    "session": session,
    "failure": failure,
    "status": odd_status,
    "bad-head": bad_head,
    "headers": odd_headers,
    "framing": framing,
    "encoding": encodings,
    "bomb": compression_bomb,
    "redirect": redirect,
    "deep": deep_json,
    "huge": huge_json,
    "invalid": invalid_json,
    "echo": echo,
}


def mutate(rnd: random.Random, drawn: Drawn, asked: Asked, rate: float) -> Drawn:
    """Hostile layers on top of any response: an echo in a header, content encodings, another framing."""
    if rnd.random() < rate and asked.authorization:
        how, text = encode_echo(rnd, echoed_value(rnd, asked))
        header = (b"X-Request-Authorization", text.encode("latin-1"))
        drawn = dataclasses.replace(drawn, headers=(*drawn.headers, header), note=f"{drawn.note}; echo {how} in a header")
    if rnd.random() < rate / 2 and not any(n.lower() == b"content-encoding" for n, _ in drawn.headers):
        names = rnd.choice([["gzip"], ["deflate"], ["gzip", "gzip"], ["deflate", "gzip"]])  # what an echo may hide in
        body = functools.reduce(lambda body, name: encode(name, body), names, drawn.body)
        header = (b"Content-Encoding", ", ".join(names).encode())
        drawn = dataclasses.replace(drawn, body=body, headers=(*drawn.headers, header), note=f"{drawn.note}; {'+'.join(names)}")
    if rnd.random() < rate / 2 and drawn.framing == "length":
        drawn = dataclasses.replace(drawn, framing=rnd.choice(["chunked", "close", "length-short", "chunked-no-end"]), cut=3)
    return drawn


# --- the stream of responses -----------------------------------------------------------------------------------------


@dataclass
class Stream:
    """Draws each response in turn from one seeded random stream; keeps a printable account of each one served."""

    seed: int
    weights: Mapping[str, int]
    rate: float  # how often hostile layers go on top of a response
    ctx: Context
    hostile_preflight: bool = False  # whether a request off the operation's paths (the preflight) is drawn too
    served: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._kinds = [k for k in KINDS if self.weights.get(k, 0) > 0]
        self._weights = [self.weights[k] for k in self._kinds]
        if "bomb" in self._kinds:
            bomb()  # seconds of work: done before the first request waits on it

    def __call__(self, asked: Asked) -> Drawn:
        with self._lock:  # one order of draws whatever the connections' threads do
            kind = self._random.choices(self._kinds, self._weights)[0]
            drawn = mutate(self._random, KINDS[kind](self._random, asked, self.ctx), asked, self.rate)
            if "/sessions/" not in asked.path and not self.hostile_preflight:  # a run whose preflight fails meets no more
                drawn = reference(self._random, asked, self.ctx)
            request = {"request": f"{asked.method} {asked.target}", "credentials": credentials(asked, self.ctx.data.token)}
            self.served.append({"number": len(self.served), **request, **drawn.describe()})
            return drawn


def credentials(asked: Asked, token: str) -> str:
    """What the request's Authorization carried, for a reproduction: the token, another value, or nothing."""
    if "authorization" not in asked.headers:
        return "absent"
    return asked.authorization.replace(token, "<the token>") if token in asked.authorization else "another value"


Respond = Callable[[Asked], Drawn]


@dataclass
class HostileServer:
    """A loopback server answering each request with `respond(request)`; `url` is its root."""

    respond: Respond
    url: str = ""
    _listener: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(120)  # a client that went away without closing: the thread ends anyway
        reader = RequestReader(conn)
        with conn, contextlib.suppress(OSError):
            while (asked := reader.next()) is not None:  # keep-alive: one request after another
                drawn = self.respond(asked)
                conn.sendall(drawn.wire())
                if drawn.closes:
                    conn.shutdown(socket.SHUT_WR)
                    return


@contextlib.contextmanager
def serving(respond: Respond) -> Iterator[HostileServer]:
    """A HostileServer on a free loopback port until the block ends."""
    server = HostileServer(respond)
    server._listener = socket.socket()
    server._listener.bind(("127.0.0.1", 0))
    server._listener.listen(64)
    server.url = f"http://127.0.0.1:{server._listener.getsockname()[1]}"
    thread = threading.Thread(target=server._serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._stop.set()
        server._listener.close()


def always(draw: Callable[[Asked], Drawn], on_api_paths_only: bool = True, ctx: Context | None = None) -> Respond:
    """For a reproduction: `draw(request)` for every request on the operation's paths, the reference mock's answer for
    the rest (the preflight), or for all requests."""
    context = ctx or Context(load_data(), "documented")

    def respond(asked: Asked) -> Drawn:
        if on_api_paths_only and "/sessions/" not in asked.path:
            return reference(random.Random(0), asked, context)
        return draw(asked)

    return respond


class RequestReader:
    """Requests from one connection: each head, then its body (by Content-Length), nothing left over."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn, self.buffer = conn, b""

    def next(self) -> Asked | None:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                return None
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        asked = parse_head(head.decode("latin-1"))
        length = int(asked.headers.get("content-length", "0") or 0)
        while len(self.buffer) < length:
            if not self._fill():
                return None
        self.buffer = self.buffer[length:]
        return asked

    def _fill(self) -> bool:
        chunk = self.conn.recv(65536)
        self.buffer += chunk
        return bool(chunk) and len(self.buffer) < 4 * MiB


def parse_head(head: str) -> Asked:
    request_line, *lines = head.split("\r\n")
    method, target, *_ = [*request_line.split(" "), "", ""]
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return Asked(method, target, headers)
