"""A response body decoded under one byte limit, however its Content-Encoding stacks (`gzip, gzip`): each layer is
inflated a bounded piece at a time, so a few kilobytes that would inflate to gigabytes are refused once past the limit
instead of being inflated whole (a stacked gzip bomb once took 4.2 GB)."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

PIECE = 64 * 1024  # bytes a layer inflates at a time
# What the transport asks for (Accept-Encoding) and so decodes; another encoding is left as it is, as httpx leaves it.
DECODED = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
ACCEPTED = "gzip, deflate"


class Undecodable(Exception):
    """The body does not decode as its Content-Encoding says."""


class PastLimit(Exception):
    """The decoded body is larger than the limit."""


def decoded(raw: Iterable[bytes], encodings: list[str], limit: int) -> bytes:
    """The body, each encoding undone in the reverse of the order it was applied; PastLimit past `limit` bytes."""
    stream: Iterable[bytes] = raw
    for name in reversed([e.strip().lower() for e in encodings if e.strip()]):
        if name in DECODED:
            stream = _inflated(stream, name)
    body = bytearray()
    for piece in stream:
        body += piece
        if len(body) > limit:
            raise PastLimit()
    return bytes(body)


def _inflated(stream: Iterable[bytes], name: str) -> Iterator[bytes]:
    """One layer undone, never more than PIECE bytes at a time. deflate is zlib-wrapped or raw, as servers send either."""
    inflater, started = zlib.decompressobj(DECODED[name]), False
    try:
        for data in stream:
            if name == "deflate" and not started and data:
                inflater = _deflate_for(data)
            started = started or bool(data)
            while data:
                yield inflater.decompress(data, PIECE)
                data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise Undecodable(f"the body does not decode as {name}: {exc}") from None


def _deflate_for(first: bytes) -> zlib._Decompress:
    """A zlib stream starts with a header whose first byte says so; otherwise the deflate data is raw."""
    wrapped = len(first) >= 2 and (first[0] & 0x0F) == 8 and ((first[0] << 8) | first[1]) % 31 == 0
    return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
