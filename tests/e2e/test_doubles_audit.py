"""`pytest --realtimekit-audit` on a user's own tests: a respx double that answers as Cloudflare never would is named,
with its test, its checks and the fake's line, and fails the session; the realtimekit fixture's answers conform."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

URL = "https://api.cloudflare.com/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/realtime/kit/app-1/sessions/6513270e-269e-4d37-b2a7-4de452e6b438"
SESSION = {
    "id": "6513270e-269e-4d37-b2a7-4de452e6b438",
    "associated_id": "m-1",
    "meeting_display_name": "Standup",
    "type": "meeting",
    "status": "PAUSED",
    "live_participants": 1,
    "max_concurrent_participants": 2,
    "minutes_consumed": 1.5,
    "organization_id": "app-1",
    "started_at": "2026-11-02T09:20:00.000Z",
    "created_at": "2026-11-02T09:20:00.000Z",
    "updated_at": "2026-11-02T09:40:02.000Z",
}
USER_TESTS = f"""
import httpx

SESSION = {SESSION!r}


def test_with_a_hand_written_double(respx_mock):
    respx_mock.get({URL!r}).respond(200, json={{"success": True, "data": SESSION}})
    assert httpx.get({URL!r}, headers={{"Authorization": "Bearer t"}}).json()["data"]["status"] == "PAUSED"


def test_with_the_certified_fake(realtimekit):
    session = realtimekit.add_session(status="ENDED")
    url = f"https://api.cloudflare.com/client/v4/accounts/{{realtimekit.account_id}}/realtime/kit/{{realtimekit.app_id}}/sessions/{{session['id']}}"
    answer = httpx.get(url, headers={{"Authorization": f"Bearer {{realtimekit.token}}"}})
    assert answer.status_code == 200
"""


def test_an_impossible_respx_double_is_named_and_fails_the_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mine=USER_TESTS)
    result = pytester.runpytest_subprocess("--realtimekit-audit", "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*RealtimeKit audit of the tests' doubles*",
            "2 exchanges on the endpoint in 2 tests: 1 conforms, 0 conforms with advisories, 1 impossible in production",
            "- test_mine.py::test_with_a_hand_written_double: impossible in production: enums.status (respx call 1);"
            ' on the fake: fake.add_session(type="meeting")',
        ]
    )
    assert "test_with_the_certified_fake:" not in result.stdout.str()
    result.assert_outcomes(passed=2)


def test_without_the_option_the_doubles_are_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mine=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0 and "RealtimeKit audit" not in result.stdout.str()
