"""What the proxy records (`--record PATH`), in the format the file's name asks for: a cassette (`.yaml`, `.yml`,
`.json`: vcrpy's, which a run replays and an audit reads), HAR 1.2 (`.har`) or NDJSON (`.ndjson`, `.jsonl`), the
last two as the audit reads them (conformance/audit/formats/).

Each is redacted as a run's cassette is: the Authorization header kept as its credential class (`[credentials:
valid]`), cookies and per-run headers dropped, the body kept decoded, and every token that passed hidden wherever the
upstream echoed it. Written whole or not at all."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import conformance
from conformance.audit.recorded import Recorded
from conformance.cassettes.cassette import write_exchanges
from conformance.cassettes.redaction import DROPPED_REQUEST_HEADERS, DROPPED_RESPONSE_HEADERS
from conformance.files import write_atomically
from conformance.secret import hide_known

CASSETTE, HAR, NDJSON = "cassette", "HAR 1.2", "NDJSON"
RECORDING_FORMATS = {".yaml": CASSETTE, ".yml": CASSETTE, ".json": CASSETTE, ".har": HAR, ".ndjson": NDJSON, ".jsonl": NDJSON}
RECORDED_FROM = "rtk-conformance proxy"


class UnknownFormat(ValueError):
    """A --record path whose suffix names no format: one line."""


def format_of(path: Path) -> str:
    if path.suffix.lower() not in RECORDING_FORMATS:
        raise UnknownFormat(
            f"--record {path}: the file's suffix names its format: .yaml, .yml or .json (a cassette), .har (HAR 1.2), "
            ".ndjson or .jsonl (NDJSON)"
        )
    return RECORDING_FORMATS[path.suffix.lower()]


@dataclass(frozen=True)
class Passed:
    """One exchange as the proxy saw it pass."""

    recorded: Recorded  # its url absolute, its Authorization header as its credential class, its body decoded
    reason: str  # the upstream's reason phrase
    started: str  # when the request came, ISO 8601
    milliseconds: float  # until the upstream's answer was whole


def write_recording(path: Path, passed: list[Passed], recorded_on: str) -> str:
    """The exchanges at `path`, in the format its suffix names; that format's name."""
    kind = format_of(path)
    if kind == CASSETTE:
        write_exchanges(path, [_interaction(p.recorded, p.reason) for p in passed], RECORDED_FROM, recorded_on)
    else:
        write_atomically(path, hide_known(WRITERS[kind](passed))[0])
    return kind


def _kept(headers: dict[str, str], dropped: set[str]) -> dict[str, str]:
    """Headers as written: without those never kept, without the decoded body's encoding and length, secrets hidden."""
    gone = dropped | {"content-encoding", "content-length"}
    return {name: _hidden(value) for name, value in headers.items() if name.lower() not in gone}


def _hidden(text: str) -> str:
    return hide_known(text)[0]


def _hidden_bytes(data: bytes) -> bytes:
    return _hidden(data.decode("latin-1")).encode("latin-1")


def _interaction(recorded: Recorded, reason: str) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = _kept(recorded.headers, DROPPED_REQUEST_HEADERS)
    request = {"method": recorded.method, "uri": _hidden(recorded.url), "body": None, "headers": headers}
    answered = {name: [value] for name, value in _kept(recorded.response_headers, DROPPED_RESPONSE_HEADERS).items()}
    status = {"code": recorded.status, "message": _hidden(reason)}
    return request, {"status": status, "headers": answered, "body": {"string": _hidden_bytes(recorded.body)}}


def _har(passed: list[Passed]) -> str:
    creator = {"name": RECORDED_FROM, "version": conformance.__version__}
    return json.dumps({"log": {"version": "1.2", "creator": creator, "entries": [_entry(p) for p in passed]}}, indent=1)


def _entry(passed: Passed) -> dict[str, Any]:
    recorded = passed.recorded
    request_headers = _kept(recorded.headers, DROPPED_REQUEST_HEADERS)
    headers = _kept(recorded.response_headers, DROPPED_RESPONSE_HEADERS)
    query = parse_qsl(urlsplit(recorded.url).query, keep_blank_values=True)
    text, in_base64 = _as_text(recorded.body)
    content = {"size": len(recorded.body), "mimeType": headers.get("content-type", ""), "text": text}
    content |= {"encoding": "base64"} if in_base64 else {}
    return {
        "startedDateTime": passed.started,
        "time": passed.milliseconds,
        "request": {
            "method": recorded.method,
            "url": recorded.url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": name, "value": value} for name, value in request_headers.items()],
            "queryString": [{"name": name, "value": value} for name, value in query],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": recorded.status,
            "statusText": passed.reason,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": name, "value": value} for name, value in headers.items()],
            "content": content,
            "redirectURL": headers.get("location", ""),
            "headersSize": -1,
            "bodySize": len(recorded.body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": passed.milliseconds, "receive": 0},
    }


def _ndjson(passed: list[Passed]) -> str:
    return "".join(json.dumps(_line(p.recorded)) + "\n" for p in passed)


def _line(recorded: Recorded) -> dict[str, Any]:
    request = {"method": recorded.method, "url": recorded.url, "headers": _kept(recorded.headers, DROPPED_REQUEST_HEADERS)}
    response = {"status": recorded.status, "headers": _kept(recorded.response_headers, DROPPED_RESPONSE_HEADERS)}
    text, in_base64 = _as_text(recorded.body)
    return {"request": request, "response": {**response, "body_base64" if in_base64 else "body": text}}


def _as_text(body: bytes) -> tuple[str, bool]:
    """The body as text when it is UTF-8, otherwise in base64; and which."""
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), True


WRITERS: dict[str, Callable[[list[Passed]], str]] = {HAR: _har, NDJSON: _ndjson}
