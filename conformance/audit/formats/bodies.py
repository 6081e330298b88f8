"""A recorded body as the bytes a client reads: base64 undone, and the Content-Encoding a recorder kept (vcrpy keeps
the bytes as they came) undone under one limit, layer by layer, as the transport decodes a target's body. brotli
(`br`) is undone when the brotli module is there and can bound what it inflates; otherwise the body stays as it was
recorded, which the exchange's note says."""

from __future__ import annotations

import base64
import binascii
import importlib
from typing import Any

from conformance.audit.formats.fields import Broken
from conformance.transport.decoding import DECODED, PastLimit, Undecodable, decoded

PIECE = 64 * 1024  # bytes brotli inflates at a time


def from_base64(text: Any, where: str) -> bytes:
    if not isinstance(text, str):
        raise Broken(f"{where} is not base64 text")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Broken(f"{where} is not base64") from None


def undone(body: bytes, headers: dict[str, str], limit: int, where: str) -> tuple[bytes, dict[str, str], str]:
    """The body with its Content-Encoding undone and the headers as the transport leaves them (decoded); or, when it
    cannot be undone, both as recorded and a note saying why. Broken when it inflates past `limit` bytes."""
    encodings = [e.strip().lower() for e in headers.get("content-encoding", "").split(",") if e.strip()]
    recorded = body
    for name in reversed(encodings):
        if name == "identity":
            continue
        try:
            body = _one_layer(body, name, limit)
        except PastLimit:
            raise Broken(f"{where} inflates past {limit} bytes ({name})") from None
        except Undecodable as undecodable:
            return recorded, headers, f"the body is kept as recorded: {undecodable}"
    return body, decoded_headers(headers), ""


def decoded_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers of a decoded body, as the transport gives them to the checks: its encoding, and the length it had
    encoded, say nothing of it any more."""
    if "content-encoding" not in headers:
        return headers
    return {name: value for name, value in headers.items() if name not in ("content-encoding", "content-length")}


def _one_layer(body: bytes, name: str, limit: int) -> bytes:
    if name in DECODED:
        return decoded([body], [name], limit)
    if name == "br":
        return _unbrotli(body, limit)
    raise Undecodable(f"its Content-Encoding {name} is not one this audit undoes")


def _unbrotli(body: bytes, limit: int) -> bytes:
    """brotli's inflation bounded by its output_buffer_limit (brotli 1.2): an older brotli, which cannot bound it,
    is not used."""
    try:
        brotli: Any = importlib.import_module("brotli")
    except ImportError:
        raise Undecodable("its Content-Encoding br needs the brotli module, which is not installed") from None
    inflater = brotli.Decompressor()
    if not hasattr(inflater, "can_accept_more_data"):
        raise Undecodable("its Content-Encoding br needs brotli 1.2 or later, which bounds what it inflates") from None
    out, data = bytearray(), body
    try:
        while not inflater.is_finished():
            out += inflater.process(data if inflater.can_accept_more_data() else b"", output_buffer_limit=PIECE)
            if len(out) > limit:
                raise PastLimit()
            if not data and inflater.can_accept_more_data() and not inflater.is_finished():
                raise Undecodable("the body does not decode as br: it ends early")
            data = b""
    except brotli.error as exc:
        raise Undecodable(f"the body does not decode as br: {exc}") from None
    return bytes(out)
