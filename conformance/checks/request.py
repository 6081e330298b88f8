"""A request as it went on the wire, read against the contract: what it breaks, and which documented contradictions it
follows. Every check that judges whether a target accepted or rejected a request reads it here, so that an explicit
probe and a generated case are judged by one rule, at one level, in one voice."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from conformance.contract import Contract
from conformance.contract.editions import Contradiction
from conformance.transport.exchange import Exchange, SentRequest

QUERY_BOOLEANS = {"true": True, "false": False}  # how OpenAPI serializes a boolean in a query string
MALFORMED = (400, 422)  # how a server that takes a value for invalid rejects the request


@dataclass(frozen=True)
class Violation:
    """One way a request breaks the contract: a parameter's documented keyword, the method, or the path."""

    parameter: str  # a parameter's name, or "method" or "path"
    keyword: str  # the documented keyword it breaks (maxLength, type, format, ...), or "method" or "path"
    value: str
    message: str
    contract: str  # where the contract says so: file#/pointer
    expected: str = ""  # what the keyword asks for: 32, uuid, boolean

    def __str__(self) -> str:
        return f"{self.parameter}: {self.message}"

    @property
    def documented(self) -> str:
        """What the contract documents, and so the answer it calls for: 'maxLength 32: a 4xx'."""
        return " ".join(part for part in (self.keyword, self.expected) if part) + ": a 4xx"


def path_values(request: SentRequest, contract: Contract) -> dict[str, str] | None:
    """The decoded path parameters of the request as sent, read off the end of its URL's path (whatever the base path),
    or None when the path has another shape."""
    return _path_values(request.url, contract)


def _path_values(url: str, contract: Contract) -> dict[str, str] | None:
    depth = contract.path_template.count("/")
    segments = urlsplit(url).path.split("/")
    if len(segments) <= depth:
        return None
    return contract.match_path("/" + "/".join(segments[-depth:]))


def query_values(request: SentRequest) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query, keep_blank_values=True)


def violations(request: SentRequest, contract: Contract) -> list[Violation]:
    """What the request as sent breaks: its method, its path, its path parameters, its declared query parameters."""
    return list(_violations(request.method, request.url, contract))


@lru_cache(maxsize=1024)  # every check of a rejection reads them, on every answer: worked out once per request line
def _violations(method: str, url: str, contract: Contract) -> tuple[Violation, ...]:
    if method.upper() != "GET":
        return (Violation("method", "method", method, f"{method.upper()} is not defined on this path", _responses(contract)),)
    values = _path_values(url, contract)
    if values is None:
        path = unquote(urlsplit(url).path)
        return (Violation("path", "path", path, f"{path} does not address this operation", contract.operation_pointer),)
    found = [v for name, value in values.items() for v in _broken(contract, name, value)]
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    for name, parameter in contract.parameters.items():
        if parameter["in"] == "query" and name in query:
            found += _query_violations(contract, name, query[name])
    return tuple(found)


def _broken(contract: Contract, name: str, value: object) -> list[Violation]:
    return [
        Violation(name, e.keyword, str(value), e.message, e.contract, " or ".join(_flat(e.detail.values())))
        for e in contract.documented_violations(name, value)
    ]


def _flat(values: object) -> list[str]:
    """What a keyword asks for, as text: {'limit': 32} -> 32, {'types': ['boolean']} -> boolean."""
    found: list[str] = []
    for value in values:  # type: ignore[attr-defined]
        found += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return found


def _query_violations(contract: Contract, name: str, values: list[str]) -> list[Violation]:
    if len(set(values)) > 1:
        return [
            Violation(name, "duplicate", "&".join(values), f"given different values {values}", contract.parameter_pointer(name, "type"))
        ]
    text = values[0]
    boolean = contract.parameters[name]["schema"].get("type") == "boolean"
    typed: object = QUERY_BOOLEANS.get(text, text) if boolean else text
    return [Violation(name, v.keyword, text, v.message, v.contract, v.expected) for v in _broken(contract, name, typed)]


def contradictions(request: SentRequest, contract: Contract) -> list[Contradiction]:
    """The documented contradictions the request's path parameters follow (a UUID app id past the documented 32)."""
    values = path_values(request, contract) or {}
    return [c for name, value in values.items() for c in contract.contradictions(name, value)]


def contested_rejection(exchange: Exchange, contract: Contract) -> list[Contradiction]:
    """The contradictions a request follows, when the target rejected it as malformed: that is the documentation's side
    of them, as valid as production's, so no rule that expects another status holds it against the target."""
    if exchange.response is None or exchange.response.status not in MALFORMED:
        return []
    return contradictions(exchange.request, contract)


def owner(violation: Violation, contract: Contract) -> str:
    """The id of the check that judges whether a request breaking the contract this way was rejected."""
    if violation.keyword == "method":
        return "errors.method-not-allowed"
    if violation.keyword == "maxLength":
        return "params.max-length"
    if violation.parameter == contract.breakout_rooms_parameter:
        return "params.boolean-rejected"
    return "params.invalid-rejected"


def owned(exchange: Exchange, contract: Contract, check_id: str) -> list[Violation]:
    """The violations of the exchange's request that check `check_id` judges."""
    return [v for v in violations(exchange.request, contract) if owner(v, contract) == check_id]


def _responses(contract: Contract) -> str:
    return f"{contract.operation_pointer}/responses/405"
