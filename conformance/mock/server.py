"""Serve an ASGI app on loopback with uvicorn: in a background thread, or in the foreground."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from conformance.mock.uvicorn_internals import HeaderDeadline

STARTUP_TIMEOUT = 10.0


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
        time.sleep(0.001)  # uvicorn's only sign is `started`; it starts in two or three milliseconds
    try:
        yield url_of(sock, "https" if tls else "http")
    finally:
        server.should_exit = True
        if wait:  # otherwise uvicorn closes the socket, in its own time
            thread.join(timeout=STARTUP_TIMEOUT)
            sock.close()


def serve_forever(app: Any, sock: socket.socket, stop: threading.Event | None = None) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM), or until `stop` is set."""
    server = uvicorn.Server(_config(app))
    if stop is not None:

        def exit_once_stopped() -> None:
            stop.wait()
            server.should_exit = True

        threading.Thread(target=exit_once_stopped, daemon=True).start()
    server.run(sockets=[sock])
