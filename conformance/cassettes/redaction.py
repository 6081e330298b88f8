"""What never reaches anything the suite writes: the token wherever it appears (a target may echo it back), in
failure texts, logs and cassettes; and what never reaches a cassette: cookies and per-run noise."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from conformance.secret import Secret, hide, hide_bytes
from conformance.transport.decoding import PastLimit, Undecodable, decoded

# Per-run noise, never the target's answer to judge: a cookie, a ray id, the moment (Ratelimit's seconds left in its
# window among it), the server's name. Without them re-recording what did not change writes the same cassette.
DROPPED_RESPONSE_HEADERS = {"set-cookie", "cf-ray", "date", "server", "ratelimit"}
DROPPED_REQUEST_HEADERS = {"cookie"}
SCHEMES = ("Bearer", "Basic", "Digest", "Token")


@contextlib.contextmanager
def hidden_from_logs(secret: Secret) -> Iterator[None]:
    """Every log record of the block (httpx, httpcore, schemathesis, ours, at any level) without the secret."""
    make = logging.getLogRecordFactory()

    def redacted(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        with contextlib.suppress(TypeError, ValueError):  # a malformed record stays as logging would show it
            message = record.getMessage()
            if hide(message, secret) != message:
                record.msg, record.args = hide(message, secret), None
        return record

    logging.setLogRecordFactory(redacted)
    try:
        yield
    finally:
        logging.setLogRecordFactory(make)


def request_hook(token: Secret) -> Callable[[Any], Any]:
    """Replace the Authorization value by its credential class, and the token anywhere else."""

    def redact(request: Any) -> Any:
        header = request.headers.get("Authorization")
        for name in [n for n in request.headers if n.lower() in DROPPED_REQUEST_HEADERS | {"authorization"}]:
            del request.headers[name]
        if header is not None:
            request.headers["Authorization"] = f"{CREDENTIALS_RECORDED}{credential_class(header, token)}]"
        request.uri = hide(request.uri, token)
        if isinstance(request.body, bytes):
            request.body = hide_bytes(request.body, token)
        return request

    return redact


def response_hook(token: Secret, max_body: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Drop cookies and per-run headers; keep a compressed body decoded (under the run's byte limit: past it, or when it
    does not decode, as it came, for the replay to refuse as the run did); hide the token in what is left: the reason
    phrase, headers and body (a target may echo it back in any of them, in any form `hide` knows)."""

    def redact(response: dict[str, Any]) -> dict[str, Any]:
        response = _decoded(response, max_body)
        kept = {k: [hide(v, token) for v in vs] for k, vs in response["headers"].items() if k.lower() not in DROPPED_RESPONSE_HEADERS}
        body = response["body"]["string"]
        body = hide_bytes(body, token) if isinstance(body, bytes) else hide(body, token) if isinstance(body, str) else body
        status = {**response["status"], "message": hide(str(response["status"].get("message", "")), token)}
        return {**response, "status": status, "headers": kept, "body": {**response["body"], "string": body}}

    return redact


def _decoded(response: dict[str, Any], max_body: int) -> dict[str, Any]:
    encodings = [e for name, values in response["headers"].items() if name.lower() == "content-encoding" for e in values]
    body = response["body"]["string"]
    if not encodings or not isinstance(body, bytes):
        return response
    try:
        plain = decoded([body], [part for e in encodings for part in e.split(",")], max_body)
    except (PastLimit, Undecodable):
        return response
    headers = {k: v for k, v in response["headers"].items() if k.lower() not in ("content-encoding", "content-length")}
    return {**response, "headers": headers, "body": {**response["body"], "string": plain}}


CREDENTIALS_RECORDED = "[credentials: "  # what a cassette holds instead of the Authorization header: its class, in brackets


def placeholder(value: str, label: str) -> str:
    """A stable stand-in of the same length, so derived ids (one past the limit) keep their shape."""
    return (label + "-" * len(value))[: len(value)] if len(value) > len(label) else label[: len(value)]


def credential_class(header: str | None, token: Secret) -> str:
    """absent, valid, invalid or malformed (with its scheme): what a recorded request is matched on."""
    if header is None:
        return "absent"
    if header.startswith(CREDENTIALS_RECORDED):  # already redacted when it was recorded
        return header.removeprefix(CREDENTIALS_RECORDED).removesuffix("]")
    scheme, _, value = header.partition(" ")
    if scheme == "Bearer" and value.strip():
        return "valid" if value.strip() == token.reveal() else "invalid"
    return f"malformed {scheme if scheme in SCHEMES else 'no scheme'}"
