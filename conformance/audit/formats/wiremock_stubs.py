"""A WireMock mapping read into a stub: what requests it matches (method, URL, query parameters, headers) and what it
answers. Its regexes are compiled as it is read, so that a bad one is refused in one line naming the mapping."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from conformance.audit.formats.asking import Asked
from conformance.audit.formats.fields import Broken, shown
from conformance.audit.formats.patterns import Pattern, pattern
from conformance.audit.formats.wiremock_matchers import Matcher, matchers

DEFAULT_PRIORITY = 5  # WireMock's, for a stub that gives none; 1 is the highest
EXACT = ("url", "urlPath")
PATTERNS = ("urlPathPattern", "urlPattern", "urlPathTemplate")
# What a GET of this operation never satisfies, or this audit does not read: the stub is not asked.
NOT_ASKED = {
    "bodyPatterns": "its bodyPatterns, which a GET without a body does not match",
    "basicAuthCredentials": "its basicAuthCredentials (Basic credentials, never a Bearer token)",
    "cookies": "its cookies matchers, not read by this audit",
    "customMatcher": "its customMatcher, an extension this audit cannot run",
    "host": "its host matcher, not read by this audit",
    "scheme": "its scheme matcher, not read by this audit",
    "port": "its port matcher, not read by this audit",
}


@dataclass(frozen=True)
class Answer:
    """What a stub answers: its response as a client reads it."""

    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    note: str = ""  # what of it could not be read (a body file that is not there)
    body_known: bool = True  # False: the body is in a file that is not read


@dataclass(frozen=True)
class Stub:
    source: str
    location: str  # mapping <id, uuid or index> (<name>)
    priority: int
    method: str  # upper case; ANY for every method
    url_kind: str  # url, urlPath, urlPathPattern, urlPattern, urlPathTemplate; '' for any URL
    url_text: str = ""
    url_pattern: Pattern | None = None
    path_parameters: dict[str, Matcher] = field(default_factory=dict)
    query: dict[str, Matcher] = field(default_factory=dict)
    headers: dict[str, Matcher] = field(default_factory=dict)  # lower-case names
    not_asked: str = ""  # why the audit cannot tell which requests it matches; '' when it can
    answer: Answer | None = None  # None: it answers with no HTTP response (a fault, a proxy)
    no_answer: str = ""  # why it has none
    scenario: str = ""  # the scenario state it needs, if any, for the notes

    def matches(self, asked: Asked) -> bool:
        """Whether WireMock would match the request with this stub."""
        if self.method not in ("ANY", asked.method) or not self._url_matches(asked):
            return False
        query: dict[str, str] = {}
        for name, value in asked.query:
            query.setdefault(name, value)
        return all(m.matches(query.get(name)) for name, m in self.query.items()) and all(
            m.matches(asked.headers.get(name)) for name, m in self.headers.items()
        )

    def _url_matches(self, asked: Asked) -> bool:
        if self.url_kind == "url":
            return asked.url == self.url_text
        if self.url_kind == "urlPath":
            return asked.path == self.url_text
        if self.url_pattern is None:  # no URL matcher: every URL
            return True
        subject = asked.url if self.url_kind == "urlPattern" else asked.path
        found = self.url_pattern.whole(subject)
        if found is None or self.url_kind != "urlPathTemplate":
            return found is not None
        values = {name: unquote(value) for name, value in found.groupdict().items()}
        return all(m.matches(values.get(name)) for name, m in self.path_parameters.items())

    def exact_request(self) -> tuple[str, str] | None:
        """The path and the query as written of an exact url or urlPath; None for a pattern or any URL."""
        if self.url_kind not in EXACT:
            return None
        parts = urlsplit(self.url_text)
        return parts.path, parts.query


def url_matcher(request: dict[str, object], where: str) -> tuple[str, str, Pattern | None]:
    """Which URL matcher the request has, its text, and its pattern compiled (a template made a pattern)."""
    kinds = [kind for kind in (*EXACT, *PATTERNS) if kind in request]
    if len(kinds) > 1:
        raise Broken(f"{where}: request has more than one URL matcher ({', '.join(kinds)})")
    if not kinds:
        return "", "", None
    kind, text = kinds[0], request[kinds[0]]
    if not isinstance(text, str):
        raise Broken(f"{where}: request.{kind} is not text: {shown(text)}")
    if kind in EXACT:
        return kind, text, None
    if kind == "urlPathTemplate":
        return kind, text, pattern(_template_regex(text), f"{where}: request.urlPathTemplate")
    return kind, text, pattern(text, f"{where}: request.{kind}")


def _template_regex(template: str) -> str:
    """/accounts/{accountId}/... as a regex: each {name} one path segment, named; the rest literal."""
    parts = re.split(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", template)
    return "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))


def request_matchers(request: dict[str, object], where: str) -> dict[str, dict[str, Matcher]]:
    return {
        "path_parameters": matchers(request.get("pathParameters"), f"{where}: request.pathParameters"),
        "query": matchers(request.get("queryParameters"), f"{where}: request.queryParameters"),
        "headers": matchers(request.get("headers"), f"{where}: request.headers", lower=True),
    }


def why_not_asked(request: dict[str, object], found: dict[str, dict[str, Matcher]]) -> str:
    """Why the stub cannot be asked a request of this operation; '' when it can."""
    for key, why in NOT_ASKED.items():
        if request.get(key):
            return f"it has {why}"
    for kind, named in found.items():
        for name, one in named.items():
            if one.unread:
                return f"its {kind.replace('_', ' ')} matcher {one.unread} on {shown(name)} is not one this audit reads"
    return ""
