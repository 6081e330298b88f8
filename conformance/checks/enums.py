"""enums: one check per enum field of the session, generated from the contract."""

from __future__ import annotations

from conformance.checks.base import Check, CheckFunction, register_check
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


for _field, _values in load_contract().enum_fields().items():
    register_check(
        Check(f"enums.{_field}", "enums", "MUST", f"{_field} is one of {', '.join(_values)}", SESSION_BODIES, enum_check(_field))
    )
