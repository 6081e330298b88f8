"""params, auth, errors and transport: rules about the status a probe gets and the body that comes with it."""

from __future__ import annotations

from conformance.checks.base import CheckFailure, NotApplicable, received_status, rule, show_key
from conformance.checks.body import ALL_PROBES, BODY_PROBES, FAILURE_PROBES, session_of
from conformance.checks.request import MALFORMED, Violation, contested_rejection, owned
from conformance.contract import Contract
from conformance.transport.exchange import NO_JSON, Exchange

# Where a failure is the expected answer, and any generated case (configured sessions answer 200).
FAILURES = (*FAILURE_PROBES, "at-limit", "odd-id", "property")


def responses(contract: Contract, code: int | None = None) -> str:
    """Pointer to the declared responses, or to one of them."""
    return f"{contract.operation_pointer}/responses" + (f"/{code}" if code else "")


def status(exchange: Exchange) -> int:
    assert exchange.response is not None  # Check.run answers exchanges without a response
    return exchange.response.status


def require_status(exchange: Exchange, contract: Contract, allowed: set[int] | range, title: str, documented: str, pointer: str) -> None:
    if status(exchange) not in allowed:
        not_contested(exchange, contract)
        raise CheckFailure(title, received_status(exchange), documented, pointer)


def not_contested(exchange: Exchange, contract: Contract) -> None:
    """A rejection of a request that follows a documented contradiction is the documentation's side of it: no rule
    expecting another status holds it against the target (the form of the rejection is still judged)."""
    contested = contested_rejection(exchange, contract)
    if contested:
        raise NotApplicable(f"HTTP {status(exchange)} follows the documentation's side of a contradiction: {contested[0].brief()}")


def rejected(exchange: Exchange, contract: Contract, check_id: str) -> None:
    """A request that breaks the contract in a way check `check_id` judges was rejected with a 4xx: each such way is
    named with its value, so a generated case says what made it."""
    broken = owned(exchange, contract, check_id)
    if not broken:
        raise NotApplicable("the request breaks none of the rules this check judges")
    if not 400 <= status(exchange) < 500:
        errors = tuple(f"{_named(v)} was not rejected with a 4xx" for v in broken)
        raise CheckFailure(errors[0], received_status(exchange), broken[0].documented, broken[0].contract, errors)


@rule("transport.session-ok", "transport", "a configured session fetched with a valid token answers 200", BODY_PROBES)
def session_ok(exchange: Exchange, contract: Contract) -> None:
    session_id = exchange.request.path_params["session_id"]
    require_status(exchange, contract, {200}, f"no 200 response for session {session_id}", "200 with the session", responses(contract, 200))


@rule("params.max-length", "params", "an id longer than its maxLength gets a 4xx, never a 2xx or 5xx", ("too-long", "property"))
def max_length(exchange: Exchange, contract: Contract) -> None:
    rejected(exchange, contract, "params.max-length")


@rule(
    "params.at-max-length",
    "params",
    "an id of exactly maxLength is not rejected as malformed (400, 422) nor answered 5xx",
    ("at-limit",),
)
def at_max_length(exchange: Exchange, contract: Contract) -> None:
    name = exchange.probe.partition(":")[2]
    limit = contract.max_lengths()[name]
    if status(exchange) in MALFORMED or status(exchange) >= 500:
        not_contested(exchange, contract)
        pointer = contract.parameter_pointer(name, "maxLength")
        raise CheckFailure(f"a {limit}-character {name} was rejected", received_status(exchange), f"maxLength {limit}: allowed", pointer)


@rule("params.boolean-rejected", "params", "a non-boolean include_breakout_rooms gets a 4xx", ("bad-boolean", "property"))
def boolean_rejected(exchange: Exchange, contract: Contract) -> None:
    rejected(exchange, contract, "params.boolean-rejected")


@rule(
    "params.invalid-rejected",
    "params",
    "any other value that breaks its parameter's schema (a session_id that is no UUID in the current edition) gets a 4xx",
    ("odd-id", "property"),
)
def invalid_rejected(exchange: Exchange, contract: Contract) -> None:
    rejected(exchange, contract, "params.invalid-rejected")


@rule("params.breakout-rooms-array", "params", "include_breakout_rooms=true yields a breakout_rooms array", ("breakout",))
def breakout_rooms_array(exchange: Exchange, contract: Contract) -> None:
    field = contract.nested_sessions_field
    session = session_of(exchange, contract)
    if not isinstance(session.get(field), list):
        title = f"{field} is not an array although {contract.breakout_rooms_parameter}=true"
        received = f"{show_key(session, field)} at {contract.session_pointer}/{field}"
        raise CheckFailure(title, received, f"{field}: an array", contract.session_property_pointer(field))


