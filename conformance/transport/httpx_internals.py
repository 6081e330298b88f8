"""The one place that uses httpx below its public API, and what it buys.

A transport's connection pool (`HTTPTransport._pool`) is wrapped so that no answer's raw body is read past a limit,
whoever reads it: the run's transport, or vcrpy, which records beneath the client and would otherwise read a body of
any size whole into memory before the run saw a byte of it. Importing this module fails at once, naming what is
missing, when an httpx release no longer has it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx

# verify=False: a transport made only to be looked at needs no CA bundle loaded (a fifth of the import)
if not hasattr(httpx.HTTPTransport(verify=False), "_pool"):  # pragma: no cover - only on an httpx outside pyproject.toml's range
    raise ImportError(f"httpx {httpx.__version__} has no HTTPTransport._pool: the raw body can no longer be bounded there")


class RawTooLarge(Exception):
    """An answer's raw body went past the limit while it was read."""


class _BoundedStream:
    """A pool response's body, read no further than `limit` bytes."""

    def __init__(self, stream: Iterable[bytes], limit: int) -> None:
        self.stream, self.limit = stream, limit

    def __iter__(self) -> Iterator[bytes]:
        read = 0
        for chunk in self.stream:
            read += len(chunk)
            if read > self.limit:
                raise RawTooLarge()
            yield chunk

    def close(self) -> None:
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()


class _BoundedPool:
    """The transport's pool, its answers' bodies bounded."""

    def __init__(self, pool: Any, limit: int) -> None:
        self.pool, self.limit = pool, limit

    def handle_request(self, request: Any) -> Any:
        response = self.pool.handle_request(request)
        response.stream = _BoundedStream(response.stream, self.limit)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pool, name)


def bounded_transport(limit: int, **options: Any) -> httpx.HTTPTransport:
    """An httpx transport (with httpx's own `options`: verify, limits) that reads no raw body past `limit` bytes."""
    transport = httpx.HTTPTransport(**options)
    transport._pool = _BoundedPool(transport._pool, limit)  # type: ignore[assignment]  # it answers as the pool does
    return transport
