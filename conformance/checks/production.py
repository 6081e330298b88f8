"""production: failures answered as Cloudflare answers them. Each situation's answer (status, error codes, body
shape) is a named example of a failure response in the contract, with its source; these checks compare a
probe's answer with it, so a vendor sees which failures differ from production, not only that they are failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks.base import Check, CheckFailure, NotApplicable, received_status
from conformance.checks.request import contested_rejection
from conformance.contract import Contract, load_contract
from conformance.transport.exchange import NO_JSON, Exchange

# The probes that put a target in each recorded situation the suite provokes. Situations it never provokes
# (no route, rate limited) and inferred ones with no observation to hold a target to (an invalid parameter,
# another method) only shape the reference mock.
SITUATIONS = {
    "missing-credentials": ("auth:missing",),
    "malformed-authorization": ("auth:basic-scheme", "auth:empty-bearer", "auth:no-scheme"),
    "invalid-token": ("auth:unknown-token",),
    "no-permission": ("at-limit:account_id",),  # a well-formed account id the token cannot reach
    "unroutable-identifier": ("too-long",),
    "unknown-session": ("unknown-session",),
}


def answer(contract: Contract, status: int, body: Any) -> str:
    """An answer as the failure messages show it: '<status> with code <codes> (error_chain <codes>)', '<status> with
    <the shape's title>' for a body without error codes, or '<status> with no failure body'."""
    shape = contract.failure_shape(body)
    if shape is None:
        return f"{status} with no failure body"
    if "errors" not in body:
        return f"{status} with {shape}"
    codes = ", ".join(str(error["code"]) for error in body["errors"])
    chain = ", ".join(str(link["code"]) for error in body["errors"] for link in error.get("error_chain", []))
    return f"{status} with code {codes}" + (f" (error_chain {chain})" if chain else "")


def as_production(situation: str) -> Callable[[Exchange, Contract], None]:
    def check(exchange: Exchange, contract: Contract) -> None:
        assert exchange.response is not None
        if exchange.response.status < 400:
            raise NotApplicable(f"HTTP {exchange.response.status} is no failure; the MUST checks report it")
        contested = contested_rejection(exchange, contract)
        if contested:
            raise NotApplicable(
                f"HTTP {exchange.response.status} follows the documentation's side of a contradiction: {contested[0].brief()}"
            )
        recorded = contract.recorded_failures[situation]
        expected = answer(contract, recorded.status, recorded.body)
        body = exchange.response.json
        received = answer(contract, exchange.response.status, None if body is NO_JSON else body)
        if received != expected:
            answers = "is inferred to answer" if recorded.inferred else "answers"
            title = f"{recorded.summary}: Cloudflare {answers} {expected}; this target answered {received}"
            raise CheckFailure(title, received_status(exchange), f"{expected} ({', '.join(recorded.sources)})", recorded.pointer)

    return check


def production_check(situation: str, probes: tuple[str, ...]) -> Check:
    recorded = load_contract().recorded_failures[situation]
    expected = answer(load_contract(), recorded.status, recorded.body)
    rule = f"{recorded.summary}: answered {expected} as in production ({', '.join(recorded.sources)})"
    check_id = f"production.{situation}"
    return Check(check_id, "production", load_contract().rule_source(check_id).level, rule, probes, as_production(situation))


# One check per recorded situation the suite provokes, in SITUATIONS' order.
CHECKS = tuple(production_check(situation, probes) for situation, probes in SITUATIONS.items())
