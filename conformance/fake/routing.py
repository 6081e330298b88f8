"""Where the fake answers: in-process, as a respx route for httpx clients (the official SDK among them), or on a
loopback socket for any other client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import respx

from conformance.contract import BASE_PATH, load_contract
from conformance.mock.app import Request, encoded
from conformance.mock.server import serve_in_thread

SDK_BASE_URL = "https://api.cloudflare.com/client/v4"  # the official SDK's default (CLOUDFLARE_BASE_URL changes it)


def operation_pattern(base_url: str) -> re.Pattern[str]:
    """Every URL of the operation under `base_url`, whatever its ids and query."""
    template = re.escape(load_contract().path_template)
    path = re.sub(r"\\\{\w+\\\}", "[^/?#]+", template)
    return re.compile("^" + re.escape(base_url.rstrip("/")) + path + r"(\?.*)?$")


def routed(app: Any, base_url: str, router: respx.Router) -> respx.Route:
    """A route on `router` that answers the operation's URLs under `base_url` with `app` (any method)."""
    prefix = urlsplit(base_url).path.rstrip("/")

    def answer(request: httpx.Request) -> httpx.Response:
        raw_path, _, query = request.url.raw_path.decode("ascii").partition("?")
        path = BASE_PATH + raw_path.removeprefix(prefix)  # the mock's own base path, wherever the client sends
        headers = {name.lower(): value for name, value in request.headers.items()}
        reply = app.respond(Request(request.method, path, parse_qsl(query, keep_blank_values=True), headers))
        sent_headers, payload = encoded(reply)
        return httpx.Response(reply.status, headers=sent_headers, content=payload)

    return router.route(url__regex=operation_pattern(base_url)).mock(side_effect=answer)


@contextmanager
def mocked(app: Any, base_urls: list[str]) -> Iterator[respx.Router]:
    """`app` answers the operation under each base URL for httpx clients, for the block, on a respx router of its own:
    other URLs are not mocked, and a request to one is an error."""
    with respx.mock(assert_all_called=False) as router:
        for base_url in base_urls:
            routed(app, base_url, router)
        yield router


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` on a free loopback port for the block; yields its base URL."""
    with serve_in_thread(app) as root:
        yield root + BASE_PATH
