"""enums: one check per enum field of the session, generated from the contract."""

from __future__ import annotations

from conformance.checks.base import CheckFunction, rule
from conformance.checks.body import SESSION_BODIES
from conformance.checks.schema import fail_with, schema_errors
from conformance.contract import Contract, load_contract
from conformance.transport.exchange import Exchange


def enum_check(field: str) -> CheckFunction:
    def check(exchange: Exchange, contract: Contract) -> None:
        errors = [e for e in schema_errors(exchange, contract, "enum") if e.pointer.rsplit("/", 1)[-1] == field]
        if errors:  # the session's and its breakout rooms'
            titles = [f"{field} is not a documented value at {e.pointer}" for e in errors]
            raise fail_with(errors, titles, f"one of {', '.join(errors[0].detail['options'])}")

    return check


# One check per enum field of the session, in the contract's order.
CHECKS = tuple(
    rule(f"enums.{field}", "enums", f"{field} is one of {', '.join(values)}", SESSION_BODIES)(enum_check(field))
    for field, values in load_contract().enum_fields().items()
)
