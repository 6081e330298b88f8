"""Misbehaving HTTP servers on loopback, written on raw sockets so that they can do what no framework allows:
answer nothing, drip, stall mid-body, reset, never end a chunked body."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

Behaviour = Callable[[socket.socket, str], None]  # (connection, request head) -> answers, or not


def answer(status: str, body: bytes, content_type: str = "application/json", extra: str = "") -> Behaviour:
    def respond(conn: socket.socket, head: str) -> None:
        headers = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
        conn.sendall(headers.encode("latin-1") + body)  # a character of extra below 256 is that byte, ASCII or not

    return respond


def on_api_paths(behaviour: Behaviour, otherwise: Behaviour | None = None) -> Behaviour:
    """`behaviour` for the operation's paths only; the base URL (the preflight) gets a plain 404."""
    plain = otherwise or answer("404 Not Found", b'{"success": false, "errors": [{"code": 7000, "message": "No route"}]}')

    def respond(conn: socket.socket, head: str) -> None:
        (behaviour if "/sessions/" in head.split("\r\n")[0] else plain)(conn, head)

    return respond


def silent(conn: socket.socket, head: str) -> None:
    time.sleep(3600)


def stalled_body(conn: socket.socket, head: str) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    time.sleep(3600)


def drip(conn: socket.socket, head: str) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}":
        conn.sendall(bytes([byte]))
        time.sleep(1)


def reset_mid_body(conn: socket.socket, head: str) -> None:
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"success": tr')
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close


def endless_chunks(conn: socket.socket, head: str) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    while True:
        conn.sendall(b"1\r\n \r\n")
        time.sleep(0.05)


def echo_token(conn: socket.socket, head: str) -> None:
    sent = [line for line in head.split("\r\n") if line.lower().startswith("authorization")]
    body = json.dumps({"success": False, "errors": [{"code": 9109, "message": f"Invalid token: {sent}"}]}).encode()
    answer("403 Forbidden", body)(conn, head)


def gzip_json(body: object) -> Behaviour:
    payload = gzip.compress(json.dumps(body).encode())
    return answer("200 OK", payload, extra="Content-Encoding: gzip\r\n")


def deeply_nested(depth: int) -> Behaviour:
    return answer("200 OK", b"[" * depth + b"]" * depth)


def oversized(size: int) -> Behaviour:
    return answer("200 OK", b'{"pad": "' + b"x" * size + b'"}')


def redirect(location: str) -> Behaviour:
    return answer("302 Found", b"{}", extra=f"Location: {location}\r\n")


def _serve(listener: socket.socket, behaviour: Behaviour, stop: threading.Event, accepted: list[float]) -> None:
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        accepted.append(time.monotonic())
        threading.Thread(target=_handle, args=(conn, behaviour), daemon=True).start()


def _handle(conn: socket.socket, behaviour: Behaviour) -> None:
    with conn:
        try:
            while True:  # keep-alive: one request after another on the same connection
                head = _read_head(conn)
                if not head:
                    return
                behaviour(conn, head)
        except OSError:
            return


def _read_head(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return ""
        data += chunk
    return data.decode("latin-1")


@contextlib.contextmanager
def fault_server(behaviour: Behaviour, accepted: list[float] | None = None) -> Iterator[str]:
    """A server on a free loopback port answering every request with `behaviour`; yields its root URL. `accepted`
    gets the time (time.monotonic()) of each connection it accepts."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, behaviour, stop, [] if accepted is None else accepted), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
