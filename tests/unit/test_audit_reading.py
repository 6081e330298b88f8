"""The audit's readers: recordings made by real tools (tests/fixtures/audit/, each README says how) read into
exchanges; each file known by its content; stubs asked the operation's requests and the variants production refuses;
every file that cannot be read refused in one line, byte for byte."""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.audit.formats.asking import REFERENCE_IDS, STAND_IN_AUTHORIZATION
from conformance.audit.formats.vcr import UNSEEN_CREDENTIALS
from conformance.audit.reading import read_path
from conformance.audit.recorded import Recorded, UnreadableFile
from tests.conftest import FIXTURES, ROOT

AUDIT = FIXTURES / "audit"
ACCOUNT, APP, SESSION = REFERENCE_IDS
PATH = f"/client/v4/accounts/{ACCOUNT}/realtime/kit/{APP}/sessions/{SESSION}"
ROUTE = "route r1 (ALL /client/v4/accounts/:account_id/realtime/kit/:app_id/sessions/:session_id)"
SKIPPED = "not a recording this audit reads (HAR, vcrpy cassette, WireMock mapping, Mockoon environment, NDJSON)"
TOO_LONG = {
    "account": PATH.replace(ACCOUNT, ACCOUNT + "f"),
    "app": PATH.replace(APP, (APP + "f" * 33)[:33]),
    "session": PATH.replace(SESSION, SESSION[:33]),
}
BREAKOUT_YES = PATH + "?include_breakout_rooms=yes"


def read(path: Path, **kwargs: Any) -> list[Recorded]:
    exchanges, _ = read_path(path, **kwargs)
    return exchanges


def refusal(path: Path, **kwargs: Any) -> str:
    with pytest.raises(UnreadableFile) as refused:
        read_path(path, **kwargs)
    return str(refused.value)


