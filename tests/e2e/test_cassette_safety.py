"""A cassette never loses data: a recording is written only when its run ends whole, adding to a cassette under
other settings is refused, and a path that cannot hold a cassette is one line and exit 2."""

from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, ReferenceMock
from tests.conftest import SlowMock, run_cli, start_cli, target_of, wait_for

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_recording_leaves_the_previous_cassette_untouched(
    stop: signal.Signals, serve: Any, data: MockData, tmp_path: Path
) -> None:
    mock = SlowMock(data, pause=0)  # at once for the first recording, slow for the one that is interrupted
    args, env = target_of(serve(mock), data)
    cassette = tmp_path / "good.yaml"
    first = run_cli("run", *args, "--cassette", str(cassette), "--record-mode", "all", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stdout[-2000:]
    before = cassette.read_bytes()
    mock.pause = 0.02
    run = start_cli("run", *args, "--cassette", str(cassette), "--record-mode", "all", env=env, cwd=tmp_path)
    explicit = int(re.findall(r"(\d+) explicit", run.line("Plan: "))[0])
    sent_before_the_tests = len(mock.requests)  # the preflight's, the edition's
    # Well into the run: the explicit probes are sent (fewer requests than probes: some share an answer), the
    # property layer is sending.
    wait_for(lambda: len(mock.requests) > sent_before_the_tests + explicit, "the property layer's requests", run.process)
    run.signal(stop)
    exit_code, _, stderr = run.finish()
    assert exit_code == (2 if stop == signal.SIGINT else -signal.SIGTERM), stderr[-2000:]
    assert cassette.read_bytes() == before
    replay = run_cli("run", "--cassette", str(cassette), cwd=tmp_path)
    assert replay.returncode == 0, replay.stdout[-2000:]


def test_a_selection_does_not_overwrite_a_whole_cassette(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(ReferenceMock(data)), data)
    cassette = tmp_path / "c.yaml"
    assert run_cli("run", *args, "--cassette", str(cassette), "--record-mode", "all", env=env, cwd=tmp_path).returncode == 0
    before = cassette.read_bytes()
    partial = run_cli("run", *args, "--cassette", str(cassette), "--record-mode", "all", "--", "-m", "auth", env=env, cwd=tmp_path)
    assert partial.returncode == 0
    assert f"rtk-conformance: cassette {cassette} left as it was: the run did not end whole" in partial.stderr
    assert cassette.read_bytes() == before


def test_adding_to_a_cassette_under_other_settings_is_refused(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(ReferenceMock(data)), data)
    cassette = tmp_path / "c.yaml"
    assert run_cli("run", *args, "--cassette", str(cassette), "--record-mode", "all", env=env, cwd=tmp_path).returncode == 0
    other = run_cli("run", *args, "--cassette", str(cassette), "--record-mode", "new_episodes", "--seed", "7", env=env, cwd=tmp_path)
    assert other.returncode == 2
    assert other.stderr.strip().splitlines() == [
        f"ERROR: cassette {cassette} was recorded with other settings: seed 0 (recorded) vs 7 (now)."
        " Re-record it, or run with the recorded settings"
    ]
    same = run_cli("run", *args, "--cassette", str(cassette), "--record-mode", "new_episodes", env=env, cwd=tmp_path)
    assert same.returncode == 0


def test_a_directory_is_no_cassette(tmp_path: Path) -> None:
    folder = tmp_path / "cassettes"
    folder.mkdir()
    result = run_cli("run", "--cassette", str(folder), "--record-mode", "all", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"ERROR: cannot write cassette {folder}: it is a directory; give a file path such as {folder / 'run.yaml'}"
    ]
    assert list(folder.iterdir()) == []


def test_re_recording_the_embedded_mock_with_nothing_changed_leaves_the_cassette_byte_identical(tmp_path: Path) -> None:
    """The embedded mock listens on another port each run: the cassette holds `mock`'s default address instead."""
    recorded = []
    for name in ("first.yaml", "again.yaml"):
        assert run_cli("run", "--cassette", name, "--record-mode", "all", "--redact-ids", cwd=tmp_path).returncode == 0
        recorded.append((tmp_path / name).read_bytes())
    assert recorded[0] == recorded[1] and b"127.0.0.1:8787" in recorded[0]
    assert run_cli("run", "--cassette", "again.yaml", cwd=tmp_path).returncode == 0
