"""Every check passes on the reference mock's answer and fails, with its exact message, on a broken one."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from conformance.checks import REGISTRY, CheckFailure, NotApplicable, by_id
from conformance.checks.base import listed
from conformance.contract import load_contract
from conformance.secret import Secret
from conformance.transport.exchange import Exchange, SentRequest

LIVE_WITH_ROOMS = "6513270e-269e-4d37-b2a7-4de452e6b438"
ENDED = "90c192cf-d3ac-44af-8f21-ddb66cad4a26"


def session(edit: Any) -> Any:
    """An edit of the session object of a documented-edition body."""
    return lambda body: edit(body["data"]["session"])


def failure_body(body: Any) -> None:
    body.clear()
    body.update({"success": False, "error": {"code": 404, "message": "Session not found"}})


# check id -> (probe, how the answer is broken)
BROKEN: dict[str, tuple[str, dict[str, Any]]] = {
    "schema.envelope": (f"session:{LIVE_WITH_ROOMS}", {"edit": lambda b: b.__setitem__("data", {})}),
    "schema.body": (f"session:{LIVE_WITH_ROOMS}", {"edit": lambda b: b.__setitem__("success", "yes")}),
    "schema.required-fields": (f"session:{LIVE_WITH_ROOMS}", {"edit": session(lambda s: s.pop("created_at"))}),
    "schema.field-types": (f"session:{LIVE_WITH_ROOMS}", {"edit": session(lambda s: s.__setitem__("live_participants", "4"))}),
    "schema.timestamps": (f"session:{LIVE_WITH_ROOMS}", {"edit": session(lambda s: s.__setitem__("started_at", "2026-11-02 09:00"))}),
    "schema.breakout-rooms": (f"breakout:{LIVE_WITH_ROOMS}", {"edit": session(lambda s: s["breakout_rooms"][1].pop("status"))}),
    "enums.status": (f"session:{LIVE_WITH_ROOMS}", {"edit": session(lambda s: s.__setitem__("status", "PAUSED"))}),
    "enums.type": (f"session:{LIVE_WITH_ROOMS}", {"edit": session(lambda s: s.__setitem__("type", "webinar"))}),
    "semantics.echoes-path-parameters": (f"session:{ENDED}", {"edit": session(lambda s: s.__setitem__("organization_id", "other-app"))}),
    "semantics.present-only-when": (
        f"session:{LIVE_WITH_ROOMS}",
        {"edit": session(lambda s: s.__setitem__("ended_at", "2026-11-02T10:00:00Z"))},
    ),
    "semantics.chronology": (f"session:{ENDED}", {"edit": session(lambda s: s.__setitem__("ended_at", "2026-10-30T15:59:59.000Z"))}),
    "semantics.non-negative": (f"session:{ENDED}", {"edit": session(lambda s: s.__setitem__("minutes_consumed", -1))}),
    "semantics.at-most": (f"session:{LIVE_WITH_ROOMS}", {"edit": session(lambda s: s.__setitem__("live_participants", 7))}),
    "semantics.success-true": (f"session:{ENDED}", {"edit": lambda b: b.__setitem__("success", False)}),
    "transport.session-ok": (f"session:{ENDED}", {"status": 404, "edit": failure_body}),
    "params.max-length": ("too-long:account_id", {"status": 200}),
    "params.at-max-length": ("at-limit:app_id", {"status": 400}),
    "params.boolean-rejected": ("bad-boolean", {"status": 200}),
    "params.invalid-rejected": ("dotted-session-id", {"status": 200, "edition": "current"}),
    "params.breakout-rooms-array": (f"breakout:{ENDED}", {"edit": session(lambda s: s.pop("breakout_rooms"))}),
    "auth.rejected": ("auth:basic-scheme", {"status": 200}),
    "errors.unknown-session": ("unknown-session", {"status": 200}),
    "errors.method-not-allowed": ("method:POST", {"status": 200}),
    "errors.failure-body": ("auth:missing", {"raw": b'{"message": "Unauthorized"}'}),
    "errors.json-content-type": (f"session:{ENDED}", {"headers": {"content-type": "text/html"}}),
    "errors.no-server-error": ("unknown-session", {"status": 500}),
    "errors.documented-status": ("bad-boolean", {"status": 422}),
    "production.missing-credentials": ("auth:missing", {"status": 401}),
    "production.malformed-authorization": ("auth:empty-bearer", {"edit": lambda b: b["errors"][0].pop("error_chain")}),
    "production.invalid-token": ("auth:unknown-token", {"edit": failure_body}),
    "production.no-permission": ("at-limit:account_id", {"edit": lambda b: b["errors"][0].__setitem__("code", 9109)}),
    "production.unroutable-identifier": ("too-long:app_id", {"status": 404}),
    "production.unknown-session": ("unknown-session", {"raw": b'{"success": false, "errors": [{"code": 7000, "message": "No route"}]}'}),
}


def failure_of(check_id: str, exchange: Exchange, contract: Any) -> str:
    with pytest.raises(CheckFailure) as caught:
        by_id(check_id).run(exchange, contract)
    return str(caught.value)


def test_every_check_has_a_broken_case() -> None:
    assert sorted(BROKEN) == sorted(c.id for c in REGISTRY)


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_check_passes_on_the_reference_mock(check: Any, probes: Any, exchange_with: Any, contract: Any) -> None:
    judged = 0
    for edition in contract.editions:  # some rules judge what one edition alone rules out (a session_id that is no UUID)
        for name in [name for name, probe in probes.items() if check.applies_to(probe)]:
            with contextlib.suppress(NotApplicable):
                check.run(exchange_with(name, edition=edition), load_contract(edition))
                judged += 1
    assert judged  # a check that never looks at anything cannot fail


@pytest.mark.parametrize("check_id", sorted(BROKEN))
def test_check_fails_with_its_exact_message(check_id: str, exchange_with: Any) -> None:
    probe, breakage = BROKEN[check_id]
    edition = breakage.get("edition", "documented")
    assert failure_of(check_id, exchange_with(probe, **breakage), load_contract(edition)) == EXPECTED[check_id]


def test_no_response_fails_every_check(exchange_with: Any, contract: Any) -> None:
    sent = exchange_with("auth:missing").request
    lost = Exchange("auth:missing", sent, None, error="ConnectError: connection refused")
    message = failure_of("auth.rejected", lost, contract)
    assert message.splitlines()[:2] == ["[auth.rejected] no HTTP response", "Received: ConnectError: connection refused"]


def test_body_checks_do_not_apply_without_a_200(exchange_with: Any, contract: Any) -> None:
    with pytest.raises(NotApplicable, match="no 200 response to check"):
        by_id("schema.body").run(exchange_with(f"session:{ENDED}", status=404, edit=failure_body), contract)


def test_the_token_never_appears_in_a_failure(exchange_with: Any, contract: Any, data: Any) -> None:
    message = failure_of("auth.rejected", exchange_with("auth:no-scheme", status=200), contract)
    assert data.token not in message
    assert "$CLOUDFLARE_API_TOKEN" in message


def test_curl_line_quotes_the_url_and_redacts_the_token() -> None:
    sent = SentRequest("GET", "http://h/a?x=1", {"Authorization": "Bearer s3cret"}, {})
    assert sent.curl(Secret("s3cret")) == "curl -sS -X GET 'http://h/a?x=1' -H \"Authorization: Bearer $CLOUDFLARE_API_TOKEN\""


def test_every_error_of_one_kind_is_listed_in_one_failure(exchange_with: Any, contract: Any) -> None:
    """A vendor fixes every missing field in one pass: the failure names each, not the first."""
    broken = exchange_with(f"session:{ENDED}", edit=session(lambda s: [s.pop(f) for f in ("created_at", "updated_at", "type")]))
    with pytest.raises(CheckFailure) as caught:
        by_id("schema.required-fields").run(broken, contract)
    assert caught.value.title == "required field created_at is missing at /data/session, and 2 more"
    assert caught.value.errors == tuple(f"required field {f} is missing at /data/session" for f in ("created_at", "type", "updated_at"))
    assert caught.value.received.count("an object without ") == 3


def test_past_twenty_errors_the_rest_are_counted() -> None:
    assert listed([str(n) for n in range(25)]) == "; ".join(map(str, range(20))) + "; and 5 more"


def test_a_timestamp_that_is_not_rfc_3339_fails_the_timestamps_check_only(exchange_with: Any, contract: Any) -> None:
    """RFC 3339 is read from the examples (SHOULD): the whole-body schema check, a MUST, does not fail on it too."""
    broken = exchange_with(f"session:{ENDED}", edit=session(lambda s: s.__setitem__("created_at", "yesterday")))
    by_id("schema.body").run(broken, contract)
    with pytest.raises(CheckFailure):
        by_id("schema.timestamps").run(broken, contract)


def test_each_checks_level_follows_from_where_the_contract_says_its_rule_comes_from(contract: Any) -> None:
    """MUST only where the reference page, the official spec or an observed production answer says so."""
    binding = {"reference-page", "official-spec", "observed"}
    for check in REGISTRY:
        source = contract.rule_source(check.id)
        assert check.level == ("MUST" if binding & set(source.sources) else "SHOULD"), check.id
        assert source.why, check.id
    assert {c.id for c in REGISTRY if c.level == "SHOULD"} >= {"schema.timestamps", "errors.unknown-session", "errors.method-not-allowed"}


BASE = "http://127.0.0.1:1/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/realtime/kit/rtk-reference-mock-app-01/sessions/"
AUTH = '-H "Authorization: Bearer $CLOUDFLARE_API_TOKEN"'
EXPECTED: dict[str, str] = {
    "auth.rejected": (
        "[auth.rejected] a request with credentials 'basic-scheme' was not rejected with 400/401/403\n"
        'Received: HTTP 200 {"success": false, "errors": [{"code": 6003, "message": "Invalid request headers", "error_chain": [{"code": 6111, "message": "Invalid format for Authorization header"}]}], "messages": [], "result": null}\n'
        "Documented: Authorization: Bearer <token> only\n"
        "Contract: openapi/get-session-details.openapi.yaml#/components/securitySchemes/api_token\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 -H 'Authorization: Basic Y29uZm9ybWFuY2U6cHJvYmU='"
    ),
    "enums.status": (
        "[enums.status] status is not a documented value\n"
        'Received: "PAUSED" at /data/session/status\n'
        "Documented: one of LIVE, ENDED\n"
        "Contract: openapi/schemas/session.schema.json#/properties/status/enum\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "enums.type": (
        "[enums.type] type is not a documented value\n"
        'Received: "webinar" at /data/session/type\n'
        "Documented: one of meeting, livestream, participant\n"
        "Contract: openapi/schemas/session.schema.json#/properties/type/enum\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "errors.failure-body": (
        "[errors.failure-body] HTTP 400 did not come with a failure body\n"
        'Received: {"message": "Unauthorized"}\n'
        'Documented: {"success": false, "errors": [{"code", "message"}]} or {"success": false, "error": {"code", "message"}}\n'
        "Contract: openapi/schemas/failure.schema.json\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438"
    ),
    "errors.json-content-type": (
        "[errors.json-content-type] HTTP 200 is not a JSON response\n"
        'Received: Content-Type text/html: {"success": true, "data": {"session": {"id": "90c192cf-d3ac-44af-8f21-ddb66cad4a...\n'
        "Documented: application/json\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses\n"
        f"Request: curl -sS -X GET {BASE}90c192cf-d3ac-44af-8f21-ddb66cad4a26 {AUTH}"
    ),
    "errors.method-not-allowed": (
        "[errors.method-not-allowed] POST on the session path did not get 405\n"
        'Received: HTTP 200 {"success": false, "errors": [{"code": 7001, "message": "Method not allowed"}], "messages": [], "result": null}\n'
        "Documented: 405 (only GET is defined)\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/405\n"
        f"Request: curl -sS -X POST {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "errors.no-server-error": (
        "[errors.no-server-error] HTTP 500 server error\n"
        'Received: HTTP 500 {"success": false, "error": {"code": 404, "message": "Session not found"}}\n'
        "Documented: a 2xx or 4xx\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses\n"
        f"Request: curl -sS -X GET {BASE}00000000-0000-4000-8000-000000000000 {AUTH}"
    ),
    "errors.unknown-session": (
        "[errors.unknown-session] unknown session 00000000-0000-4000-8000-000000000000 did not get 404\n"
        'Received: HTTP 200 {"success": false, "error": {"code": 404, "message": "Session not found"}}\n'
        "Documented: 404 with a failure body\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/404\n"
        f"Request: curl -sS -X GET {BASE}00000000-0000-4000-8000-000000000000 {AUTH}"
    ),
    "params.at-max-length": (
        "[params.at-max-length] a 32-character app_id was rejected\n"
        'Received: HTTP 400 {"success": false, "error": {"code": 404, "message": "App not found"}}\n'
        "Documented: maxLength 32: allowed\n"
        "Contract: openapi/schemas/app-id.schema.json#/anyOf/0/maxLength\n"
        f"Request: curl -sS -X GET http://127.0.0.1:1/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/realtime/kit/ffffffffffffffffffffffffffffffff/sessions/6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "params.boolean-rejected": (
        "[params.boolean-rejected] include_breakout_rooms=maybe was not rejected with a 4xx\n"
        'Received: HTTP 200 {"success": false, "error": {"code": 400, "message": "include_breakout_rooms must be true or false"}}\n'
        "Documented: type boolean: a 4xx\n"
        "Contract: openapi/schemas/include-breakout-rooms.schema.json#/type\n"
        f"Request: curl -sS -X GET '{BASE}6513270e-269e-4d37-b2a7-4de452e6b438?include_breakout_rooms=maybe' {AUTH}"
    ),
    "params.breakout-rooms-array": (
        "[params.breakout-rooms-array] breakout_rooms is not an array although include_breakout_rooms=true\n"
        "Received: absent at /data/session/breakout_rooms\n"
        "Documented: breakout_rooms: an array\n"
        "Contract: openapi/schemas/session.schema.json#/properties/breakout_rooms\n"
        f"Request: curl -sS -X GET '{BASE}90c192cf-d3ac-44af-8f21-ddb66cad4a26?include_breakout_rooms=true' {AUTH}"
    ),
    "params.max-length": (
        "[params.max-length] a 33-character account_id (023e105f4ecef8ad9ca31a8372d0c353f) was not rejected with a 4xx\n"
        'Received: HTTP 200 {"success": false, "errors": [{"code": 7003, "message": "Could not route to /accounts/023e105f4ecef8ad9ca31a8372d0c353f/realtime/kit/rtk-reference-mock-app-01, perhaps your object identifier is invalid?"}], "messages": [], "result": null}\n'
        "Documented: maxLength 32: a 4xx\n"
        "Contract: openapi/schemas/account-id.schema.json#/maxLength\n"
        f"Request: curl -sS -X GET http://127.0.0.1:1/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353f/realtime/kit/rtk-reference-mock-app-01/sessions/6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "params.invalid-rejected": (
        "[params.invalid-rejected] session_id=not.a.session was not rejected with a 4xx\n"
        'Received: HTTP 200 {"success": false, "error": {"code": 404, "message": "Session not found"}}\n'
        "Documented: format uuid: a 4xx\n"
        "Contract: openapi/schemas/session-id.current.schema.json#/format\n"
        f"Request: curl -sS -X GET {BASE}not.a.session {AUTH}"
    ),
    "errors.documented-status": (
        "[errors.documented-status] HTTP 422 is not a status of this operation\n"
        'Received: HTTP 422 {"success": false, "error": {"code": 400, "message": "include_breakout_rooms must be true or false"}}\n'
        "Documented: 200, 400, 401, 403, 404, 405, 429\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses\n"
        f"Request: curl -sS -X GET '{BASE}6513270e-269e-4d37-b2a7-4de452e6b438?include_breakout_rooms=maybe' {AUTH}"
    ),
    "schema.body": (
        '[schema.body] /success: "yes" is not of type "boolean"\n'
        'Received: "yes" at /success\n'
        'Documented: "yes" is not of type "boolean"\n'
        "Contract: openapi/schemas/session-response.documented.schema.json#/properties/success/type\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "schema.breakout-rooms": (
        '[schema.breakout-rooms] breakout room at /data/session/breakout_rooms/1 is not a valid session ("status" is a required property)\n'
        "Received: an object without status at /data/session/breakout_rooms/1\n"
        'Documented: "status" is a required property\n'
        "Contract: openapi/schemas/session.schema.json#/required\n"
        f"Request: curl -sS -X GET '{BASE}6513270e-269e-4d37-b2a7-4de452e6b438?include_breakout_rooms=true' {AUTH}"
    ),
    "schema.envelope": (
        "[schema.envelope] the 200 body is in no edition: no session object where either edition puts it\n"
        'Received: {"data": {}, "success": true}\n'
        "Documented: documented edition: a session object at /data/session; current edition: a session object at /data\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/x-editions\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "schema.field-types": (
        "[schema.field-types] /data/session/live_participants has the wrong type\n"
        'Received: "4" at /data/session/live_participants\n'
        "Documented: type number\n"
        "Contract: openapi/schemas/session.schema.json#/properties/live_participants/type\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "schema.required-fields": (
        "[schema.required-fields] required field created_at is missing at /data/session\n"
        "Received: an object without created_at at /data/session\n"
        "Documented: required: id, associated_id, created_at, live_participants, max_concurrent_participants, meeting_display_name, minutes_consumed, organization_id, started_at, status, type, updated_at\n"
        "Contract: openapi/schemas/session.schema.json#/required\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "schema.timestamps": (
        "[schema.timestamps] /data/session/started_at is not an RFC 3339 timestamp\n"
        'Received: "2026-11-02 09:00" at /data/session/started_at\n'
        "Documented: format date-time (RFC 3339)\n"
        "Contract: openapi/schemas/session.schema.json#/properties/started_at/format\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "semantics.at-most": (
        "[semantics.at-most] live_participants exceeds max_concurrent_participants\n"
        "Received: live_participants 7 > max_concurrent_participants 6 at /data/session\n"
        "Documented: live_participants <= max_concurrent_participants\n"
        "Contract: openapi/schemas/session.schema.json#/properties/live_participants/x-semantics\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "semantics.chronology": (
        "[semantics.chronology] ended_at is before started_at\n"
        'Received: ended_at "2026-10-30T15:59:59.000Z" < started_at "2026-10-30T16:00:00.000Z" at /data/session\n'
        "Documented: ended_at >= started_at\n"
        "Contract: openapi/schemas/session.schema.json#/properties/ended_at/x-semantics\n"
        f"Request: curl -sS -X GET {BASE}90c192cf-d3ac-44af-8f21-ddb66cad4a26 {AUTH}"
    ),
    "semantics.echoes-path-parameters": (
        "[semantics.echoes-path-parameters] organization_id does not match the requested app_id\n"
        'Received: "other-app" at /data/session/organization_id\n'
        'Documented: organization_id == "rtk-reference-mock-app-01"\n'
        "Contract: openapi/schemas/session.schema.json#/properties/organization_id/x-semantics\n"
        f"Request: curl -sS -X GET {BASE}90c192cf-d3ac-44af-8f21-ddb66cad4a26 {AUTH}"
    ),
    "semantics.non-negative": (
        "[semantics.non-negative] minutes_consumed is below 0\n"
        "Received: -1 at /data/session/minutes_consumed\n"
        "Documented: minutes_consumed >= 0\n"
        "Contract: openapi/schemas/session.schema.json#/properties/minutes_consumed/x-semantics\n"
        f"Request: curl -sS -X GET {BASE}90c192cf-d3ac-44af-8f21-ddb66cad4a26 {AUTH}"
    ),
    "semantics.present-only-when": (
        '[semantics.present-only-when] ended_at is present at /data/session although status="LIVE"\n'
        'Received: "2026-11-02T10:00:00Z"\n'
        'Documented: ended_at present only when {"status": "ENDED"}\n'
        "Contract: openapi/schemas/session.schema.json#/properties/ended_at/x-semantics\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "semantics.success-true": (
        "[semantics.success-true] success is not true on a 200\n"
        "Received: false\n"
        "Documented: success: true\n"
        "Contract: openapi/schemas/session-response.documented.schema.json#/properties/success/x-semantics\n"
        f"Request: curl -sS -X GET {BASE}90c192cf-d3ac-44af-8f21-ddb66cad4a26 {AUTH}"
    ),
    "transport.session-ok": (
        "[transport.session-ok] no 200 response for session 90c192cf-d3ac-44af-8f21-ddb66cad4a26\n"
        'Received: HTTP 404 {"success": false, "error": {"code": 404, "message": "Session not found"}}\n'
        "Documented: 200 with the session\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/200\n"
        f"Request: curl -sS -X GET {BASE}90c192cf-d3ac-44af-8f21-ddb66cad4a26 {AUTH}"
    ),
    "production.missing-credentials": (
        "[production.missing-credentials] missing credentials: Cloudflare answers 400 with code 9106; this target answered 401 with code 9106\n"
        'Received: HTTP 401 {"success": false, "errors": [{"code": 9106, "message": "Missing X-Auth-Key, X-Auth-Email or Authorization headers"}], "messages": [], "result": null}\n'
        "Documented: 400 with code 9106 (observed)\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/400/content/application~1json/examples/missing-credentials\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438"
    ),
    "production.malformed-authorization": (
        "[production.malformed-authorization] malformed Authorization header: Cloudflare answers 400 with code 6003 (error_chain 6111); this target answered 400 with code 6003\n"
        'Received: HTTP 400 {"success": false, "errors": [{"code": 6003, "message": "Invalid request headers"}], "messages": [], "result": null}\n'
        "Documented: 400 with code 6003 (error_chain 6111) (observed)\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/400/content/application~1json/examples/malformed-authorization\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 -H 'Authorization: Bearer'"
    ),
    "production.invalid-token": (
        "[production.invalid-token] invalid or revoked token: Cloudflare answers 403 with code 9109; this target answered 403 with the RealtimeKit error body\n"
        'Received: HTTP 403 {"success": false, "error": {"code": 404, "message": "Session not found"}}\n'
        "Documented: 403 with code 9109 (observed)\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/403/content/application~1json/examples/invalid-token\n"
        f"Request: curl -sS -X GET {BASE}6513270e-269e-4d37-b2a7-4de452e6b438 -H 'Authorization: Bearer rtk-conformance-unknown-token-00000000000'"
    ),
    "production.no-permission": (
        "[production.no-permission] token without permission for this account: Cloudflare answers 403 with code 10000; this target answered 403 with code 9109\n"
        'Received: HTTP 403 {"success": false, "errors": [{"code": 9109, "message": "Authentication error"}], "messages": [], "result": null}\n'
        "Documented: 403 with code 10000 (observed)\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/403/content/application~1json/examples/no-permission\n"
        f"Request: curl -sS -X GET http://127.0.0.1:1/client/v4/accounts/ffffffffffffffffffffffffffffffff/realtime/kit/rtk-reference-mock-app-01/sessions/6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "production.unroutable-identifier": (
        "[production.unroutable-identifier] identifier the gateway cannot route: Cloudflare answers 400 with code 7003; this target answered 404 with code 7003\n"
        'Received: HTTP 404 {"success": false, "errors": [{"code": 7003, "message": "Could not route to /accounts/023e105f4ecef8ad9ca31a8372d0c353/realtime/kit/rtk-reference-mock-app-01ffffffff, perhaps your object identifier is invalid?"}], "messages": [], "result": null}\n'
        "Documented: 400 with code 7003 (observed)\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/400/content/application~1json/examples/unroutable-identifier\n"
        f"Request: curl -sS -X GET http://127.0.0.1:1/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/realtime/kit/rtk-reference-mock-app-01ffffffff/sessions/6513270e-269e-4d37-b2a7-4de452e6b438 {AUTH}"
    ),
    "production.unknown-session": (
        "[production.unknown-session] unknown session: Cloudflare is inferred to answer 404 with the RealtimeKit error body; this target answered 404 with code 7000\n"
        'Received: HTTP 404 {"success": false, "errors": [{"code": 7000, "message": "No route"}]}\n'
        "Documented: 404 with the RealtimeKit error body (inferred)\n"
        "Contract: openapi/get-session-details.openapi.yaml#/paths/~1accounts~1{account_id}~1realtime~1kit~1{app_id}~1sessions~1{session_id}/get/responses/404/content/application~1json/examples/unknown-session\n"
        f"Request: curl -sS -X GET {BASE}00000000-0000-4000-8000-000000000000 {AUTH}"
    ),
}
