"""One run, however many pytest-xdist workers: the controller's transport sends for all of them.

The controller opens the run as usual (target, budget, cassette, edition detection) and serves its transport on a
loopback relay; each worker's transport is a client of that relay. So a run has one request budget, one cassette,
one set of shared answers and one edition, with or without -n. Requests and answers cross as JSON; what the
controller's transport raises crosses as its kind and message, and is raised again in the worker.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from conformance.transport import loopback
from conformance.transport.http import (
    BodyTooLarge,
    BudgetSpent,
    Limits,
    NotRecorded,
    RateLimited,
    TargetStopped,
    Transport,
    TransportFailure,
    reason_of,
)

WORKER_INPUT = "rtk-conformance run"  # the key of what the controller hands each worker (xdist's workerinput)
RAISED = {
    "too-large": BodyTooLarge,
    "not-recorded": NotRecorded,
    "failure": TransportFailure,
    "budget": BudgetSpent,
    "rate-limited": RateLimited,
    "stopped": TargetStopped,
}
HOP_BY_HOP = ("host", "connection", "content-length", "transfer-encoding")


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode()


def relayed(transport: Transport, request: dict[str, Any]) -> dict[str, Any]:
    """What the controller's transport answers to one worker's request, as JSON."""
    headers = {name: value for name, value in request["headers"] if name.lower() not in HOP_BY_HOP}
    content = base64.b64decode(request["content"]) or None
    try:
        answer = transport.send(request["method"], request["url"], headers, once=request["once"], content=content)
    except tuple(RAISED.values()) as exc:
        kind = next(name for name, raised in RAISED.items() if type(exc) is raised)
        return {"raised": kind, "message": str(exc)}
    elapsed = answer.elapsed.total_seconds()
    raw = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in answer.headers.raw]  # the bytes as sent
    return {"status": answer.status_code, "headers": raw, "content": _encode(answer.content), "elapsed": elapsed}


@contextlib.contextmanager
def serving(transport: Transport) -> Iterator[str]:
    """The transport on a loopback relay for the block, one request at a time; yields the relay's secret URL."""
    lock, path = threading.Lock(), "/" + secrets.token_urlsafe(16)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The answer goes out in two writes (headers, then the payload): with Nagle's algorithm the second waits for
        # the worker's delayed acknowledgement of the first, some 40 ms per relayed request.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            if self.path != path:
                self.send_error(404)
                return
            request = json.loads(self.rfile.read(int(self.headers["content-length"])))
            with lock:
                payload = json.dumps(relayed(transport, request)).encode()
            self.send_response_only(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with loopback.serving(Handler) as root:
        yield root + path


class RelayedTransport(Transport):
    """A worker's transport: each request goes to the controller's relay; its counts are the controller's to keep."""

    def __init__(self, limits: Limits, relay_url: str) -> None:
        super().__init__(limits)
        self.relay_url = relay_url
        self.relay = httpx.Client(timeout=None)  # the controller's transport bounds every request, waits included

    def send(
        self, method: str, url: str, headers: dict[str, str], deadline: float = 0.0, once: bool = False, **request: Any
    ) -> httpx.Response:
        try:
            built = self.http.build_request(method, url, headers=headers, **request)
        except httpx.HTTPError as exc:
            raise TransportFailure(reason_of(exc)) from None
        headers_sent = built.headers.multi_items()
        sent = {"method": built.method, "url": str(built.url), "headers": headers_sent, "content": _encode(built.content), "once": once}
        answer = self.relay.post(self.relay_url, json=sent).json()
        if "raised" in answer:
            raise RAISED[answer["raised"]](answer["message"])
        raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer["headers"]]  # a byte that is not ASCII too
        response = httpx.Response(answer["status"], headers=raw, content=base64.b64decode(answer["content"]), request=built)
        response.elapsed = timedelta(seconds=answer["elapsed"])
        return response

    def shares(self, answer: httpx.Response) -> bool:
        return False  # the controller's transport keeps the answers: each comes here anew

    def close(self) -> None:
        self.relay.close()
        super().close()
