"""What never reaches anything the suite writes: the token wherever it appears (a target may echo it back), in
failure texts, logs and cassettes; and what never reaches a cassette: cookies and per-run noise."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from conformance.secret import Secret

# Per-run noise, never the target's answer to judge: a cookie, a ray id, the moment (Ratelimit's seconds left in its
# window among it), the server's name. Without them re-recording what did not change writes the same cassette.
DROPPED_RESPONSE_HEADERS = {"set-cookie", "cf-ray", "date", "server", "ratelimit"}
DROPPED_REQUEST_HEADERS = {"cookie"}
SCHEMES = ("Bearer", "Basic", "Digest", "Token")
HIDDEN = "[REDACTED]"
SHORTEST_SECRET = 8  # a shorter "token" (a test's "t") is in every word: hiding it would garble all text, and hide nothing


def hide(text: str, secret: Secret) -> str:
    """`text` without the secret, as sent or percent-encoded."""
    if len(secret.reveal()) < SHORTEST_SECRET:
        return text
    for form in {secret.reveal(), quote(secret.reveal(), safe="")}:
        text = text.replace(form, HIDDEN)
    return text


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
            request.headers["Authorization"] = f"[credentials: {credential_class(header, token)}]"
        request.uri = request.uri.replace(token.reveal(), HIDDEN)
        if isinstance(request.body, bytes):
            request.body = request.body.replace(token.reveal().encode(), HIDDEN.encode())
        return request

    return redact


def response_hook(token: Secret) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Drop cookies and per-run headers; hide the token in what is left."""

    def redact(response: dict[str, Any]) -> dict[str, Any]:
        kept = {
            k: [v.replace(token.reveal(), HIDDEN) for v in vs]
            for k, vs in response["headers"].items()
            if k.lower() not in DROPPED_RESPONSE_HEADERS
        }
        body = response["body"]["string"]
        if isinstance(body, bytes):
            body = body.replace(token.reveal().encode(), HIDDEN.encode())
        return {**response, "headers": kept, "body": {**response["body"], "string": body}}

    return redact


def placeholder(value: str, label: str) -> str:
    """A stable stand-in of the same length, so derived ids (one past the limit) keep their shape."""
    return (label + "-" * len(value))[: len(value)] if len(value) > len(label) else label[: len(value)]


def credential_class(header: str | None, token: Secret) -> str:
    """absent, valid, invalid or malformed (with its scheme): what a recorded request is matched on."""
    if header is None:
        return "absent"
    if header.startswith("[credentials: "):  # already redacted when it was recorded
        return header.removeprefix("[credentials: ").removesuffix("]")
    scheme, _, value = header.partition(" ")
    if scheme == "Bearer" and value.strip():
        return "valid" if value.strip() == token.reveal() else "invalid"
    return f"malformed {scheme if scheme in SCHEMES else 'no scheme'}"
