"""The one place that touches uvicorn's internals: its HTTP/1.1 protocol, given a deadline for a request's headers.

uvicorn has no setting for how long a client may take to send a request's line and headers, so one slow client
(slowloris) could hold a connection, and the mock's one thread, forever. This subclass of its h11 protocol closes
such a connection; `uvicorn.Config(http=...)`, which takes it, is public. It relies on the protocol's `conn`,
`loop` and `transport` attributes and its `on_response_complete` hook, and refuses to load when the hook is gone.
"""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0  # seconds a client has to send a request's line and headers

if not all(hasattr(H11Protocol, name) for name in ("on_response_complete", "connection_made", "data_received", "connection_lost")):
    raise ImportError(f"uvicorn {uvicorn.__version__}'s H11Protocol lacks the hooks the mock's header deadline needs")


class HeaderDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers do not arrive in time (slowloris):
    one slow client cannot hold a connection, and the mock's one thread, forever."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request's line and headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this connection gets the same time

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
