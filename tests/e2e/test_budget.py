"""Budgeted, read-only live runs: the live profile sends GET only and never more requests than its budget, counted
by the server; the plan is printed before anything is sent; a dry run prints every request and sends nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, ReferenceMock
from conformance.mock.app import Reply, Request
from conformance.run.settings import resolve
from conformance.transport.pacing import pause_for, retry_after
from tests.conftest import RecordingMock, SlowMock, run_cli, target_of

pytestmark = pytest.mark.timing


def test_live_sends_get_only_and_at_most_its_budget(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = RecordingMock(data)
    args, env = target_of(serve(mock), data)
    result = run_cli("run", *args, "--profile", "live", "--max-requests", "40", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert {r.method for r in mock.requests} == {"GET"}
    assert len(mock.requests) == 40  # the budget, the preflight (which makes sure something answers at all) included
    kinds = r"\(1 preflight, \d+ explicit, \d+ generated\)"
    plan = rf"^Plan: \d+ requests {kinds}; at most 40 \(--max-requests\); GET only(; generated cases from the cache)?$"
    assert re.search(plan, result.stdout, re.M)
    verdict = result.stdout.split("\nVerdict: ")[1].splitlines()[0]
    assert verdict.startswith("PARTIAL: the request budget (40, --max-requests) was spent: ")
    assert re.search(r"^Requests: .*; 40 sent", result.stdout, re.M)


def test_a_dry_run_prints_every_request_and_sends_nothing(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = RecordingMock(data)
    args, env = target_of(serve(mock), data)
    result = run_cli("run", *args, "--dry-run", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert mock.requests == []
    (plan,) = re.findall(r"^Plan: (\d+) requests", result.stdout, re.M)
    curls = [line for line in result.stdout.splitlines() if line.startswith("curl ")]
    assert len(curls) == int(plan) > 300
    assert sum("$CLOUDFLARE_API_TOKEN" in line for line in curls) > 300  # the token, shown as its variable
    assert data.token not in result.stdout + result.stderr
    assert "Dry run: nothing was sent." in result.stdout
    assert "\nEdition:  documented (assumed: a dry run sends nothing to detect it from; the generated cases follow it)\n" in result.stdout
    assert "_pytest" not in result.stdout + result.stderr and "!!!" not in result.stdout  # no pytest internals


def test_the_live_profile_is_the_default_off_loopback() -> None:
    def profile(target: str) -> str:
        return resolve({"target": target}, {}, {}).profile

    assert [profile(t) for t in ("https://api.cloudflare.com/client/v4", "http://127.0.0.1:8080", "http://localhost:4010", "embedded")] == [
        "live",
        "ci",
        "ci",
        "ci",
    ]
    assert resolve({"target": "https://api.cloudflare.com/client/v4", "profile": "ci"}, {}, {}).profile == "ci"


class LimitedOnce(ReferenceMock):
    """The reference mock that answers the first session request 429 with a short Retry-After, then as usual."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data)
        self.limited = 0

    def respond(self, request: Request) -> Reply:
        if "/sessions/" in request.path and not self.limited:
            self.limited += 1
            return Reply(429, {"success": False, "errors": [{"code": 971, "message": "slow down"}]}, {"retry-after": "1"})
        return super().respond(request)


def test_a_short_retry_after_is_waited_out_and_the_run_goes_on(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = LimitedOnce(data)
    args, env = target_of(serve(mock), data)
    result = run_cli("run", *args, "--", "-m", "not property", env=env, cwd=tmp_path)
    assert mock.limited == 1
    assert result.returncode == 0, result.stdout[-2000:]
    assert "429" not in result.stdout.split("Requests:")[1].splitlines()[0]  # the retried request got its real answer


@pytest.mark.parametrize(
    ("headers", "retry", "pause"),
    [
        ({}, None, 0.0),
        ({"retry-after": "5"}, 5.0, 0.0),
        ({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}, None, 0.0),
        ({"ratelimit": '"default";r=50;t=30'}, None, 0.0),  # plenty left
        ({"ratelimit": '"default";r=5;t=10'}, None, 2.0),  # few left: the window's rest spread over them
        ({"ratelimit": '"default";r=2;t=300'}, None, 0.0),  # pausing would not save the run: a 429 stops it
    ],
)
def test_rate_limit_headers_are_read_as_cloudflare_sends_them(headers: dict[str, str], retry: float | None, pause: float) -> None:
    assert (retry_after(headers), pause_for(headers)) == (retry, pause)


def test_past_the_runs_deadline_it_stops_with_exit_2(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = SlowMock(data)
    args, env = target_of(serve(mock), data)
    result = run_cli("run", *args, "--deadline", "2", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stdout[-2000:]
    assert "\nVerdict: INCONCLUSIVE: the run's deadline (2 s, --deadline) passed; the run stopped there\n" in result.stdout
    # A run sends one request at a time, each answered after the mock's pause: within its 2 s no more than these
    # reach the mock, however busy the machine (a whole run sends some 270).
    assert len(mock.requests) <= 2 / mock.pause + 1
