"""enums: one check per enum field of the session, generated from the contract."""

from __future__ import annotations

from conformance.checks.base import CheckFunction, rule
from conformance.checks.body import SESSION_BODIES
from conformance.checks.schema import fail_with, schema_errors
from conformance.contract import Contract, load_contract
from conformance.transport.exchange import Exchange


def enum_check(field: str) -> CheckFunction:
    def check(exchange: Exchange, contract: Contract) -> None:
        errors = schema_errors(exchange, contract, f"enums.{field}")
        if errors:
            titles = [f"{field} is not a documented value" for _ in errors]
            raise fail_with(errors, titles, f"one of {', '.join(errors[0].detail['options'])}")

    return check


# One check per enum field of the session, in the contract's order.
CHECKS = tuple(
    rule(f"enums.{field}", "enums", f"{field} is one of {', '.join(values)}", SESSION_BODIES)(enum_check(field))
    for field, values in load_contract().enum_fields().items()
)
