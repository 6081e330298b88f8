"""semantics (SHOULD): documented meaning, read from the x-semantics rules of the contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from conformance.checks.base import CheckFailure, rule, show, show_key
from conformance.checks.body import SESSION_BODIES, lookup, ok_body, session_of, sessions_in
from conformance.contract import Contract
from conformance.transport.exchange import Exchange


def rules_of(contract: Contract, name: str) -> Iterator[tuple[str, Any]]:
    """(field, argument) for each session field carrying the x-semantics rule `name`."""
    for field, rules in contract.field_semantics().items():
        if name in rules:
            yield field, rules[name]


def each_rule(exchange: Exchange, contract: Contract, name: str) -> Iterator[tuple[str, dict[str, Any], str, Any]]:
    """(pointer, session, field, argument) for rule `name`, over the session and its breakout rooms."""
    session = session_of(exchange, contract)
    for pointer, each in sessions_in(session, contract.session_pointer, contract.nested_sessions_field):
        for field, argument in rules_of(contract, name):
            yield pointer, each, field, argument


def violation(contract: Contract, field: str, title: str, received: str, documented: str) -> CheckFailure:
    return CheckFailure(title, received, documented, contract.session_property_pointer(field, "x-semantics"))


def timestamp(value: Any) -> datetime | None:
    """The moment, or None when it is not RFC 3339 (schema.timestamps reports it): a time without an offset is not,
    nor can it be compared with one that has one."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@rule(
    "semantics.echoes-path-parameters",
    "semantics",
    "id equals the requested session_id and organization_id the app_id",
    SESSION_BODIES,
)
def echoes_path_parameters(exchange: Exchange, contract: Contract) -> None:
    session = session_of(exchange, contract)
    for field, parameter in rules_of(contract, "equals-path-parameter"):
        asked = exchange.request.path_params[parameter]
        if session.get(field) != asked:
            received = f"{show_key(session, field)} at {contract.session_pointer}/{field}"
            pointer = contract.session_property_pointer(field, "x-semantics")
            raise CheckFailure(f"{field} does not match the requested {parameter}", received, f"{field} == {show(asked)}", pointer)


@rule("semantics.present-only-when", "semantics", "ended_at is present exactly when status is ENDED", SESSION_BODIES)
def present_only_when(exchange: Exchange, contract: Contract) -> None:
    for pointer, session, field, condition in each_rule(exchange, contract, "present-only-when"):
        expected = all(session.get(k) == v for k, v in condition.items())
        if (field in session) != expected:
            state = ", ".join(f"{k}={show_key(session, k)}" for k in condition)
            title = f"{field} is {'absent' if expected else 'present'} at {pointer} although {state}"
            raise violation(contract, field, title, show_key(session, field), f"{field} present only when {show(condition)}")


@rule("semantics.chronology", "semantics", "ended_at is not before started_at, updated_at not before created_at", SESSION_BODIES)
def chronology(exchange: Exchange, contract: Contract) -> None:
    for pointer, session, field, earlier in each_rule(exchange, contract, "not-before"):
        later_at, earlier_at = timestamp(session.get(field)), timestamp(session.get(earlier))
        if later_at and earlier_at and later_at < earlier_at:
            received = f"{field} {show(session[field])} < {earlier} {show(session[earlier])} at {pointer}"
            raise violation(contract, field, f"{field} is before {earlier}", received, f"{field} >= {earlier}")


@rule("semantics.non-negative", "semantics", "participant counts and minutes are >= 0", SESSION_BODIES)
def non_negative(exchange: Exchange, contract: Contract) -> None:
    for pointer, session, field, minimum in each_rule(exchange, contract, "minimum"):
        value = session.get(field)
        if isinstance(value, (int, float)) and value < minimum:
            raise violation(contract, field, f"{field} is below {minimum}", f"{show(value)} at {pointer}/{field}", f"{field} >= {minimum}")


@rule("semantics.at-most", "semantics", "live_participants <= max_concurrent_participants", SESSION_BODIES)
def at_most(exchange: Exchange, contract: Contract) -> None:
    for pointer, session, field, bound in each_rule(exchange, contract, "at-most"):
        value, limit = session.get(field), session.get(bound)
        if all(isinstance(v, (int, float)) for v in (value, limit)) and value > limit:  # type: ignore[operator]
            received = f"{field} {show(value)} > {bound} {show(limit)} at {pointer}"
            raise violation(contract, field, f"{field} exceeds {bound}", received, f"{field} <= {bound}")


@rule("semantics.success-true", "semantics", "success is true on a 200", SESSION_BODIES)
def success_true(exchange: Exchange, contract: Contract) -> None:
    body = ok_body(exchange)
    for field, rules in contract.envelope_semantics().items():
        expected = rules.get("value-on-success")
        if lookup(body, f"/{field}") != expected:
            pointer = f"{contract.response_pointer}#/properties/{field}/x-semantics"
            raise CheckFailure(f"{field} is not {show(expected)} on a 200", show_key(body, field), f"{field}: {show(expected)}", pointer)


CHECKS = (echoes_path_parameters, present_only_when, chronology, non_negative, at_most, success_true)