@rule("auth.rejected", "auth", "a request without a valid Bearer token gets 400, 401 or 403, never a 2xx", ("auth",))
def auth_rejected(exchange: Exchange, contract: Contract) -> None:
    credentials = exchange.probe.partition(":")[2]
    title = f"a request with credentials '{credentials}' was not rejected with 400/401/403"
    require_status(exchange, contract, {400, 401, 403}, title, "Authorization: Bearer <token> only", contract.security_pointer)


@rule("errors.unknown-session", "errors", "an unknown session id gets 404", ("unknown-session",))
def unknown_session(exchange: Exchange, contract: Contract) -> None:
    session_id = exchange.request.path_params["session_id"]
    require_status(
        exchange, contract, {404}, f"unknown session {session_id} did not get 404", "404 with a failure body", responses(contract, 404)
    )


@rule("errors.method-not-allowed", "errors", "POST, PUT, PATCH and DELETE on the path get 405, never a 2xx", ("method", "property"))
def method_not_allowed(exchange: Exchange, contract: Contract) -> None:
    if not owned(exchange, contract, "errors.method-not-allowed"):
        raise NotApplicable("a GET")
    title = f"{exchange.request.method} on the session path did not get 405"
    require_status(exchange, contract, {405}, title, "405 (only GET is defined)", responses(contract, 405))
    assert exchange.response is not None
    if "allow" not in exchange.response.headers:  # HTTP itself (RFC 9110) asks a 405 to say what is allowed
        title = f"{exchange.request.method} got 405 without an Allow header"
        raise CheckFailure(title, received_status(exchange), "405 with Allow: GET", f"{responses(contract, 405)}/headers/Allow")


@rule("errors.failure-body", "errors", "every 4xx/5xx is a Cloudflare v4 envelope or a RealtimeKit error body", FAILURES)
def failure_body(exchange: Exchange, contract: Contract) -> None:
    assert exchange.response is not None
    if exchange.response.status < 400:
        raise NotApplicable(f"HTTP {exchange.response.status} is no failure")
    body = exchange.response.json
    errors = contract.validate_failure(body) if body is not NO_JSON else []
    if body is NO_JSON or errors:
        title = f"HTTP {status(exchange)} did not come with a failure body"
        documented = '{"success": false, "errors": [{"code", "message"}]} or {"success": false, "error": {"code", "message"}}'
        raise CheckFailure(title, exchange.response.excerpt(), documented, "openapi/schemas/failure.schema.json")


@rule("errors.json-content-type", "errors", "every response is JSON sent as application/json", ALL_PROBES)
def json_content_type(exchange: Exchange, contract: Contract) -> None:
    assert exchange.response is not None
    media_type = exchange.response.content_type.split(";")[0].strip().lower()
    if media_type != "application/json" or exchange.response.json is NO_JSON:
        received = f"Content-Type {exchange.response.content_type or '(none)'}: {exchange.response.excerpt(80)}"
        raise CheckFailure(f"HTTP {status(exchange)} is not a JSON response", received, "application/json", responses(contract))


@rule("errors.no-server-error", "errors", "no request of the suite gets a 5xx", ALL_PROBES)
def no_server_error(exchange: Exchange, contract: Contract) -> None:
    require_status(exchange, contract, range(100, 500), f"HTTP {status(exchange)} server error", "a 2xx or 4xx", responses(contract))


@rule("errors.documented-status", "errors", "every answer has a status the contract records for this operation", ALL_PROBES)
def documented_status(exchange: Exchange, contract: Contract) -> None:
    if status(exchange) >= 500:
        raise NotApplicable(f"HTTP {status(exchange)}: errors.no-server-error reports it")
    recorded = sorted({*contract.valid_request_statuses(), *contract.failure_statuses(), 200})
    if status(exchange) not in recorded:
        shown = ", ".join(map(str, recorded))
        raise CheckFailure(
            f"HTTP {status(exchange)} is not a status of this operation", received_status(exchange), shown, responses(contract)
        )


SHOWN_VALUE = 40  # characters of a value a failure names; the request line has it whole


def _named(violation: Violation) -> str:
    """The parameter and value that break the contract, as a failure names them."""
    value = violation.value if len(violation.value) <= SHOWN_VALUE else violation.value[: SHOWN_VALUE - 3] + "..."
    if violation.keyword == "maxLength":
        return f"a {len(violation.value)}-character {violation.parameter} ({value})"
    if violation.keyword == "path":
        return f"the path {value}"
    if violation.keyword == "duplicate":
        return f"{violation.parameter} {violation.message}"
    return f"{violation.parameter}={value}"


CHECKS = (
    session_ok,
    max_length,
    at_max_length,
    boolean_rejected,
    invalid_rejected,
    breakout_rooms_array,
    auth_rejected,
    unknown_session,
    method_not_allowed,
    failure_body,
    json_content_type,
    no_server_error,
    documented_status,
)