def written(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def json_of(exchange: Recorded) -> Any:
    return json.loads(exchange.body)


# HAR: Chromium through Playwright


def test_a_har_recorded_by_chromium_gives_each_entry_with_its_decoded_body() -> None:
    found = read(AUDIT / "har" / "chromium-playwright.har")
    assert [(e.location, e.method, e.status) for e in found] == [("entry 0", "GET", 200), ("entry 1", "GET", 400), ("entry 2", "GET", 200)]
    session, missing, breakout = found
    assert session.url.startswith("http://127.0.0.1:") and session.url.endswith(PATH)
    assert session.headers["authorization"] == "Bearer rtk-mock-token-realtime-3f9d2c7b1a6e4d08"  # names in lower case
    assert json_of(session)["data"]["session"]["id"] == SESSION
    assert session.response_headers["content-type"] == "application/json" and session.body_known
    assert "authorization" not in missing.headers and json_of(missing)["errors"][0]["code"] == 9106
    assert breakout.url.endswith("?include_breakout_rooms=true") and len(json_of(breakout)["data"]["session"]["breakout_rooms"]) == 2


def test_a_file_is_known_by_its_content_not_its_name(tmp_path: Path) -> None:
    renamed = shutil.copy(AUDIT / "har" / "chromium-playwright.har", tmp_path / "notes.txt")
    written(tmp_path, "settings.json", {"theme": "dark", "request": "not one"})
    written(tmp_path, "empty.har", "")
    written(tmp_path, os.fsdecode(b"odd\nname\xff.bin"), b"\xff\xfe")  # a name that is not UTF-8, content that is no text
    exchanges, notes = read_path(tmp_path)
    assert [(e.source, e.location) for e in exchanges] == [(str(renamed), f"entry {n}") for n in range(3)]
    odd = f"{tmp_path}/odd\\nname\\xff.bin"  # a name's control characters and bytes escaped, as everything it prints
    assert notes == [f"{tmp_path}/empty.har: {SKIPPED}", f"{odd}: {SKIPPED}", f"{tmp_path}/settings.json: {SKIPPED}"]


def test_one_line_is_an_ndjson_exchange_unless_it_says_it_is_a_wiremock_mapping(tmp_path: Path) -> None:
    exchange = {"request": {"method": "GET", "url": PATH}, "response": {"status": 200, "body": "{}"}}
    stub = {"request": {"method": "GET", "urlPath": PATH}, "response": {"status": 200, "body": "{}"}}
    assert [e.location for e in read(written(tmp_path, "one.json", exchange))] == ["line 1"]
    assert {e.location for e in read(written(tmp_path, "stub.json", stub))} == {"mapping 0"}
    assert {e.location for e in read(written(tmp_path, "pretty.json", json.dumps(exchange, indent=2)))} == {"mapping 0"}


def test_a_har_body_in_base64_is_decoded_and_an_entry_without_an_answer_is_a_note(tmp_path: Path) -> None:
    har = {"log": {"version": "1.2", "entries": [
        {"request": {"method": "get", "url": PATH, "headers": [{"name": "X-Twice", "value": "a"}, {"name": "x-twice", "value": "b"}]},
         "response": {"status": 200, "headers": [{"name": "Content-Encoding", "value": "gzip"}, {"name": "Content-Length", "value": "9"}],
                      "content": {"size": 2, "text": "e30=", "encoding": "base64"}}},
        {"request": {"method": "GET", "url": PATH}, "response": {"status": 0, "_error": "net::ERR_FAILED", "content": {}}},
        {"request": {"method": "GET", "url": PATH}, "response": {"status": 200, "content": {"size": 420, "mimeType": "application/json"}}},
    ]}}  # fmt: skip
    exchanges, notes = read_path(written(tmp_path, "x.har", har))
    decoded, unrecorded = exchanges
    assert (decoded.method, decoded.body, decoded.headers, decoded.response_headers) == ("GET", b"{}", {"x-twice": "a, b"}, {})
    assert (unrecorded.location, unrecorded.body, unrecorded.body_known) == ("entry 2", b"", False)
    assert unrecorded.note == "the HAR holds no text of the body (420 bytes): the body is not judged"
    assert notes == [f"{tmp_path}/x.har: entry 1: no response was received (net::ERR_FAILED): not audited"]


# vcrpy: pytest-recording's cassette of the official SDK, and this suite's own cassettes


def test_a_pytest_recording_cassette_of_the_official_sdk_gives_each_interaction() -> None:
    found = read(AUDIT / "vcrpy" / "cloudflare-sdk-pytest-recording.yaml")
    assert [(e.location, e.status) for e in found] == [("interaction 0", 200), ("interaction 1", 404)]
    session, unknown = found
    assert session.url.endswith(PATH + "?include_breakout_rooms=true") and session.headers["user-agent"] == "Cloudflare/Python 5.9.0"
    assert json_of(session)["data"]["session"]["id"] == SESSION
    assert json_of(unknown) == {"success": False, "error": {"code": 404, "message": "Session not found"}}
    assert session.note == UNSEEN_CREDENTIALS  # filter_headers=["authorization"] took the header away whole


def test_this_suites_own_cassette_is_read_with_its_placeholders_and_credential_classes() -> None:
    found = read(ROOT / "cassettes" / "reference-mock.yaml")
    first = found[0]
    assert (first.location, first.status, first.headers["authorization"]) == ("interaction 0", 200, "[credentials: valid]")
    assert "/accounts/REDACTED-ACCOUNT-ID-------------/" in first.url and first.note == ""
    assert json_of(first)["data"]["session"]["id"] == SESSION
    assert len(found) > 100 and {e.location for e in found} == {f"interaction {n}" for n in range(len(found))}


def test_a_cassette_keeps_the_body_as_it_came_so_its_encoding_is_undone(tmp_path: Path) -> None:
    packed = base64.b64encode(gzip.compress(b'{"success": true}')).decode()
    cassette = "\n".join([
        "interactions:",
        "- request:",
        "    method: GET",
        f"    uri: http://h{PATH}",
        "    headers:",
        "      X-Raw: [!!binary sw==]",  # a byte that is not ASCII, as vcrpy keeps it
        "  response:",
        "    status: {code: 200, message: OK}",
        "    headers:",
        "      Content-Encoding: [gzip]",
        "    body:",
        f"      string: !!binary {packed}",
        "version: 1",
    ])  # fmt: skip
    (exchange,) = read(written(tmp_path, "c.yaml", cassette))
    assert (exchange.body, exchange.response_headers, exchange.headers) == (b'{"success": true}', {}, {"x-raw": "\\xb3"})


def test_a_cassette_of_vcrpys_json_serializer_and_a_base64_body_are_read(tmp_path: Path) -> None:
    interaction = {
        "request": {"method": "GET", "uri": "http://h" + PATH, "headers": {"Authorization": ["Bearer x"]}, "body": None},
        "response": {"status": {"code": 403, "message": "Forbidden"}, "headers": {}, "body": {"base64_string": "e30="}},
    }
    (exchange,) = read(written(tmp_path, "c.json", {"interactions": [interaction], "version": 1}))
    assert (exchange.location, exchange.status, exchange.body, exchange.note) == ("interaction 0", 403, b"{}", "")


# Mockoon: an environment imported from the contract by Mockoon CLI


def test_a_mockoon_environment_gives_the_default_response_to_the_operation_and_its_variants() -> None:
    found = read(AUDIT / "mockoon" / "get-session-details.mockoon.json")
    route = "route 5a5c739d-51ca-479d-9fca-e13616ce857c (GET /client/v4/accounts/:account_id/realtime/kit/:app_id/sessions/:session_id)"
    assert {e.location for e in found} == {f"{route}, response 0"}
    assert [(e.url, e.status, e.body) for e in found] == [
        (PATH, 200, b'""'),
        (TOO_LONG["account"], 200, b'""'),
        (TOO_LONG["app"], 200, b'""'),
        (TOO_LONG["session"], 200, b'""'),
        (BREAKOUT_YES, 200, b'""'),
        (PATH, 200, b'""'),
    ]
    assert [e.headers for e in found[:-1]] == [{"authorization": STAND_IN_AUTHORIZATION}] * 5 and found[-1].headers == {}
    assert found[0].note == "the operation's path with the ids given: its endpoint matches it"
    assert found[1].note == "a request the route's endpoint also matches: account_id of 33 characters, one past its documented maxLength 32"
    assert found[5].note == "a request the route's endpoint also matches: no Authorization header"
    assert found[0].response_headers["content-type"] == "application/json; charset=utf-8"
    assert found[0].response_headers["access-control-allow-origin"] == "*"  # the environment's headers, on every response


def mockoon_route(uuid: str, endpoint: str, responses: list[dict[str, Any]], method: str = "get", **more: Any) -> dict[str, Any]:
    return {"uuid": uuid, "type": "http", "method": method, "endpoint": endpoint, "responses": responses, **more}


def mockoon_response(status: int, *rules: dict[str, Any], default: bool = False, operator: str = "OR") -> dict[str, Any]:
    return {
        "statusCode": status,
        "body": f'{{"status": {status}}}',
        "headers": [],
        "rules": list(rules),
        "default": default,
        "rulesOperator": operator,
    }


def rule(target: str, modifier: str, value: str, operator: str = "equals") -> dict[str, Any]:
    return {"target": target, "modifier": modifier, "value": value, "operator": operator, "invert": False}


def test_mockoon_rules_on_headers_query_and_route_parameters_choose_each_variants_response(tmp_path: Path) -> None:
    responses = [
        mockoon_response(200, default=True),
        mockoon_response(401, rule("header", "Authorization", "", "null")),
        mockoon_response(400, rule("query", "include_breakout_rooms", "yes")),
        mockoon_response(404, rule("params", "session_id", "^[0-9a-f-]{36}$", "regex") | {"invert": True}),
    ]
    routes = [mockoon_route("r1", "accounts/:account_id/realtime/kit/:app_id/sessions/:session_id", responses, method="all")]
    found = read(written(tmp_path, "env.json", {"lastMigration": 33, "endpointPrefix": "client/v4", "routes": routes}))
    assert [(e.method, e.url, e.status, e.location) for e in found] == [
        ("GET", PATH, 200, f"{ROUTE}, response 0"),
        ("GET", TOO_LONG["account"], 200, f"{ROUTE}, response 0"),
        ("GET", TOO_LONG["app"], 200, f"{ROUTE}, response 0"),
        ("GET", TOO_LONG["session"], 404, f"{ROUTE}, response 3"),
        ("GET", BREAKOUT_YES, 400, f"{ROUTE}, response 2"),
        ("GET", PATH, 401, f"{ROUTE}, response 1"),
        ("POST", PATH, 200, f"{ROUTE}, response 0"),
    ]
    assert found[0].note == "the operation's path with the ids given: its endpoint matches it; the default response: no rule sends another"
    assert found[4].note == (
        "a request the route's endpoint also matches: include_breakout_rooms=yes, which is no boolean; "
        "response 2: its rules hold for this request"
    )
    assert found[6].note.startswith("a request the route's endpoint also matches: POST, which the method all answers too; ")
    assert json_of(found[3]) == {"status": 404}


def test_mockoon_rules_without_a_query_fall_to_the_default_and_an_unread_rule_says_so(tmp_path: Path) -> None:
    responses = [
        mockoon_response(401, rule("header", "authorization", "", "null")),
        mockoon_response(404, rule("params", "session_id", "^.{33}$", "regex")),
        mockoon_response(200, default=True),
        mockoon_response(418, rule("body", "", "tea")),
    ]
    routes = [mockoon_route("r1", "accounts/:account_id/realtime/kit/:app_id/sessions/:session_id", responses)]
    found = read(written(tmp_path, "env.json", {"lastMigration": 33, "endpointPrefix": "client/v4", "routes": routes}))
    assert [(e.url, e.headers != {}, e.status) for e in found] == [
        (PATH, True, 200),
        (TOO_LONG["account"], True, 200),
        (TOO_LONG["app"], True, 200),
        (TOO_LONG["session"], True, 404),
        (BREAKOUT_YES, True, 200),
        (PATH, False, 401),
    ]
    assert found[0].note.endswith("; response 3 has a rule on the request's body, not read by this audit: the default response is judged")
    assert found[3].note.endswith("; response 1: its rules hold for this request")


def test_mockoon_tries_its_routes_in_order_and_a_fallback_route_lets_the_next_answer(tmp_path: Path) -> None:
    endpoint = "accounts/:account_id/realtime/kit/:app_id/sessions/:session_id"
    first = mockoon_route("r1", endpoint, [mockoon_response(401, rule("header", "Authorization", "", "null"))], responseMode="FALLBACK")
    second = mockoon_route("r2", endpoint, [mockoon_response(200, default=True)])
    hidden = mockoon_route("r3", "*", [mockoon_response(500, default=True)])
    children = [{"type": "route", "uuid": "r1"}, {"type": "folder", "uuid": "f1"}]
    environment = {"lastMigration": 33, "endpointPrefix": "client/v4", "routes": [first, second, hidden], "rootChildren": children,
                   "folders": [{"uuid": "f1", "name": "rest", "children": [{"type": "route", "uuid": "r2"}]}]}  # fmt: skip
    exchanges, notes = read_path(written(tmp_path, "env.json", environment))
    assert [(e.location.split(" ")[1], e.status, "authorization" in e.headers) for e in exchanges] == [
        ("r1", 401, False),
        *[("r2", 200, True)] * 5,
    ]
    assert notes == [
        f"{tmp_path}/env.json: route r3 (GET /client/v4/*): in no folder of the environment, so Mockoon does not serve it: not audited"
    ]


# WireMock: the vendor's folder, the gallery's quick stub, and what decides which stub answers


def test_a_wiremock_folder_gives_each_stubs_answers_to_the_operation_and_the_variants_it_matches() -> None:
    exchanges, notes = read_path(AUDIT / "wiremock")
    by_stub: dict[str, list[Recorded]] = {}
    for exchange in exchanges:
        by_stub.setdefault(exchange.location, []).append(exchange)
    exact = by_stub["mapping 3b0e6f0a-4a43-4b8e-9d51-0c2f5a1d7e01 (GET the weekly sync session)"]
    any_id = by_stub["mapping 9f6c2d4e-1b7a-4c3e-8f2d-6a5b4c3d2e10 (GET any session: the same live session)"]
    revoked = by_stub["mapping c4a1e7b2-5d3f-4e6a-9b8c-7d6e5f4a3b21 (A revoked token: 403)"]
    assert [(e.url, e.status, e.headers) for e in exact] == [
        (PATH, 200, {"authorization": "Bearer test-token"}),
        (BREAKOUT_YES, 200, {"authorization": "Bearer test-token"}),
    ]
    assert exact[0].body == (AUDIT / "wiremock" / "__files" / "session-live.json").read_bytes() and exact[0].note == ""
    assert exact[1].note == "a request the stub also matches: include_breakout_rooms=yes, which is no boolean"
    assert [e.url for e in any_id] == [PATH, TOO_LONG["account"], TOO_LONG["app"], TOO_LONG["session"], BREAKOUT_YES, PATH]
    assert any_id[0].note == "the operation's path with the ids given: its urlPathPattern matches it"
    assert any_id[-1].headers == {} and {e.status for e in any_id} == {200}
    assert json_of(any_id[0])["data"]["id"] == SESSION and any_id[0].body.startswith(b'{"success":true,')  # as WireMock writes it
    assert [e.url for e in revoked] == [PATH, TOO_LONG["account"], TOO_LONG["app"], TOO_LONG["session"], BREAKOUT_YES]
    assert {e.status for e in revoked} == {403} and json_of(revoked[0]) == {"success": False, "errors": [{"message": "Forbidden"}]}
    assert notes == [
        f"{AUDIT}/wiremock/__files/session-live.json: a WireMock body file: read through the mapping that names it",
        f"{AUDIT}/wiremock/README.md: {SKIPPED}",
    ]


def test_the_gallerys_quick_stub_asks_without_credentials_only_the_stub_that_wants_none() -> None:
    found = read(FIXTURES / "wiremock" / "quick-stub")
    statuses = [(e.status, e.url, "authorization" in e.headers) for e in found]
    urls = [PATH, TOO_LONG["account"], TOO_LONG["app"], TOO_LONG["session"], BREAKOUT_YES]
    assert statuses == [(401, url, False) for url in urls] + [(200, url, True) for url in urls]


def test_stubs_are_asked_with_the_ids_given() -> None:
    ids = ("a" * 32, "3f5b0c1e-8d2a-4f6b-9c7d-1e2f3a4b5c6d", "b" * 8)
    found = read(FIXTURES / "wiremock" / "quick-stub", ids=ids)
    assert found[0].url == f"/client/v4/accounts/{'a' * 32}/realtime/kit/{ids[1]}/sessions/{'b' * 8}"
    assert found[1].url == found[0].url.replace("a" * 32, "a" * 32 + "f")  # one past the documented 32, starting with the id


def mapping(request: dict[str, Any], status: int = 200, **more: Any) -> dict[str, Any]:
    return {"request": request, "response": {"status": status, "body": "{}", **more.pop("response", {})}, **more}


def test_a_stub_of_a_higher_priority_takes_the_requests_it_matches(tmp_path: Path) -> None:
    pattern = "/client/v4/accounts/[^/]+/realtime/kit/[^/]+/sessions/[^/]+"
    mappings = [
        mapping({"method": "ANY", "urlPathPattern": pattern}, 200, id="any"),
        mapping({"method": "GET", "urlPathPattern": "/client/v4/accounts/[^/]{33,}/realtime/kit/.*"}, 400, id="long", priority=1),
        mapping({"method": "GET", "urlPathPattern": pattern}, 200, id="twin", priority=5),
    ]
    found = read(written(tmp_path, "mappings.json", {"mappings": mappings}))
    asked = {(e.location, e.method, e.url, "authorization" in e.headers): e.status for e in found}
    assert asked == {
        **{("mapping any", "GET", url, True): 200 for url in (PATH, TOO_LONG["app"], TOO_LONG["session"], BREAKOUT_YES)},
        ("mapping any", "GET", PATH, False): 200,
        ("mapping any", "POST", PATH, True): 200,
        ("mapping long", "GET", TOO_LONG["account"], True): 400,  # not the others': the highest priority takes it
        **{("mapping twin", "GET", url, True): 200 for url in (PATH, TOO_LONG["app"], TOO_LONG["session"], BREAKOUT_YES)},
        ("mapping twin", "GET", PATH, False): 200,
    }
    (long,) = [e for e in found if e.location == "mapping long"]
    assert long.note == "a request the stub matches: account_id of 33 characters, one past its documented maxLength 32"
    assert found[0].note == (
        "the operation's path with the ids given: its urlPathPattern matches it; "
        f"mapping twin in {tmp_path}/mappings.json matches it too, at the same priority: WireMock answers either"
    )


def test_a_stub_is_asked_with_what_its_matchers_want_or_not_at_all(tmp_path: Path) -> None:
    exact = "/client/v4/accounts/a/realtime/kit/b/sessions/c?include_breakout_rooms=true&note=a%20b"  # kept as written
    mappings = [
        mapping({"method": "GET", "url": exact, "headers": {"X-Tenant": {"equalTo": "blue"}}}, id="exact"),
        mapping({"urlPathPattern": ".*", "queryParameters": {"include_breakout_rooms": {"matches": "true|false"}},
                 "headers": {"Authorization": {"matches": "Bearer [0-9]+"}}}, id="digits"),
        mapping({"urlPathPattern": ".*", "bodyPatterns": [{"contains": "x"}]}, id="body"),
        mapping({"urlPathPattern": ".*", "headers": {"Accept": {"equalToJson": "{}"}}}, id="json"),
        mapping({"method": "GET", "urlPath": "/health"}, id="health"),
        mapping({"urlPathPattern": "/v2/.*"}, id="other"),
        mapping({"urlPath": "/x"}, id="fault", response={"fault": "CONNECTION_RESET_BY_PEER"}),
    ]  # fmt: skip
    exchanges, notes = read_path(written(tmp_path, "m.json", {"mappings": mappings}))
    assert [(e.location, e.method, e.url, e.headers) for e in exchanges] == [
        ("mapping exact", "GET", exact, {"authorization": STAND_IN_AUTHORIZATION, "x-tenant": "blue"}),
        ("mapping exact", "GET", exact, {"x-tenant": "blue"}),
        ("mapping health", "GET", "/health", {"authorization": STAND_IN_AUTHORIZATION}),
        ("mapping health", "GET", "/health?include_breakout_rooms=yes", {"authorization": STAND_IN_AUTHORIZATION}),
        ("mapping health", "GET", "/health", {}),
    ]
    file = f"{tmp_path}/m.json"
    assert notes == [
        f"{file}: mapping digits: not audited: no value this audit can send satisfies its header authorization matcher",
        f"{file}: mapping body: not audited: it has its bodyPatterns, which a GET without a body does not match",
        f"{file}: mapping json: not audited: its headers matcher equalToJson on accept is not one this audit reads",
        f"{file}: mapping other: answers no request of this operation ({PATH} does not match it, nor any variant)",
        f"{file}: mapping fault: not audited: it answers with the fault CONNECTION_RESET_BY_PEER, not with an HTTP response",
    ]


def test_a_body_file_outside_files_is_not_read(tmp_path: Path) -> None:
    written(tmp_path, "secret.json", '{"token": "do not read"}')
    stub = mapping({"method": "GET", "urlPath": PATH}, response={"bodyFileName": "../secret.json"})
    del stub["response"]["body"]
    exchange = read(written(tmp_path, "root/mappings/m.json", stub))[0]
    assert (exchange.status, exchange.body, exchange.body_known) == (200, b"", False)
    assert exchange.note == f"its body file ../secret.json is not in {tmp_path}/root/__files: the body is not read"


# NDJSON: this audit's own format


def test_ndjson_gives_one_exchange_a_line_with_text_base64_and_gzip_bodies() -> None:
    found = read(AUDIT / "ndjson" / "exchanges.ndjson")
    assert [(e.location, e.status) for e in found] == [("line 1", 200), ("line 2", 400), ("line 3", 200)]
    text, base64_body, packed = found
    assert text.url == "http://127.0.0.1:8787" + PATH.replace(SESSION, "90c192cf-d3ac-44af-8f21-ddb66cad4a26")
    assert json_of(base64_body)["errors"][0]["code"] == 9106 and base64_body.headers == {}
    assert packed.body == text.body and packed.response_headers == {"content-type": "application/json"}
    assert packed.url.endswith("?include_breakout_rooms=false") and packed.headers["accept-encoding"] == "gzip"


def test_header_values_that_are_not_text_are_escaped(tmp_path: Path) -> None:
    sent = {"X-Number": 5, "X-List": ["a", 7], "X-Null": None, "X-Esc": "a\u001b]0;b"}
    received = {"X-Object": {"k": [1]}, "X-Bytes": "\udcff"}
    line = {"request": {"method": "GET", "url": PATH, "headers": sent}, "response": {"status": "200", "headers": received}}
    (exchange,) = read(written(tmp_path, "x.ndjson", json.dumps(line) + "\n\n"))
    assert exchange.headers == {"x-number": "5", "x-list": "a, 7", "x-null": "", "x-esc": "a\\x1b]0;b"}
    assert exchange.response_headers == {"x-object": '{"k": [1]}', "x-bytes": "\\udcff"} and exchange.status == 200


# A folder: sorted, links not followed, bounded


def test_a_folder_is_walked_sorted_without_following_links(tmp_path: Path) -> None:
    ndjson = (AUDIT / "ndjson" / "exchanges.ndjson").read_text()
    written(tmp_path, "b/late.ndjson", ndjson)
    written(tmp_path, "a.ndjson", ndjson.splitlines()[0])
    (tmp_path / "link.ndjson").symlink_to(tmp_path / "a.ndjson")
    (tmp_path / "linked").symlink_to(tmp_path / "b")
    os.mkfifo(tmp_path / "pipe")
    exchanges, notes = read_path(tmp_path)
    assert [(Path(e.source).relative_to(tmp_path).as_posix(), e.location) for e in exchanges] == [
        ("a.ndjson", "line 1"),
        ("b/late.ndjson", "line 1"),
        ("b/late.ndjson", "line 2"),
        ("b/late.ndjson", "line 3"),
    ]
    assert notes == [
        f"{tmp_path}/link.ndjson: a symbolic link: not followed",
        f"{tmp_path}/linked: a symbolic link: not followed",
        f"{tmp_path}/pipe: not a regular file: not read",
    ]


# Refusals: one line each, naming the file and what is wrong


def test_broken_json_that_looks_like_a_har_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, "broken.har", '{"log": {"version": "1.2", "entries": [}}')
    assert refusal(path) == f"{path}: a HAR that is not valid JSON: Expecting value (line 1, column 40)"


