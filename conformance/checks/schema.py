"""schema: the 200 body has the documented shape. Each error of the body against the edition's schema is one check's
(`owner`), so that one defect is reported once: a format anywhere is the timestamps check's; anything wrong in a
breakout room, the breakout rooms check's; in the session, a missing field, a wrong type or an undocumented value is
the required-fields, field-types or enums check's; the rest (the envelope around the session, any other constraint)
the whole-body check's."""

from __future__ import annotations

from conformance.checks.base import CheckFailure, listed, rule, show
from conformance.checks.body import SESSION_BODIES, editions_of, ok_body, session_of
from conformance.contract import Contract, SchemaError
from conformance.transport.exchange import Exchange

FORMAT = "format"  # formats are the documentation's examples, not its schema: schema.timestamps checks them, at its own level
IN_SESSION = {"required": "schema.required-fields", "type": "schema.field-types"}  # and "enum": enums.<field>


def owner(error: SchemaError, contract: Contract) -> str:
    """The id of the check that reports this schema error."""
    rooms = f"{contract.session_pointer}/{contract.nested_sessions_field}/"
    if error.keyword == FORMAT:
        return "schema.timestamps"
    if error.pointer.startswith(rooms):
        return "schema.breakout-rooms"
    in_session = error.pointer == contract.session_pointer or error.pointer.startswith(contract.session_pointer + "/")
    if in_session and error.keyword == "enum":
        return "enums." + error.pointer.rsplit("/", 1)[-1]
    return IN_SESSION.get(error.keyword, "schema.body") if in_session else "schema.body"


def schema_errors(exchange: Exchange, contract: Contract, check_id: str) -> list[SchemaError]:
    """The errors of the 200 body against the edition's schema that check `check_id` reports."""
    session_of(exchange, contract)  # nothing to say about a body without a session: schema.envelope does
    return [e for e in contract.validate_body(ok_body(exchange)) if owner(e, contract) == check_id]


def received_at(error: SchemaError) -> str:
    if error.keyword == "required":  # the value is the whole object: name what it lacks instead
        return f"an object without {error.detail['property']} at {error.pointer or '/'}"
    return f"{show(error.value)} at {error.pointer or '/'}"


def fail_with(errors: list[SchemaError], titles: list[str], documented: str) -> CheckFailure:
    """One failure for every error of one kind: the first's title when it is alone, a count otherwise; each error
    listed (received and where), up to MAX_ERRORS."""
    title = titles[0] if len(titles) == 1 else f"{titles[0]}, and {len(titles) - 1} more"
    return CheckFailure(title, listed([received_at(e) for e in errors]), documented, errors[0].contract, tuple(titles))


@rule("schema.envelope", "schema", "a 200 body is a JSON object with the session where the edition puts it", SESSION_BODIES)
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


@rule("schema.body", "schema", "the rest of the 200 body validates: success, data, every constraint no other check covers", SESSION_BODIES)
def body(exchange: Exchange, contract: Contract) -> None:
    errors = schema_errors(exchange, contract, "schema.body")
    if errors:
        titles = [f"{e.pointer or '/'}: {e.message}" for e in errors]
        raise fail_with(errors, titles, listed(sorted({e.message for e in errors})))


@rule("schema.required-fields", "schema", "every required session field is present", SESSION_BODIES)
def required_fields(exchange: Exchange, contract: Contract) -> None:
    errors = schema_errors(exchange, contract, "schema.required-fields")
    if errors:
        titles = [f"required field {e.detail['property']} is missing at {e.pointer}" for e in errors]
        raise fail_with(errors, titles, f"required: {', '.join(contract.session['required'])}")


@rule("schema.field-types", "schema", "every session field has its documented JSON type", SESSION_BODIES)
def field_types(exchange: Exchange, contract: Contract) -> None:
    errors = schema_errors(exchange, contract, "schema.field-types")
    if errors:
        titles = [f"{e.pointer} has the wrong type" for e in errors]
        raise fail_with(errors, titles, f"type {' or '.join(errors[0].detail['types'])}")


@rule("schema.timestamps", "schema", "timestamps are RFC 3339 date-times", SESSION_BODIES)
def timestamps(exchange: Exchange, contract: Contract) -> None:
    errors = schema_errors(exchange, contract, "schema.timestamps")
    if errors:
        titles = [f"{e.pointer} is not an RFC 3339 timestamp" for e in errors]
        raise fail_with(errors, titles, f"format {errors[0].detail['format']} (RFC 3339)")


@rule("schema.breakout-rooms", "schema", "each breakout room validates as a session", ("breakout", "property"))
def breakout_rooms(exchange: Exchange, contract: Contract) -> None:
    errors = schema_errors(exchange, contract, "schema.breakout-rooms")
    if errors:
        titles = [f"breakout room at {e.pointer} is not a valid session ({e.message})" for e in errors]
        raise fail_with(errors, titles, listed(sorted({e.message for e in errors})))


CHECKS = (envelope, body, required_fields, field_types, timestamps, breakout_rooms)
