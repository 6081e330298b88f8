"""The suite's own explicit checks on one answer of the fake: what refuses an arrangement that breaks the contract,
and what a test of the fake holds every answer it gets to."""

from __future__ import annotations

from conformance.checks import REGISTRY
from conformance.checks.base import Check, CheckFailure, NotApplicable
from conformance.contract import Contract
from conformance.fake.routing import SDK_BASE_URL
from conformance.transport.exchange import Exchange, Received, SentRequest
from conformance.transport.probes import Probe


def failures_in(contract: Contract, kind: str, params: dict[str, str], query: dict[str, str], received: Received) -> list[str]:
    """Every failure the checks that apply to a probe of `kind` (session, breakout, unknown-session, property, ...)
    find in `received`, the answer to GET on the operation with these path parameters and query."""
    probe = Probe(f"{kind}:{params['session_id']}", kind, params, query)
    url = SDK_BASE_URL + contract.path_template.format(**params)
    exchange = Exchange(probe.name, SentRequest("GET", url, {}, params, query), received)
    return [failure for check in REGISTRY if check.applies_to(probe) for failure in _failure(check, exchange, contract)]


def _failure(check: Check, exchange: Exchange, contract: Contract) -> list[str]:
    try:
        check.run(exchange, contract)
    except CheckFailure as failure:
        return [str(failure)]
    except NotApplicable:
        pass
    return []
