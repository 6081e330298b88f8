"""The negative oracle: whether a generated request, as it went on the wire, breaks the contract.

schemathesis labels each case positive or negative from how it generated it. Serialization can undo
a mutation (query strings are strings: a "negative" string "true" is a valid boolean on the wire), and
some mutations touch what this endpoint does not define (a Content-Type on a GET without a body, an
unknown query parameter). The oracle re-reads the request as sent; where it disagrees with the label,
the label is wrong, and the data-acceptance checks are not applied to that case.

Where the request is valid only by a branch of the contract that contradicts the documentation (x-contradicts:
a 36-character UUID app id past the documented maxLength 32), the sources disagree on whether it is valid: the case
is contested, and a target may accept it (as production does) or reject it (as the documentation says). Neither
the acceptance nor the rejection check is applied to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from conformance.contract import Contract

QUERY_BOOLEANS = {"true": True, "false": False}  # how OpenAPI serializes a boolean in a query string


@dataclass(frozen=True)
class Expectation:
    negative: bool  # the request as sent breaks the contract
    why: str
    statuses: tuple[int, ...]  # what the contract allows in answer
    agrees: bool  # schemathesis labelled the case the same way
    contested: str = ""  # the documented contradiction the request follows: any answer the contract allows passes


def expect(method: str, url: str, base_url: str, labelled_negative: bool, contract: Contract) -> Expectation:
    violations = wire_violations(method, url, base_url, contract)
    if violations:
        return Expectation(True, "; ".join(violations), tuple(contract.failure_statuses()), labelled_negative)
    contested = contradictions(method, url, base_url, contract)
    if contested:
        statuses = tuple(sorted({*contract.valid_request_statuses(), *contract.failure_statuses()}))
        why = f"contested: {contested}; accepting or rejecting it both pass"
        return Expectation(False, why, statuses, not labelled_negative, contested)
    why = "valid on the wire" + (" although generated as negative" if labelled_negative else "")
    return Expectation(False, why, tuple(contract.valid_request_statuses()), not labelled_negative)


def contradictions(method: str, url: str, base_url: str, contract: Contract) -> str:
    """The documented contradictions a valid request's path parameters follow, as one line, or ''."""
    path_values = contract.match_path(urlsplit(url).path.removeprefix(urlsplit(base_url).path)) or {}
    found = [c for name, value in path_values.items() for c in contract.contradictions(name, value)]
    return "; ".join(f"{c.parameter} breaks the documented {c.documented} but is {c.observed}" for c in found)


def wire_violations(method: str, url: str, base_url: str, contract: Contract) -> list[str]:
    """What the request breaks: its method, its path parameters, its declared query parameters."""
    if method.upper() != "GET":
        return [f"method {method.upper()} is not defined on this path"]
    parts = urlsplit(url)
    path_values = contract.match_path(parts.path.removeprefix(urlsplit(base_url).path))
    if path_values is None:
        return [f"{parts.path} does not address this operation"]
    found = [f"{name}: {e.message}" for name, value in path_values.items() for e in contract.validate_parameter(name, value)]
    query = parse_qs(parts.query, keep_blank_values=True)
    for name, parameter in contract.parameters.items():
        if parameter["in"] == "query" and name in query:
            found += _query_violations(name, query[name], parameter["schema"].get("type"), contract)
    return found


def _query_violations(name: str, values: list[str], type_: str | None, contract: Contract) -> list[str]:
    if len(set(values)) > 1:
        return [f"{name} given different values {values}"]
    text = values[0]
    typed: object = QUERY_BOOLEANS.get(text, text) if type_ == "boolean" else text
    return [f"{name}={text!r}: {e.message}" for e in contract.validate_parameter(name, typed)]
