"""Sharing in a run: each request is sent once, and the summary says how many shared the answer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conformance.mock import MockData
from tests.conftest import RecordingMock, run_cli, target_of


def asked(mock: RecordingMock) -> list[tuple[Any, ...]]:
    """What each request the mock got asks: method, path, query and the headers that ask (not who sends)."""
    headers = ("authorization", "content-type")
    return [(r.method, r.path, tuple(r.query), tuple((h, r.headers.get(h)) for h in headers)) for r in mock.requests]


def test_a_run_sends_each_request_once_and_says_how_many_shared(serve: Any, data: MockData, tmp_path: Path) -> None:
    mock = RecordingMock(data)
    args, env = target_of(serve(mock), data)
    result = run_cli("run", *args, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    got = asked(mock)[1:]  # after the preflight, which makes sure something answers at all
    assert len(set(got)) == len(got)  # no request was sent twice, explicit or generated
    pattern = r"^Requests: (\d+) \(1 preflight, 24 explicit, \d+ generated\): .*; (\d+) sent, (\d+) shared the answer"
    line = re.search(pattern, result.stdout, re.M)
    assert line is not None, result.stdout[-3000:]
    made, sent, shared = map(int, line.groups())
    assert (sent - 1, made) == (len(got), sent + shared) and shared > 0  # the preflight is one of the requests sent