def test_broken_json_that_looks_like_nothing_is_skipped(tmp_path: Path) -> None:
    path = written(tmp_path, "notes.json", '{"todo": [}')
    assert read_path(path) == ([], [f"{path}: {SKIPPED}"])


def test_a_har_entry_without_a_response_is_refused(tmp_path: Path) -> None:
    entry = {"request": {"method": "GET", "url": PATH, "headers": []}, "response": {"status": 200, "headers": [], "content": {"size": 0}}}
    path = written(tmp_path, "x.har", {"log": {"entries": [entry, {"request": entry["request"]}]}})
    assert refusal(path) == f"{path}: entry 1 has no response"


def test_a_bad_regex_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, "m.json", mapping({"urlPathPattern": "/client/v4/(accounts"}, id="open", name="a group never closed"))
    assert refusal(path) == (
        f"{path}: mapping open (a group never closed): request.urlPathPattern is not a valid regular expression "
        "(/client/v4/(accounts): missing ), unterminated subpattern at position 11"
    )


def test_a_regex_that_backtracks_for_ever_is_refused_before_it_runs(tmp_path: Path) -> None:
    nested = written(tmp_path, "nested.json", mapping({"urlPathPattern": "/client/v4/(.|.)*x"}, id="slow"))
    assert refusal(nested) == (
        f"{nested}: mapping slow: request.urlPathPattern repeats a group that repeats or alternates inside (/client/v4/(.|.)*x), "
        "which can make matching take minutes: refused"
    )
    many = written(tmp_path, "many.json", mapping({"urlPattern": "/client/v4/.*.*.*.*.*.*x"}, id="slower"))
    assert refusal(many) == (
        f"{many}: mapping slower: request.urlPattern repeats more than 5 times (/client/v4/.*.*.*.*.*.*x), "
        "which can make matching take minutes: refused"
    )
    uuid = "/client/v4/accounts/[0-9a-f]{32}/realtime/kit/[^/]+/sessions/(?:[0-9a-f]{4,8}-){4}[0-9a-f]{12}"
    assert len(read(written(tmp_path, "fine.json", mapping({"method": "GET", "urlPathPattern": uuid})))) == 4  # fixed counts


