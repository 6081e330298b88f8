"""The corpus cache: a deterministic profile's generated cases are kept between runs, and a run from the cache sends
exactly the requests, in the same order, that a run generating them sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, ReferenceMock
from conformance.mock.app import Reply, Request
from tests.conftest import run_cli, target_of

pytestmark = pytest.mark.slow


class Recorder(ReferenceMock):
    """The reference mock, keeping every request it answers: method, raw path, query and headers (but the random id
    schemathesis gives each case, which differs between two runs that generate)."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data)
        self.requests: list[tuple[str, str, list[tuple[str, str]], dict[str, str]]] = []

    def respond(self, request: Request) -> Reply:
        headers = {k: v for k, v in request.headers.items() if k != "x-schemathesis-testcaseid"}
        self.requests.append((request.method, request.path, request.query, headers))
        return super().respond(request)


def test_a_run_from_the_cache_sends_exactly_what_a_generating_run_sends(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = Recorder(data)
    args, env = target_of(serve(mock), data)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    sent, plans = [], []
    for extra in ([], [], ["--fresh"]):
        mock.requests.clear()
        result = run_cli("run", *args, *extra, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stdout[-2000:]
        plans.append(result.stdout.splitlines()[0])
        sent.append(list(mock.requests))
    assert [plan.endswith("; generated cases from the cache") for plan in plans] == [False, True, False]
    assert len(sent[0]) > 300
    assert sent[1] == sent[0]  # request by request
    assert sent[2] == sent[0]
    assert list((tmp_path / "cache" / "rtk-conformance" / "corpus").glob("*.pickle"))


def test_a_cassette_recorded_fresh_replays_from_the_cache(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(ReferenceMock(data)), data)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    cassette = str(tmp_path / "run.yaml")
    recorded = run_cli("run", *args, "--fresh", "--cassette", cassette, "--record-mode", "all", env=env, cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stdout[-2000:]
    replayed = run_cli("run", "--cassette", cassette, env=env, cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stdout[-2000:]
    assert replayed.stdout.splitlines()[0].endswith("; generated cases from the cache")


def test_an_unreadable_corpus_is_generated_anew(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(ReferenceMock(data)), data)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    assert run_cli("run", *args, "--", "-m", "property", env=env, cwd=tmp_path).returncode == 0
    for kept in (tmp_path / "cache" / "rtk-conformance" / "corpus").glob("*.pickle"):
        kept.write_bytes(b"not a pickle")
    again = run_cli("run", *args, "--", "-m", "property", env=env, cwd=tmp_path)
    assert again.returncode == 0 and not again.stdout.splitlines()[0].endswith("from the cache")
