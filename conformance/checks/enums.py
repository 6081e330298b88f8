"""enums: one check per enum field of the session, generated from the contract."""

from __future__ import annotations

from conformance.checks.base import Check, CheckFunction
from conformance.checks.body import SESSION_BODIES
from conformance.checks.schema import fail_with, schema_errors
from conformance.contract import Contract, load_contract
from conformance.transport.exchange import Exchange


def enum_check(field: str) -> CheckFunction:
    def check(exchange: Exchange, contract: Contract) -> None:
        for error in schema_errors(exchange, contract, "enum"):
            if error.pointer.rsplit("/", 1)[-1] == field:
                raise fail_with(error, f"{field} is not a documented value", f"one of {', '.join(error.detail['options'])}")

    return check


# One check per enum field of the session, in the contract's order.
CHECKS = tuple(
    Check(f"enums.{field}", "enums", "MUST", f"{field} is one of {', '.join(values)}", SESSION_BODIES, enum_check(field))
    for field, values in load_contract().enum_fields().items()
)
