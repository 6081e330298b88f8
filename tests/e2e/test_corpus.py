"""The corpus cache: a deterministic profile's generated cases are kept between runs, and a run from the cache sends
exactly the requests, in the same order, that a run generating them sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, ReferenceMock
from tests.conftest import RecordingMock, run_cli, target_of

pytestmark = pytest.mark.slow


def sent(mock: RecordingMock) -> list[tuple[str, str, list[tuple[str, str]], dict[str, str]]]:
    """What the target saw: method, raw path, query and headers, but the random id schemathesis gives each case
    (it differs between two runs that generate)."""
    return [(r.method, r.path, r.query, {k: v for k, v in r.headers.items() if k != "x-schemathesis-testcaseid"}) for r in mock.requests]


def test_a_run_from_the_cache_sends_exactly_what_a_generating_run_sends(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = RecordingMock(data)
    args, env = target_of(serve(mock), data)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    runs, plans = [], []
    for extra in ([], [], ["--fresh"]):
        mock.requests.clear()
        result = run_cli("run", *args, *extra, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stdout[-2000:]
        plans.append(result.stdout.splitlines()[0])
        runs.append(sent(mock))
    assert [plan.endswith("; generated cases from the cache") for plan in plans] == [False, True, False]
    assert len(runs[0]) > 100  # every distinct request of the run: a case that repeats one shares its answer
    assert runs[1] == runs[0]  # request by request
    assert runs[2] == runs[0]
    assert list((tmp_path / "cache" / "rtk-conformance" / "corpus").glob("*.json"))


def test_a_cassette_recorded_fresh_replays_from_the_cache(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(ReferenceMock(data)), data)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    cassette = str(tmp_path / "run.yaml")
    recorded = run_cli("run", *args, "--fresh", "--cassette", cassette, "--record-mode", "all", env=env, cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stdout[-2000:]
    replayed = run_cli("run", "--cassette", cassette, env=env, cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stdout[-2000:]
    assert replayed.stdout.splitlines()[0].endswith("; generated cases from the cache")


def test_an_unreadable_corpus_is_set_aside_with_a_notice_and_generated_anew(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(ReferenceMock(data)), data)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    assert run_cli("run", *args, "--", "-m", "property", env=env, cwd=tmp_path).returncode == 0
    kept = sorted((tmp_path / "cache" / "rtk-conformance" / "corpus").glob("*.json"))
    for path in kept:
        path.write_bytes(b"not json")
    again = run_cli("run", *args, "--", "-m", "property", env=env, cwd=tmp_path)
    assert again.returncode == 0 and not again.stdout.splitlines()[0].endswith("from the cache")
    notices = [line for line in again.stdout.splitlines() if line.startswith("Cache: ")]
    why = "set aside, it is not readable JSON (JSONDecodeError); the cases are generated anew"
    assert sorted(notices) == sorted(f"Cache: {path} {why}" for path in kept)
