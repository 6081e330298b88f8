"""One request the suite sent and what came back: what every check looks at."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from conformance import nesting
from conformance.secret import NO_SECRET, Secret

TOKEN_PLACEHOLDER = "$CLOUDFLARE_API_TOKEN"
NO_JSON = object()  # the body is not JSON


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: dict[str, str]
    path_params: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)

    def curl(self, secret: Secret = NO_SECRET) -> str:
        """A curl line that repeats this request, the secret shown as its environment variable."""
        parts = ["curl", "-sS", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            parts += ["-H", _quote_header(f"{name}: {value}", secret)]
        line = " ".join(parts)
        return line.replace(secret.reveal(), TOKEN_PLACEHOLDER) if secret else line


def _quote_header(header: str, secret: Secret) -> str:
    if secret and secret.reveal() in header:  # double quotes, so the shell expands the variable
        return '"' + header.replace(secret.reveal(), TOKEN_PLACEHOLDER).replace('"', '\\"') + '"'
    return shlex.quote(header)


@dataclass(frozen=True)
class Received:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @cached_property
    def json(self) -> Any:
        """The parsed body, or NO_JSON (also when nested past the limit: the transport refuses such a body first)."""
        try:
            return nesting.loads(self.body)
        except (ValueError, RecursionError):
            return NO_JSON

    def excerpt(self, limit: int = 200) -> str:
        text = self.body.decode("utf-8", "replace")
        return text if len(text) <= limit else text[:limit] + "..."


@dataclass(frozen=True)
class Exchange:
    probe: str  # the name of the probe that sent it
    request: SentRequest
    response: Received | None  # None: no HTTP response (the error says why)
    error: str = ""
    secret: Secret = NO_SECRET  # the token, only to redact it
    unsent: bool = False  # never sent: the run's request budget was spent (the error says so)

    def request_line(self) -> str:
        return self.request.curl(self.secret)
