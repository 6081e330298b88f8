"""The vendor gallery's harness: each vendor's real mock server starts on loopback and answers the operation as it
really does.

Run by .ci/run (and `tox -e vendors`), which installs the tools from the npm registry into .vendors/ and Java from
Debian; deselected from the default run because a fresh Python machine may have neither Node.js nor Java.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.checks import REGISTRY
from conformance.mock import MockData
from tests.conftest import FIXTURES, TOKEN_IN_TESTS, run_cli
from tests.e2e.gallery import MOCKOON, SPECMATIC, WIREMOCK, serving

pytestmark = pytest.mark.vendors

OFFICIAL = FIXTURES / "official-spec.openapi.yaml"  # the official spec's facts, restated
QUICK_STUB = FIXTURES / "wiremock" / "quick-stub"  # WireMock mappings a vendor writes from the reference page
APP_UUID = "5c1a9e3b-7d2f-4e8a-b6c0-1f9d8e7a6b5c"  # a real app id's shape: 36 characters
APP_32 = APP_UUID.replace("-", "")  # as long as the official spec's maxLength on app_id allows


def get_session(base_url: str, data: MockData, app_id: str, authorization: str | None = f"Bearer {TOKEN_IN_TESTS}") -> httpx.Response:
    """One GET of the operation, with a Bearer token unless told otherwise."""
    url = f"{base_url}/accounts/{data.account_id}/realtime/kit/{app_id}/sessions/{data.session_ids[0]}"
    headers = {"Authorization": authorization} if authorization else {}
    return httpx.get(url, headers=headers, timeout=30, trust_env=False)  # loopback: never through a proxy


def media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip()


def test_mockoon_answers_the_official_spec_with_generated_values(data: MockData, tmp_path: Path) -> None:
    with serving(MOCKOON, OFFICIAL, tmp_path) as url:
        response = get_session(url, data, APP_UUID)
    assert response.status_code == 200 and media_type(response) == "application/json"
    session = response.json()["data"]  # the current edition: the session's fields directly in data
    assert session["status"] in {"LIVE", "ENDED"} and "session" not in session


def test_wiremock_answers_the_quick_stub_with_the_reference_pages_example(data: MockData, tmp_path: Path) -> None:
    example = json.loads((QUICK_STUB / "mappings" / "get-session-details.json").read_text())["response"]["jsonBody"]
    with serving(WIREMOCK, QUICK_STUB, tmp_path) as url:
        authorized = get_session(url, data, APP_UUID)
        anonymous = get_session(url, data, APP_UUID, authorization=None)
    assert authorized.status_code == 200 and media_type(authorized) == "application/json"
    assert authorized.json() == example and example["data"]["session"]["breakout_rooms"] == [{}]
    assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["code"] == 10000
    assert not (QUICK_STUB / "__files").exists()  # WireMock wrote into its copy, not into the checkout


def test_specmatic_refuses_a_uuid_app_id_and_answers_a_32_character_one(data: MockData, tmp_path: Path) -> None:
    """The official spec's maxLength 32 on app_id, enforced: a real app id (a UUID) is refused with a text/plain 400."""
    with serving(SPECMATIC, OFFICIAL, tmp_path) as url:
        refused = get_session(url, data, APP_UUID)
        answered = get_session(url, data, APP_32)
    assert refused.status_code == 400 and media_type(refused) == "text/plain"
    assert "PATH.app_id" in refused.text and "maxLength 32" in refused.text
    assert answered.status_code == 200 and media_type(answered) == "application/json"
    assert answered.headers["X-Specmatic-Result"] == "success"
    assert answered.json()["data"]["status"] in {"LIVE", "ENDED"}  # generated: the current edition's flat data


# The gallery's verdicts. Each vendor's mock is judged as a vendor would run the suite against it; each failing check
# is listed with what that mock really does (each reproduced by hand once, with curl, against the same version).
@dataclass(frozen=True)
class Judged:
    exit_code: int
    verdict: str
    edition: str
    failing: dict[str, set[str]]  # MUST, SHOULD, production -> check ids
    stdout: str


