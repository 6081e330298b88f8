"""Judging one generated case: schemathesis's checks that fit this endpoint, and ours, on one answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData, Failure, FailureGroup
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from conformance.checks import REGISTRY, Check, CheckFailure, NotApplicable, by_id
from conformance.checks.body import editions_of
from conformance.contract import Contract
from conformance.exchange import NO_JSON, Exchange, Received, SentRequest

# ignored_auth is left out on purpose: it re-sends every 2xx twice, and auth is checked once, explicitly.
SCHEMATHESIS_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    missing_required_header,
    unsupported_method,
]
DATA_ACCEPTANCE = [negative_data_rejection, positive_data_acceptance]


def our_checks(contract: Contract, secret: str) -> list[Callable[..., Any]]:
    """Our check functions that judge any answer (probe kind "property"), as schemathesis checks."""
    return [as_schemathesis_check(c, contract, secret) for c in REGISTRY if "property" in c.probes]


def as_schemathesis_check(check: Check, contract: Contract, secret: str) -> Callable[..., Any]:
    def run(ctx: Any, response: Any, case: Any) -> bool | None:
        try:
            check.run(exchange_of(case, response, secret), contract)
        except NotApplicable:
            return None
        return True

    run.__name__ = check.id
    return run


def exchange_of(case: Any, response: Any, secret: str) -> Exchange:
    """A generated case and its answer, in the shape our checks read."""
    sent = response.request
    headers = {k: v for k, v in sent.headers.items() if k.lower() in ("authorization", "content-type")}
    path_params = {k: unquote(str(v)) for k, v in case.path_parameters.items()}
    request = SentRequest(str(sent.method), str(sent.url), headers, path_params, {})
    received = Received(response.status_code, {k.lower(): v[0] for k, v in response.headers.items()}, response.content)
    return Exchange("property", request, received, secret=secret)


@dataclass(frozen=True)
class Finding:
    check: str  # our check id, or "schemathesis: <title>"
    level: str  # MUST or SHOULD; every schemathesis check is a MUST: the contract says so
    text: str


def in_other_edition(exchange: Exchange, contract: Contract) -> bool:
    """A 200 body in another edition than the run's: schema.envelope explains it once, so the schema is not dumped too."""
    received = exchange.response
    if received is None or received.status != 200 or received.json is NO_JSON:
        return False
    found = editions_of(received.json, contract)
    return bool(found) and contract.edition not in found


def failures_of(case: Any, response: Any, checks: list[Callable[..., Any]], excluded: list[Callable[..., Any]], why: str) -> list[Finding]:
    """Each failure: ours in their fixed form and level, schemathesis's as title and message.

    `why` is what the negative oracle found wrong with the request as sent: a rejection failure names it.
    """
    try:
        case.validate_response(response, checks=SCHEMATHESIS_CHECKS, additional_checks=checks, excluded_checks=excluded)
    except FailureGroup as group:
        return [_finding(f, why) for f in once(list(group.exceptions))]
    return []


def once(failures: list[Failure]) -> list[Failure]:
    """One defect, one report: schemathesis's schema failure (a full schema dump) is dropped where ours names it."""
    ours = [getattr(f, "exception", None) for f in failures]
    named = any(isinstance(e, CheckFailure) and by_id(e.check_id).category in ("schema", "enums") for e in ours)
    return [f for f in failures if not (named and isinstance(f, JsonSchemaError))]


def _finding(failure: Failure, why: str) -> Finding:
    exception = getattr(failure, "exception", None)
    if isinstance(exception, CheckFailure):
        return Finding(exception.check_id, by_id(exception.check_id).level, str(exception))
    message = failure.message
    if isinstance(failure, AcceptedNegativeData):  # schemathesis names what it meant to break, not always what broke
        message = message.split("\nInvalid component:")[0] + f"\nInvalid as sent: {why}"
    return Finding(f"schemathesis: {failure.title}", "MUST", f"[schemathesis] {failure.title}\n{message}".rstrip())