def test_a_bad_regex_in_a_mockoon_rule_is_refused(tmp_path: Path) -> None:
    routes = [mockoon_route("r1", "accounts/:id", [mockoon_response(200, rule("header", "Authorization", "Bearer [", "regex"))])]
    path = written(tmp_path, "env.json", {"lastMigration": 33, "routes": routes})
    assert refusal(path) == (
        f"{path}: route r1 (GET /accounts/:id), response 0: rules[0].value is not a valid regular expression "
        "(Bearer [): unterminated character set at position 7"
    )


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = shutil.copy(AUDIT / "har" / "chromium-playwright.har", tmp_path / "big.har")
    assert refusal(Path(path), limit_bytes=1000) == f"{path}: larger than 1000 bytes"


def test_a_body_that_inflates_past_the_limit_is_refused(tmp_path: Path) -> None:
    bomb = base64.b64encode(gzip.compress(b"0" * 20_000)).decode()
    line = {
        "request": {"method": "GET", "url": PATH},
        "response": {"status": 200, "headers": {"Content-Encoding": "gzip"}, "body_base64": bomb},
    }
    path = written(tmp_path, "x.ndjson", json.dumps(line))
    assert refusal(path, limit_bytes=10_000) == f"{path}: line 1: the response body inflates past 10000 bytes (gzip)"


