"""params, auth, errors and transport: rules about the status a probe gets and the body that comes with it."""

from __future__ import annotations

from conformance.checks.base import CheckFailure, NotApplicable, received_status, rule, show
from conformance.checks.body import ALL_PROBES, BODY_PROBES, FAILURE_PROBES, session_of
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


def require_status(exchange: Exchange, allowed: set[int] | range, title: str, documented: str, contract: str) -> None:
    if status(exchange) not in allowed:
        raise CheckFailure(title, received_status(exchange), documented, contract)


@rule("transport.session-ok", "transport", "a configured session fetched with a valid token answers 200", BODY_PROBES)
def session_ok(exchange: Exchange, contract: Contract) -> None:
    session_id = exchange.request.path_params["session_id"]
    require_status(exchange, {200}, f"no 200 response for session {session_id}", "200 with the session", responses(contract, 200))


@rule("params.max-length", "params", "an id longer than its maxLength gets a 4xx, never a 2xx or 5xx", ("too-long",))
def max_length(exchange: Exchange, contract: Contract) -> None:
    name = exchange.probe.partition(":")[2]
    limit = contract.max_lengths()[name]
    title = f"a {limit + 1}-character {name} was not rejected with a 4xx"
    require_status(exchange, range(400, 500), title, f"maxLength {limit}: a 4xx", contract.parameter_pointer(name, "maxLength"))


@rule(
    "params.at-max-length",
    "params",
    "an id of exactly maxLength is not rejected as malformed (400, 422) nor answered 5xx",
    ("at-limit",),
)
def at_max_length(exchange: Exchange, contract: Contract) -> None:
    name = exchange.probe.partition(":")[2]
    limit = contract.max_lengths()[name]
    if status(exchange) in (400, 422) or status(exchange) >= 500:
        pointer = contract.parameter_pointer(name, "maxLength")
        raise CheckFailure(f"a {limit}-character {name} was rejected", received_status(exchange), f"maxLength {limit}: allowed", pointer)


@rule("params.boolean-rejected", "params", "a non-boolean include_breakout_rooms gets a 4xx", ("bad-boolean",))
def boolean_rejected(exchange: Exchange, contract: Contract) -> None:
    name = contract.breakout_rooms_parameter
    title = f"{name}={exchange.request.query[name]} was not rejected with a 4xx"
    require_status(exchange, range(400, 500), title, "type boolean: a 4xx for anything else", contract.parameter_pointer(name, "type"))


@rule("params.breakout-rooms-array", "params", "include_breakout_rooms=true yields a breakout_rooms array", ("breakout",))
def breakout_rooms_array(exchange: Exchange, contract: Contract) -> None:
    field = contract.nested_sessions_field
    session = session_of(exchange, contract)
    if not isinstance(session.get(field), list):
        title = f"{field} is not an array although {contract.breakout_rooms_parameter}=true"
        received = f"{show(session.get(field))} at {contract.session_pointer}/{field}"
        raise CheckFailure(title, received, f"{field}: an array", contract.session_property_pointer(field))


@rule("auth.rejected", "auth", "a request without a valid Bearer token gets 400, 401 or 403, never a 2xx", ("auth",))
def auth_rejected(exchange: Exchange, contract: Contract) -> None:
    credentials = exchange.probe.partition(":")[2]
    title = f"a request with credentials '{credentials}' was not rejected with 400/401/403"
    require_status(exchange, {400, 401, 403}, title, "Authorization: Bearer <token> only", contract.security_pointer)


@rule("errors.unknown-session", "errors", "an unknown session id gets 404", ("unknown-session",))
def unknown_session(exchange: Exchange, contract: Contract) -> None:
    session_id = exchange.request.path_params["session_id"]
    require_status(exchange, {404}, f"unknown session {session_id} did not get 404", "404 with a failure body", responses(contract, 404))


@rule("errors.method-not-allowed", "errors", "POST, PUT, PATCH and DELETE on the path get 405, never a 2xx", ("method",))
def method_not_allowed(exchange: Exchange, contract: Contract) -> None:
    title = f"{exchange.request.method} on the session path did not get 405"
    require_status(exchange, {405}, title, "405 (only GET is defined)", responses(contract, 405))


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
    require_status(exchange, range(100, 500), f"HTTP {status(exchange)} server error", "a 2xx or 4xx", responses(contract))


CHECKS = (
    session_ok,
    max_length,
    at_max_length,
    boolean_rejected,
    breakout_rooms_array,
    auth_rejected,
    unknown_session,
    method_not_allowed,
    failure_body,
    json_content_type,
    no_server_error,
)
