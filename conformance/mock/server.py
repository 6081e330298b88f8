"""Serve an ASGI app on loopback with uvicorn: in a background thread, or in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

STARTUP_TIMEOUT = 10.0
HEADER_TIMEOUT = 10.0  # seconds a client has to send a request's line and headers (uvicorn has no such limit)


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


def _config(app: Any, tls: tuple[str, str] | None = None) -> uvicorn.Config:
    certfile, keyfile = tls or (None, None)
    return uvicorn.Config(
        app, http=HeaderDeadline, log_level="warning", access_log=False, lifespan="on", ssl_certfile=certfile, ssl_keyfile=keyfile
    )


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; port 0 picks a free one."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body go out at once: no 40 ms stall
    sock.bind((host, port))
    return sock


def url_of(sock: socket.socket, scheme: str = "http") -> str:
    host, port = sock.getsockname()[:2]
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", tls: tuple[str, str] | None = None, wait: bool = True) -> Iterator[str]:
    """Serve `app` on a free loopback port for the duration of the block (over HTTPS with `tls`, the paths of a
    certificate chain and its key); yields its root URL.

    The block ends once the server has stopped; with `wait=False` it ends as the server begins to stop (uvicorn takes
    a tenth of a second or more), for a caller that has no more use for it and ends soon itself."""
    sock = bind(host)
    server = uvicorn.Server(_config(app, tls))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mock server did not start")
        time.sleep(0.01)
    try:
        yield url_of(sock, "https" if tls else "http")
    finally:
        server.should_exit = True
        if wait:  # otherwise uvicorn closes the socket, in its own time
            thread.join(timeout=STARTUP_TIMEOUT)
            sock.close()


def serve_forever(app: Any, sock: socket.socket) -> None:
    """Serve until interrupted (Ctrl-C)."""
    uvicorn.Server(_config(app)).run(sockets=[sock])