def test_a_document_nested_too_deep_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, "deep.json", '{"log": ' + "[" * 70 + "]" * 70 + "}")
    assert refusal(path) == f"{path}: nested deeper than 64 levels"


def test_a_yaml_cassette_with_an_alias_or_broken_yaml_is_refused(tmp_path: Path) -> None:
    alias = written(tmp_path, "alias.yaml", "interactions:\n- &one {request: {}, response: {}}\n- *one\nversion: 1\n")
    assert refusal(alias) == f"{alias}: a vcrpy cassette that is not valid YAML: a YAML alias, which cassettes never have (line 2)"
    broken = written(tmp_path, "broken.yaml", "interactions:\n- request: [\nversion: 1\n")
    assert refusal(broken).startswith(f"{broken}: a vcrpy cassette that is not valid YAML: ")


def test_a_broken_line_of_ndjson_or_a_broken_field_is_refused(tmp_path: Path) -> None:
    good = (AUDIT / "ndjson" / "exchanges.ndjson").read_text().splitlines()[0]
    broken = written(tmp_path, "x.ndjson", good + "\n{not json\n")
    assert refusal(broken) == f"{broken}: line 2 is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    status = written(tmp_path, "y.ndjson", good.replace('"status": 200', '"status": "OK"'))
    assert refusal(status) == f"{status}: line 1: response.status is not an HTTP status: OK"
    routes = [mockoon_route("r1", "x", [mockoon_response(200) | {"statusCode": 2000}])]
    mockoon = written(tmp_path, "env.json", {"lastMigration": 33, "routes": routes})
    assert refusal(mockoon) == f"{mockoon}: route r1 (GET /x), response 0: statusCode is not an HTTP status: 2000"


def test_too_many_files_or_no_file_is_refused(tmp_path: Path) -> None:
    for n in range(3):
        written(tmp_path, f"{n}.txt", "")
    assert refusal(tmp_path, max_files=2) == f"{tmp_path}: holds more than 2 files: give a smaller folder"
    assert refusal(tmp_path / "missing") == f"{tmp_path}/missing: no such file or folder"


def test_br_is_undone_only_where_brotli_can_bound_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "brotli", None)  # not installed, wherever this runs
    line = {"request": {"method": "GET", "url": PATH}, "response": {"status": 200, "headers": {"Content-Encoding": "br"}, "body": "x"}}
    (exchange,) = read(written(tmp_path, "x.ndjson", json.dumps(line)))
    assert (exchange.body, exchange.response_headers) == (b"x", {"content-encoding": "br"})
    assert exchange.note == "the body is kept as recorded: its Content-Encoding br needs the brotli module, which is not installed"
