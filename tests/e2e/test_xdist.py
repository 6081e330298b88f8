"""One run under pytest-xdist: the workers send through the controller's relay, so the run keeps one budget, one
cassette, one edition and one verdict, whatever -n is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData
from tests.conftest import RecordingMock, run_cli, target_of

pytestmark = pytest.mark.timing


def verdict_of(stdout: str) -> str:
    return stdout.split("\nVerdict: ")[1].splitlines()[0]


def test_a_budget_of_40_sends_at_most_40_requests_with_two_workers(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = RecordingMock(data)
    args, env = target_of(serve(mock), data)
    result = run_cli("run", *args, "--profile", "live", "--max-requests", "40", "--", "-n", "2", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert len(mock.requests) == 40
    assert verdict_of(result.stdout).startswith("PARTIAL: the request budget (40, --max-requests) was spent: ")


def test_a_selection_under_xdist_is_partial(tmp_path: Path) -> None:
    result = run_cli("run", "--", "-n", "2", "-m", "auth or errors", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert re.fullmatch(
        r"PARTIAL: a selection: (\d+) of (\d+) tests ran; of what ran: CONFORMS: every check holds", verdict_of(result.stdout)
    )


def test_a_recording_under_xdist_holds_every_exchange_and_replays_to_the_same_verdict(tmp_path: Path) -> None:
    cassette = tmp_path / "run.yaml"
    recorded = run_cli("run", "--cassette", str(cassette), "--record-mode", "all", "--", "-n", "2", cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stdout[-2000:] + recorded.stderr[-2000:]
    (sent,) = re.findall(r"^Requests: .*; (\d+) sent", recorded.stdout, re.M)
    assert cassette.read_text().count("\n- request:") == int(sent) > 100
    replayed = run_cli("run", "--cassette", str(cassette), cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stdout[-2000:] + replayed.stderr[-2000:]
    assert (replayed.returncode, verdict_of(replayed.stdout)) == (0, verdict_of(recorded.stdout)) == (0, "CONFORMS: every check holds")


def test_two_workers_send_what_one_process_sends(tmp_path: Path) -> None:
    """Each request once per run: the workers' explicit probes, POST included, share the controller's one answer,
    and a worker's copy of a probe is no request of its own: the counts, shared ones included, are the same."""
    lines = [re.findall(r"^Requests: .*", run_cli("run", *more, cwd=tmp_path).stdout, re.M) for more in ([], ["--", "-n", "2"])]
    assert lines[0] == lines[1] != []
    assert re.search(r"; \d+ sent, \d+ shared the answer", lines[0][0])