def judged(vendor: Any, source: Path, app_id: str, data: MockData, tmp_path: Path, *extra: str) -> Judged:
    with serving(vendor, source, tmp_path) as url:
        args = ["--target", url, "--account-id", data.account_id, "--app-id", app_id, "--session-id", data.session_ids[0]]
        result = run_cli("run", *args, "--report", "report.json", *extra, env={"CLOUDFLARE_API_TOKEN": TOKEN_IN_TESTS}, cwd=tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    failing = {group: {b["check"] for b in report["failures"] if b["group"] == group} for group in ("MUST", "SHOULD", "production")}
    edition = f"{report['edition']['name']} ({report['edition']['source']})"
    return Judged(result.returncode, report["verdict"]["name"], edition, failing, result.stdout + result.stderr)


def one_voice(judged: Judged) -> None:
    """Never the suite's own failure, never a traceback; every failure is one of our rules, at that rule's level."""
    assert "the suite itself failed" not in judged.stdout and "Traceback" not in judged.stdout
    levels = {check.id: check.level for check in REGISTRY}
    for group in ("MUST", "SHOULD"):
        assert all(levels[check] == group for check in judged.failing[group]), judged.failing


def test_wiremock_with_a_vendors_quick_stub_violates_for_its_real_defects(data: MockData, tmp_path: Path) -> None:
    judged_ = judged(WIREMOCK, QUICK_STUB, APP_UUID, data, tmp_path)
    one_voice(judged_)
    assert (judged_.exit_code, judged_.verdict, judged_.edition) == (1, "VIOLATES", "documented (detected)")
    assert judged_.failing == {
        "MUST": {
            "auth.rejected",  # any Bearer token is answered 200; Basic, an empty Bearer and no scheme get WireMock's 404
            "errors.failure-body",  # what no mapping matches gets a text/plain "Request was not matched" 404
            "errors.json-content-type",  # the same 404s, text/plain
            "errors.no-server-error",  # Content-Type: multipart/form-data without a boundary: a Jetty 500 page
            "params.max-length",  # 33-character ids match the path pattern: 200
            "schema.breakout-rooms",  # the page's example lists one breakout room as {}
        },
        "SHOULD": {
            "schema.timestamps",  # the example's timestamps are the strings "created_at", "started_at", ...
            "semantics.echoes-path-parameters",  # its id is "id", whatever session was asked
            "semantics.present-only-when",  # ended_at on a LIVE session
            "params.boolean-rejected",  # include_breakout_rooms=maybe: 200
            "errors.method-not-allowed",  # POST, PUT, PATCH, DELETE: WireMock's 404
            "errors.unknown-session",  # any session id: 200
        },
        "production": {
            "production.malformed-authorization",  # 404 where Cloudflare answers 400 with code 6003
            "production.missing-credentials",  # the stub's 401 with code 10000, where Cloudflare answers 400 with code 9106
        },
    }


def test_specmatic_refusing_a_real_app_id_is_judged_by_the_documented_side(data: MockData, tmp_path: Path) -> None:
    """Specmatic enforces the official spec's maxLength 32 on app_id, so every request with a real (UUID) app id gets a
    text/plain 400: the documentation's side of a documented contradiction, never blamed on another parameter. The
    edition is detected from the generated cases that reach it with a shorter app id (their bodies are flat data).

    Specmatic draws each body at random, unseeded: 1000 cases instead of 300 make about 16 bodies, so that each drawn
    defect below shows (success false, live above max: each in about half the bodies) but once in some 30,000 runs."""
    judged_ = judged(SPECMATIC, OFFICIAL, APP_UUID, data, tmp_path, "--max-examples", "1000")
    one_voice(judged_)
    assert (judged_.exit_code, judged_.verdict) == (1, "VIOLATES")
    assert judged_.edition == "current (detected from a generated case: no probe got a 200 body)"
    assert judged_.failing == {
        "MUST": {
            "errors.failure-body",  # its rejections are text/plain reports ("Error from contract ...")
            "errors.json-content-type",  # the same, text/plain
        },
        "SHOULD": {
            "schema.timestamps",  # timestamps are random letters
            "semantics.echoes-path-parameters",  # so is the id
            "semantics.present-only-when",  # it always sends ended_at, and always status LIVE
            "semantics.success-true",  # success is drawn: false in about half the bodies
            "semantics.at-most",  # so are the counts: live above max in about half
        },
        "production": {"production.unroutable-identifier"},  # a 33-character app id: a text/plain 400, not code 7003
    }
    assert "params.at-max-length" not in judged_.stdout and "run with --edition" not in judged_.stdout


def test_specmatic_with_a_32_character_app_id_violates_for_its_real_defects(data: MockData, tmp_path: Path) -> None:
    judged_ = judged(SPECMATIC, OFFICIAL, APP_32, data, tmp_path)
    one_voice(judged_)
    assert (judged_.exit_code, judged_.verdict, judged_.edition) == (1, "VIOLATES", "current (detected)")
    assert judged_.failing == {
        "MUST": {
            "auth.rejected",  # an unknown Bearer token gets a generated 200
            "errors.failure-body",  # its rejections (no token, bad ids, other methods) are text/plain reports
            "errors.json-content-type",  # the same, text/plain
        },
        "SHOULD": {
            "schema.timestamps",  # random letters
            "semantics.echoes-path-parameters",  # a random id
            "semantics.present-only-when",  # ended_at on LIVE sessions
            "semantics.success-true",  # success drawn false in about half of some 260 bodies
            "semantics.at-most",  # live above max in about half
            "params.boolean-rejected",  # include_breakout_rooms=True is accepted (a boolean is true or false)
            "params.breakout-rooms-array",  # include_breakout_rooms=true: breakout_rooms absent (it is optional upstream)
            "errors.method-not-allowed",  # another method: a text/plain 400, not 405
            "errors.unknown-session",  # any session id: a generated 200
        },
        "production": {
            "production.malformed-authorization",  # text/plain 400s, not code 6003
            "production.missing-credentials",  # a text/plain 400, not code 9106
            "production.unroutable-identifier",  # a text/plain 400, not code 7003
        },
    }


def test_mockoon_on_the_official_spec_violates_for_its_real_defects(data: MockData, tmp_path: Path) -> None:
    judged_ = judged(MOCKOON, OFFICIAL, APP_UUID, data, tmp_path)
    one_voice(judged_)
    assert (judged_.exit_code, judged_.verdict, judged_.edition) == (1, "VIOLATES", "current (detected)")
    assert judged_.failing == {
        "MUST": {
            "auth.rejected",  # it checks no credentials: 200 to every request
            "errors.failure-body",  # another method: Express's HTML 404 page
            "errors.json-content-type",  # the same page, text/html
            "params.max-length",  # 33-character ids: 200
            "schema.breakout-rooms",  # breakout_rooms: [""], a string where a session belongs
        },
        "SHOULD": {
            "schema.timestamps",  # every timestamp is ""
            "semantics.echoes-path-parameters",  # id is ""
            "semantics.present-only-when",  # ended_at ("") on LIVE sessions
            "semantics.success-true",  # success drawn (seeded) false in some bodies
            "semantics.at-most",  # random counts: live above max in some
            "params.boolean-rejected",  # include_breakout_rooms=maybe: 200
            "params.invalid-rejected",  # a session id that is no UUID (the official spec's format): 200
            "errors.method-not-allowed",  # another method: 404
            "errors.unknown-session",  # any session id: 200
        },
        "production": set(),  # it never answers a failure to the probes of those situations
    }


def test_an_audit_of_the_quick_stub_agrees_with_the_run_against_wiremock_serving_it(data: MockData, tmp_path: Path) -> None:
    """What the stubs answer, the audit judges as the run does; the rest of the run's MUST failures are WireMock's own
    answers to what no stub matches (its text/plain 404, Jetty's 500) and a token no stub can tell from another."""
    ran = judged(WIREMOCK, QUICK_STUB, APP_UUID, data, tmp_path)
    result = run_cli("audit", str(QUICK_STUB), "--report", "audit.json", cwd=tmp_path)
    audited = {b["check"] for b in json.loads((tmp_path / "audit.json").read_text())["failures"] if b["group"] == "MUST"}
    not_the_stubs = {"auth.rejected", "errors.failure-body", "errors.json-content-type", "errors.no-server-error"}
    assert result.returncode == 1 and audited == ran.failing["MUST"] - not_the_stubs == {"params.max-length", "schema.breakout-rooms"}


MOCKOON_IMPORT = FIXTURES / "audit" / "mockoon" / "get-session-details.mockoon.json"  # Mockoon CLI's import of the contract


def test_an_audit_of_a_mockoon_environment_agrees_with_the_run_against_mockoon_serving_it(data: MockData, tmp_path: Path) -> None:
    """What the environment's route answers, the audit judges as the run does; the rest of the run's failures are
    Express's HTML 404 page to another method (no route has one), and an unknown session, which only a run that knows
    its sessions can tell."""
    ran = judged(MOCKOON, MOCKOON_IMPORT, APP_UUID, data, tmp_path)
    result = run_cli("audit", str(MOCKOON_IMPORT), "--report", "audit.json", cwd=tmp_path)
    failures = json.loads((tmp_path / "audit.json").read_text())["failures"]
    audited = {group: {b["check"] for b in failures if b["group"] == group} for group in ("MUST", "SHOULD")}
    not_the_route = {"errors.failure-body", "errors.json-content-type", "errors.method-not-allowed", "errors.unknown-session"}
    assert result.returncode == 1
    assert audited["MUST"] == ran.failing["MUST"] - not_the_route == {"auth.rejected", "params.max-length", "schema.envelope"}
    assert audited["SHOULD"] == ran.failing["SHOULD"] - not_the_route == {"semantics.success-true", "params.boolean-rejected"}
