"""The fake for users' own tests: arranged in a few lines, refused when the arrangement breaks the contract, answered
in-process (respx) or on a socket by the reference mock's logic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
import respx

from conformance.fake import SDK_BASE_URL, ArrangementError, RealtimeKitFake
from conformance.mock import load_data
from conformance.transport.probes import UNKNOWN_SESSION_ID


def url_of(fake: RealtimeKitFake, session_id: str, base_url: str = SDK_BASE_URL) -> str:
    return f"{base_url}/accounts/{fake.account_id}/realtime/kit/{fake.app_id}/sessions/{session_id}"


def fetch(fake: RealtimeKitFake, session_id: str, token: str = "", **params: str) -> httpx.Response:
    """The session through a plain httpx client, as the official SDK sends it."""
    return httpx.get(url_of(fake, session_id, fake.base_url), params=params, headers={"Authorization": f"Bearer {token or fake.token}"})


@pytest.fixture
def fake() -> Iterator[RealtimeKitFake]:
    made = RealtimeKitFake()
    with made.mocked():
        yield made


def test_a_session_by_default_holds_to_every_rule_and_comes_back_as_arranged(fake: RealtimeKitFake) -> None:
    session = fake.add_session(live_participants=3, max_concurrent_participants=5)
    body = fetch(fake, session["id"]).json()
    assert body == {"success": True, "data": session}  # the current edition, the official SDK's
    assert session["organization_id"] == fake.app_id and session["status"] == "LIVE" and session["type"] == "meeting"
    assert session["created_at"] == session["started_at"] == session["updated_at"] == "2026-01-05T09:00:00.000Z"
    assert "ended_at" not in session


def test_ids_are_the_same_in_every_run_of_a_test() -> None:
    first, again = (RealtimeKitFake().add_session()["id"] for _ in range(2))
    assert first == again


def test_an_arrangement_that_breaks_the_contract_is_refused_with_the_suites_own_failure(fake: RealtimeKitFake) -> None:
    with pytest.raises(ArrangementError) as refused:
        fake.add_session(live_participants=-1)
    assert str(refused.value).splitlines()[:5] == [
        "the arranged session breaks the contract (broken=True serves it anyway):",
        "[semantics.non-negative] live_participants is below 0",
        "Received: -1 at /data/live_participants",
        "Documented: live_participants >= 0",
        "Contract: openapi/schemas/session.schema.json#/properties/live_participants/x-semantics",
    ]
    assert fetch(fake, "anything").status_code == 404  # nothing of it was kept


def test_a_broken_session_is_served_when_asked_for_on_purpose(fake: RealtimeKitFake) -> None:
    session = fake.add_session(status="PAUSED", broken=True)
    assert fetch(fake, session["id"]).json()["data"]["status"] == "PAUSED"


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (lambda fake: fake.add_session(live_particpants=3), "not a field of the contract's session: live_particpants"),
        (lambda fake: fake.fail_next("gremlins"), "situation is one of missing-credentials, "),
        (lambda fake: fake.fail_next("rate-limited", times=0), "times is an int, 1 or more; got 0"),
        (lambda fake: fake.end_session("nope"), "session_id is a session of the fake, in app rtk-reference-mock-app-01; got 'nope'"),
        (lambda fake: RealtimeKitFake(token="with space"), "token is printable ASCII without spaces"),
    ],
)
def test_what_the_fake_does_not_have_is_refused_by_name(fake: RealtimeKitFake, arrange: object, message: str) -> None:
    with pytest.raises(ArrangementError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        arrange(fake)  # type: ignore[operator]


def test_ending_a_session_moves_its_status_and_times_on_the_fakes_clock(fake: RealtimeKitFake) -> None:
    session = fake.add_session(live_participants=2, max_concurrent_participants=2)
    fake.clock.advance(90.5)
    ended = fake.end_session(session["id"], live_participants=0)
    assert (ended["status"], ended["ended_at"], ended["updated_at"]) == ("ENDED", "2026-01-05T09:01:30.500Z", "2026-01-05T09:01:30.500Z")
    assert ended["created_at"] == session["created_at"] and ended["live_participants"] == 0
    assert fetch(fake, session["id"]).json()["data"] == ended
    fake.clock.set("2027-03-04T05:06:07Z")
    assert fake.add_session(status="ENDED")["ended_at"] == "2027-03-04T05:06:07.000Z"  # present, as ENDED requires


def test_breakout_rooms_are_sessions_reachable_by_their_own_ids(fake: RealtimeKitFake) -> None:
    session = fake.add_session(breakout_rooms=[{"meeting_display_name": "Room 1"}, {"status": "ENDED"}])
    rooms = fetch(fake, session["id"], include_breakout_rooms="true").json()["data"]["breakout_rooms"]
    assert rooms[0]["meeting_display_name"] == "Room 1" and rooms[1]["ended_at"]
    assert "breakout_rooms" not in fetch(fake, session["id"]).json()["data"]
    assert fetch(fake, rooms[0]["id"]).json()["data"] == rooms[0]


def test_the_next_requests_fail_as_production_answers_then_the_fake_recovers(fake: RealtimeKitFake) -> None:
    session = fake.add_session()
    fake.fail_next("rate-limited", times=2, retry_after=7)
    limited = [fetch(fake, session["id"]) for _ in range(2)]
    assert [(r.status_code, r.headers["retry-after"], r.json()["errors"][0]["code"]) for r in limited] == [(429, "7", 971)] * 2
    assert fetch(fake, session["id"]).status_code == 200
    fake.fail_all("invalid-token")
    assert [fetch(fake, session["id"]).json()["errors"][0]["code"] for _ in range(3)] == [9109] * 3
    fake.recover()
    assert fetch(fake, session["id"]).status_code == 200


def test_a_server_error_is_a_500_in_realtimekits_own_shape(fake: RealtimeKitFake) -> None:
    fake.fail_next("server-error")
    answer = fetch(fake, fake.add_session()["id"])
    assert (answer.status_code, answer.json()) == (500, {"success": False, "error": {"code": 500, "message": "Internal server error"}})


def test_what_is_not_arranged_is_answered_as_cloudflare_does(fake: RealtimeKitFake) -> None:
    assert fetch(fake, UNKNOWN_SESSION_ID).status_code == 404
    assert fetch(fake, fake.add_session()["id"], token="another-token-0123").json()["errors"][0]["code"] == 9109
    assert httpx.post(url_of(fake, "x"), headers={"Authorization": f"Bearer {fake.token}"}).status_code == 405


def test_the_requests_it_received_can_be_asserted_on(fake: RealtimeKitFake) -> None:
    session = fake.add_session()
    fetch(fake, session["id"], include_breakout_rooms="true")
    (request,) = fake.requests
    assert request.method == "GET" and request.path.endswith(f"/sessions/{session['id']}")
    assert request.query == [("include_breakout_rooms", "true")] and request.headers["authorization"] == f"Bearer {fake.token}"


def test_any_base_url_and_a_router_of_ones_own() -> None:
    fake = RealtimeKitFake(account_id="0123456789abcdef0123456789abcdef", app_id="14a396e7-ca44-4937-bf1f-050a69118543", token="my-token-1")
    session = fake.add_session()
    with respx.mock() as router:
        router.get("https://example.test/other").respond(204)
        fake.route(router, "https://example.test/rtk/v4")
        answer = httpx.get(url_of(fake, session["id"], "https://example.test/rtk/v4"), headers={"Authorization": "Bearer my-token-1"})
        assert answer.json()["data"]["organization_id"] == "14a396e7-ca44-4937-bf1f-050a69118543"
        assert httpx.get("https://example.test/other").status_code == 204
    with fake.mocked(), pytest.raises(respx.models.AllMockedAssertionError):  # another URL is not the fake's
        httpx.get(f"{SDK_BASE_URL}/accounts/{fake.account_id}/tokens/verify")


def test_the_documented_edition_and_the_seeded_sessions(tmp_path: Path) -> None:
    fake = RealtimeKitFake(edition="documented", seeded=True)
    with fake.mocked():
        body = fetch(fake, load_data().session_ids[0]).json()
    assert body["data"]["session"]["id"] == load_data().session_ids[0]


def test_on_a_socket_for_clients_that_are_not_httpx() -> None:
    fake = RealtimeKitFake()
    session = fake.add_session()
    with fake.serving() as base_url:
        assert base_url.startswith("http://127.0.0.1:") and fake.base_url == base_url
        answer = requests.get(url_of(fake, session["id"], base_url), headers={"Authorization": f"Bearer {fake.token}"}, timeout=10)
    assert answer.json()["data"]["id"] == session["id"] and fake.base_url == SDK_BASE_URL
