"""The reference mock answers as Cloudflare does (CONTRACT-FACTS §4), over real HTTP on loopback."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.contract import BASE_PATH
from conformance.mock import MockData, ReferenceMock, load_data, uvicorn_internals
from conformance.mock.data import DataFileError
from conformance.mock.ratelimit import RateLimiter
from conformance.mock.server import serve_in_thread
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with serve_in_thread(ReferenceMock(load_data())) as root:
        yield root + BASE_PATH


def get(url: str, path: str, authorization: str | None = "valid", method: str = "GET", data: MockData | None = None) -> httpx.Response:
    data = data or load_data()
    headers = {"Authorization": f"Bearer {data.token}" if authorization == "valid" else authorization} if authorization else {}
    return httpx.request(method, url + path, headers=headers)


def session_path(session_id: str, account: str = "", app: str = "", query: str = "") -> str:
    data = load_data()
    return f"/accounts/{account or data.account_id}/realtime/kit/{app or data.app_id}/sessions/{session_id}{query}"


def error_code(response: httpx.Response) -> Any:
    body = response.json()
    return body["errors"][0]["code"] if "errors" in body else body["error"]["code"]


def test_seeded_sessions_cover_statuses_types_and_rooms(data: MockData) -> None:
    sessions = list(data.by_id.values())
    assert {s["status"] for s in sessions} == {"LIVE", "ENDED"}
    assert {s["type"] for s in sessions} == {"meeting", "livestream", "participant"}
    assert any(s.get("breakout_rooms") for s in data.sessions) and any(not s.get("breakout_rooms") for s in data.sessions)
    assert all(("ended_at" in s) == (s["status"] == "ENDED") for s in sessions)
    assert any(s["associated_id"] == "abcdef-ghijkl" for s in sessions)
    assert len(data.account_id) == 32 and int(data.account_id, 16) >= 0 and len(data.app_id) <= 32


def test_a_session_is_answered_in_the_documented_edition(mock_url: str, data: MockData) -> None:
    response = get(mock_url, session_path(data.session_ids[0]))
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["success"] is True and body["data"]["session"]["id"] == data.session_ids[0]
    assert "breakout_rooms" not in body["data"]["session"]


@pytest.mark.parametrize(("query", "rooms"), [("?include_breakout_rooms=true", 2), ("?include_breakout_rooms=false", None)])
def test_breakout_rooms_only_when_asked(mock_url: str, data: MockData, query: str, rooms: int | None) -> None:
    session = get(mock_url, session_path(data.session_ids[0], query=query)).json()["data"]["session"]
    assert (len(session["breakout_rooms"]) if "breakout_rooms" in session else None) == rooms


def test_a_breakout_room_is_a_session_of_its_own(mock_url: str, data: MockData) -> None:
    room = data.sessions[0]["breakout_rooms"][0]
    assert get(mock_url, session_path(room["id"])).json()["data"]["session"]["meeting_display_name"] == room["meeting_display_name"]


@pytest.mark.parametrize(
    ("authorization", "status", "code"),
    [
        (None, 400, 9106),
        ("Basic Zm9vOmJhcg==", 400, 6003),
        ("Bearer", 400, 6003),
        ("token-without-scheme", 400, 6003),
        ("Bearer not-a-known-token", 403, 9109),
        ("Bearer rtk-mock-token-no-permission-8b1e5a2c", 403, 10000),
    ],
)
def test_credentials_are_refused_as_cloudflare_does(
    mock_url: str, data: MockData, authorization: str | None, status: int, code: int
) -> None:
    response = get(mock_url, session_path(data.session_ids[0]), authorization)
    assert (response.status_code, error_code(response), response.json()["success"]) == (status, code, False)


def test_a_malformed_header_carries_its_error_chain(mock_url: str, data: MockData) -> None:
    (error,) = get(mock_url, session_path(data.session_ids[0]), "Basic Zm9vOmJhcg==").json()["errors"]
    assert error["error_chain"] == [{"code": 6111, "message": "Invalid format for Authorization header"}]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (session_path("s", account="a" * 33), 400, 7003),
        (session_path("s", app="a" * 33), 400, 7003),
        (session_path("s", account="f" * 32), 403, 10000),
        (session_path("s", app="f" * 32), 404, 404),
        (session_path("00000000-0000-4000-8000-000000000000"), 404, 404),
        (session_path("x%2Fy"), 404, 404),
        ("/accounts/a/realtime/kit", 404, 7000),
    ],
)
def test_identifiers_are_routed_as_cloudflare_does(mock_url: str, path: str, status: int, code: int) -> None:
    response = get(mock_url, path)
    assert (response.status_code, error_code(response)) == (status, code)


@pytest.mark.parametrize("value", ["maybe", "True", "1", "0", ""])
def test_only_true_and_false_are_booleans(mock_url: str, data: MockData, value: str) -> None:
    response = get(mock_url, session_path(data.session_ids[0], query=f"?include_breakout_rooms={value}"))
    assert (response.status_code, error_code(response)) == (400, 400)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_get_405_with_allow(mock_url: str, data: MockData, method: str) -> None:
    response = get(mock_url, session_path(data.session_ids[0]), method=method)
    assert (response.status_code, response.headers["allow"], error_code(response)) == (405, "GET", 7001)


def test_every_response_carries_ratelimit_headers(mock_url: str, data: MockData) -> None:
    for response in (get(mock_url, session_path(data.session_ids[0])), get(mock_url, "/nowhere", None)):
        assert response.headers["ratelimit"].startswith('"default";r=')
        assert response.headers["ratelimit-policy"] == '"default";q=1200;w=300'


def test_rate_limit_answers_429_with_retry_after(data: MockData) -> None:
    clock = [100.0]
    mock = ReferenceMock(data, RateLimiter(quota=2, window=60, enforce=True, clock=lambda: clock[0]))
    with serve_in_thread(mock) as root:
        statuses = [get(root + BASE_PATH, session_path(data.session_ids[0])) for _ in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert (statuses[2].headers["retry-after"], error_code(statuses[2])) == ("60", 971)
        clock[0] += 60
        assert get(root + BASE_PATH, session_path(data.session_ids[0])).status_code == 200


def test_rate_limit_option_reads_quota_and_window() -> None:
    assert (RateLimiter.parse("10/30").quota, RateLimiter.parse("10/30").window, RateLimiter.parse("10").window) == (10, 30, 300)


@pytest.mark.parametrize("text", ["0/5", "x/y", "5/0"])
def test_rate_limit_option_is_validated(text: str) -> None:
    with pytest.raises(ValueError):
        RateLimiter.parse(text)


def test_data_file_can_be_replaced(tmp_path: Path) -> None:
    raw = json.loads((ROOT / "conformance" / "mock" / "data.json").read_text())
    raw["app_id"] = "another-app"
    (tmp_path / "data.json").write_text(json.dumps(raw))
    assert load_data(tmp_path / "data.json").app_id == "another-app"


SEED = {"account_id": "a", "app_id": "b", "tokens": {"realtime": ["t"]}, "sessions": []}
SESSION_BROKEN = (
    'data.json: /sessions/0: "associated_id" is a required property (the session breaks openapi/schemas/session.schema.json#/required)'
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "data.json is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ('{"sessions": []}', 'data.json: /: "account_id" is a required property'),
        (json.dumps({**SEED, "tokens": {"realtime": []}}), "data.json: /tokens/realtime: [] has less than 1 item"),
        (json.dumps({**SEED, "account_id": "a\n"}), 'data.json: /account_id: "a\\n" does not match'),
        (json.dumps({**SEED, "sessions": [{"id": "s", "status": "PAUSED"}]}), SESSION_BROKEN),
    ],
)
def test_a_bad_data_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    """The file's shape, then each session against the contract: the first place that breaks, in one line."""
    (tmp_path / "data.json").write_text(content)
    with pytest.raises(DataFileError) as caught:
        load_data(tmp_path / "data.json")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_connection_whose_headers_drip_is_closed_and_the_mock_answers_the_others(data: MockData, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn_internals, "HEADER_TIMEOUT", 0.5)
    with serve_in_thread(ReferenceMock(data)) as root:
        host, port = root.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(b"GET /client/v4 HTTP/1.1\r\nHost: mock\r\nX-Slow: 1\r\n")  # and never the blank line
            began = time.monotonic()
            assert slow.recv(1) == b""  # closed by the mock
            assert time.monotonic() - began < 3
        with httpx.Client() as client:  # keep-alive: a second request in time on the same connection is answered
            url = f"{root}{BASE_PATH}/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
            headers = {"Authorization": f"Bearer {data.token}"}
            assert [client.get(url, headers=headers).status_code for _ in range(2)] == [200, 200]
