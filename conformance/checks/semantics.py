"""semantics (SHOULD): documented meaning, read from the x-semantics rules of the contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from conformance.checks.base import CheckFailure, rule, show
from conformance.checks.body import SESSION_BODIES, lookup, ok_body, session_of, sessions_in
from conformance.contract import Contract
from conformance.exchange import Exchange


def rules_of(contract: Contract, name: str) -> Iterator[tuple[str, Any]]:
    """(field, argument) for each session field carrying the x-semantics rule `name`."""
    for field, rules in contract.field_semantics().items():
        if name in rules:
            yield field, rules[name]


def every_session(exchange: Exchange, contract: Contract) -> Iterator[tuple[str, dict[str, Any]]]:
    session = session_of(exchange, contract)
    return sessions_in(session, contract.session_pointer, contract.nested_sessions_field)


def timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None  # not RFC 3339: schema.timestamps reports it


@rule(
    "semantics.echoes-path-parameters",
    "semantics",
    "SHOULD",
    "id equals the requested session_id and organization_id the app_id",
    SESSION_BODIES,
)
def echoes_path_parameters(exchange: Exchange, contract: Contract) -> None:
    session = session_of(exchange, contract)
    for field, parameter in rules_of(contract, "equals-path-parameter"):
        asked = exchange.request.path_params[parameter]
        if session.get(field) != asked:
            received = f"{show(session.get(field))} at {contract.session_pointer}/{field}"
            pointer = contract.session_property_pointer(field, "x-semantics")
            raise CheckFailure(f"{field} does not match the requested {parameter}", received, f"{field} == {show(asked)}", pointer)


@rule("semantics.present-only-when", "semantics", "SHOULD", "ended_at is present exactly when status is ENDED", SESSION_BODIES)
def present_only_when(exchange: Exchange, contract: Contract) -> None:
    for pointer, session in every_session(exchange, contract):
        for field, condition in rules_of(contract, "present-only-when"):
            expected = all(session.get(k) == v for k, v in condition.items())
            if (field in session) != expected:
                state = ", ".join(f"{k}={show(session.get(k))}" for k in condition)
                title = f"{field} is {'absent' if expected else 'present'} at {pointer} although {state}"
                documented = f"{field} present only when {show(condition)}"
                raise CheckFailure(title, show(session.get(field)), documented, contract.session_property_pointer(field, "x-semantics"))


@rule("semantics.chronology", "semantics", "SHOULD", "ended_at is not before started_at, updated_at not before created_at", SESSION_BODIES)
def chronology(exchange: Exchange, contract: Contract) -> None:
    for pointer, session in every_session(exchange, contract):
        for field, earlier in rules_of(contract, "not-before"):
            later_at, earlier_at = timestamp(session.get(field)), timestamp(session.get(earlier))
            if later_at and earlier_at and later_at < earlier_at:
                received = f"{field} {show(session[field])} < {earlier} {show(session[earlier])} at {pointer}"
                raise CheckFailure(
                    f"{field} is before {earlier}",
                    received,
                    f"{field} >= {earlier}",
                    contract.session_property_pointer(field, "x-semantics"),
                )


@rule("semantics.non-negative", "semantics", "SHOULD", "participant counts and minutes are >= 0", SESSION_BODIES)
def non_negative(exchange: Exchange, contract: Contract) -> None:
    for pointer, session in every_session(exchange, contract):
        for field, minimum in rules_of(contract, "minimum"):
            value = session.get(field)
            if isinstance(value, (int, float)) and value < minimum:
                received = f"{show(value)} at {pointer}/{field}"
                raise CheckFailure(
                    f"{field} is below {minimum}",
                    received,
                    f"{field} >= {minimum}",
                    contract.session_property_pointer(field, "x-semantics"),
                )


@rule("semantics.at-most", "semantics", "SHOULD", "live_participants <= max_concurrent_participants", SESSION_BODIES)
def at_most(exchange: Exchange, contract: Contract) -> None:
    for pointer, session in every_session(exchange, contract):
        for field, bound in rules_of(contract, "at-most"):
            value, limit = session.get(field), session.get(bound)
            numbers = all(isinstance(v, (int, float)) for v in (value, limit))
            if numbers and value > limit:  # type: ignore[operator]
                received = f"{field} {show(value)} > {bound} {show(limit)} at {pointer}"
                raise CheckFailure(
                    f"{field} exceeds {bound}", received, f"{field} <= {bound}", contract.session_property_pointer(field, "x-semantics")
                )


@rule("semantics.success-true", "semantics", "SHOULD", "success is true on a 200", SESSION_BODIES)
def success_true(exchange: Exchange, contract: Contract) -> None:
    body = ok_body(exchange)
    for field, rules in contract.envelope_semantics().items():
        expected = rules.get("value-on-success")
        if lookup(body, f"/{field}") != expected:
            pointer = f"openapi/schemas/{contract.response_schema_name}#/properties/{field}/x-semantics"
            raise CheckFailure(
                f"{field} is not {show(expected)} on a 200", show(lookup(body, f"/{field}")), f"{field}: {show(expected)}", pointer
            )
