"""A `requests` session whose every request goes through the run's transport: the one target, its budget, its deadlines,
its shared answers and its cassette. Libraries that send with `requests` on the run's behalf (schemathesis's checks,
which may send a control request of their own) are given this session, so no engine sends a request the run does not
own: such a request is counted, bounded and redacted like any other."""

from __future__ import annotations

import io
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3 import HTTPHeaderDict, HTTPResponse

from conformance.transport.http import Transport, TransportFailure


class TransportAdapter(BaseAdapter):
    """requests' public adapter interface over the run's transport; keeps the status each request got (None: none)."""

    def __init__(self, transport: Transport) -> None:
        super().__init__()
        self.transport = transport
        self.statuses: list[int | None] = []

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        """The transport's answer; its own limits and TLS settings apply, not requests' arguments."""
        body = request.body.encode() if isinstance(request.body, str) else request.body
        sent = {name: str(value) for name, value in request.headers.items()}
        try:
            answer = self.transport.send(str(request.method), str(request.url), sent, content=body)
        except TransportFailure as failure:
            self.statuses.append(None)
            raise requests.ConnectionError(str(failure), request=request) from None
        self.statuses.append(answer.status_code)
        headers = HTTPHeaderDict(answer.headers.multi_items())
        raw = HTTPResponse(io.BytesIO(answer.content), headers, answer.status_code, preload_content=False, decode_content=False)
        response = requests.Response()
        response.status_code, response.reason, response.raw = answer.status_code, answer.reason_phrase, raw
        response.headers = CaseInsensitiveDict(answer.headers.items())
        response.url, response.request, response.elapsed = str(answer.url), request, answer.elapsed
        response.encoding = answer.encoding
        return response

    def close(self) -> None:
        pass  # the transport is the run's: it closes with the run


def session_over(transport: Transport) -> tuple[requests.Session, TransportAdapter]:
    """A requests session that sends nothing but through `transport`, whatever the URL's scheme."""
    adapter = TransportAdapter(transport)
    session = requests.Session()
    session.trust_env = False  # no proxy or .netrc from the environment: the transport decides where requests go
    for prefix in ("http://", "https://"):
        session.mount(prefix, adapter)
    return session, adapter
