"""schema: the 200 body has the documented shape. Each check reads one kind of schema error."""

from __future__ import annotations

from conformance.checks.base import CheckFailure, rule, show
from conformance.checks.body import SESSION_BODIES, editions_of, ok_body, session_of
from conformance.contract import Contract, SchemaError
from conformance.transport.exchange import Exchange


def schema_errors(exchange: Exchange, contract: Contract, keyword: str = "") -> list[SchemaError]:
    """Errors of the 200 body against the edition's schema, optionally of one keyword only."""
    session_of(exchange, contract)  # nothing to say about a body without a session: schema.envelope does
    errors = contract.validate_body(ok_body(exchange))
    return [e for e in errors if not keyword or e.keyword == keyword]


def fail_with(error: SchemaError, title: str, documented: str) -> CheckFailure:
    where = error.pointer or "/"
    if error.keyword == "required":  # the value is the whole object: name what it lacks instead
        received = f"an object without {error.detail['property']} at {where}"
    else:
        received = f"{show(error.value)} at {where}"
    return CheckFailure(title, received, documented, error.contract)


@rule("schema.envelope", "schema", "MUST", "a 200 body is a JSON object with the session where the edition puts it", SESSION_BODIES)
def envelope(exchange: Exchange, contract: Contract) -> None:
    body = ok_body(exchange)
    served = editions_of(body, contract)
    if contract.edition in served:
        return
    if served:  # one explanation, instead of a missing-field failure per field
        other = contract.editions[served[0]]
        title = f"this target serves the {served[0]} edition ({other['summary']}), not the {contract.edition} edition this run checks"
        documented = f"a session object at {contract.session_pointer} ({contract.edition} edition); run with --edition {served[0]} or auto"
        raise CheckFailure(title, show(body), documented, contract.response_pointer)
    shapes = "; ".join(f"{name} edition: a session object at {e['session_pointer']}" for name, e in contract.editions.items())
    title = "the 200 body is in no edition: no session object where either edition puts it"
    raise CheckFailure(title, show(body), shapes, f"{contract.operation_pointer}/x-editions")


@rule("schema.body", "schema", "MUST", "the whole 200 body validates against the edition's response schema", SESSION_BODIES)
def body(exchange: Exchange, contract: Contract) -> None:
    errors = schema_errors(exchange, contract)
    if errors:
        first = errors[0]
        raise fail_with(first, f"the 200 body breaks the schema in {len(errors)} place(s)", first.message)


@rule("schema.required-fields", "schema", "MUST", "every required session field is present", SESSION_BODIES)
def required_fields(exchange: Exchange, contract: Contract) -> None:
    for error in schema_errors(exchange, contract, "required"):
        title = f"required field {error.detail['property']} is missing at {error.pointer}"
        raise fail_with(error, title, f"required: {', '.join(contract.session['required'])}")


@rule("schema.field-types", "schema", "MUST", "every field has its documented JSON type", SESSION_BODIES)
def field_types(exchange: Exchange, contract: Contract) -> None:
    for error in schema_errors(exchange, contract, "type"):
        raise fail_with(error, f"{error.pointer} has the wrong type", f"type {' or '.join(error.detail['types'])}")


@rule("schema.timestamps", "schema", "MUST", "timestamps are RFC 3339 date-times", SESSION_BODIES)
def timestamps(exchange: Exchange, contract: Contract) -> None:
    for error in schema_errors(exchange, contract, "format"):
        raise fail_with(error, f"{error.pointer} is not an RFC 3339 timestamp", f"format {error.detail['format']} (RFC 3339)")


@rule("schema.breakout-rooms", "schema", "MUST", "each breakout room validates as a session", ("breakout", "property"))
def breakout_rooms(exchange: Exchange, contract: Contract) -> None:
    rooms = f"{contract.session_pointer}/{contract.nested_sessions_field}/"
    for error in schema_errors(exchange, contract):
        if error.pointer.startswith(rooms):
            raise fail_with(error, f"breakout room at {error.pointer} is not a valid session", error.message)


CHECKS = (envelope, body, required_fields, field_types, timestamps, breakout_rooms)
