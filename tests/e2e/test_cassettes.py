"""Cassettes through rtk-conformance: record any target, replay offline to the same verdict, and never write a secret."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
import yaml

from conformance.contract import BASE_PATH
from conformance.mock import MockData, ReferenceMock
from conformance.mock.app import Reply, Request
from conformance.mock.server import serve_in_thread
from conformance.selftest.mutants import MUTANTS
from conformance.selftest.mutants.kinds import ReplyEdit
from tests.conftest import OUTER_BOUND, clean_env, run_cli, target_of
from tests.e2e.test_prism import graded
from tests.unit.test_cassettes import SHIPPED

CANARY = "canary-token-7f3a9c1e5b2d4f60a8e1"


def record(url: str, data: MockData, cassette: Path, tmp_path: Path, *extra: str) -> Any:
    args, env = target_of(url, data)
    return run_cli("run", *args, "--cassette", str(cassette), "--record-mode", "all", *extra, env=env, cwd=tmp_path)


def replay(cassette: Path, tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    return run_cli("run", "--cassette", str(cassette), *extra, env=env, cwd=tmp_path)


def test_record_then_replay_gives_the_same_verdict_per_test(serve: Any, data: MockData, tmp_path: Path) -> None:
    cassette = tmp_path / "good.yaml"
    recorded = record(serve(ReferenceMock(data)), data, cassette, tmp_path, "--junitxml", str(tmp_path / "rec.xml"))
    replayed = replay(cassette, tmp_path, "--junitxml", str(tmp_path / "rep.xml"))
    assert (recorded.returncode, replayed.returncode) == (0, 0), replayed.stdout
    assert graded(tmp_path / "rec.xml") == graded(tmp_path / "rep.xml")
    assert "Target:   cassette" in replayed.stdout and "recorded from http://127.0.0.1:" in replayed.stdout


def test_a_cassette_records_the_edition_and_a_replay_checks_it(serve: Any, data: MockData, tmp_path: Path) -> None:
    cassette = tmp_path / "current.yaml"
    recorded = record(serve(ReferenceMock(data, edition="current")), data, cassette, tmp_path, "--", "-m", "not property")
    replayed = replay(cassette, tmp_path, "--", "-m", "not property")
    asked_otherwise = replay(cassette, tmp_path, "--edition", "documented")
    assert (recorded.returncode, replayed.returncode) == (0, 0), replayed.stdout[-2000:]
    assert yaml.safe_load(cassette.read_text())["metadata"]["conformance"]["settings"]["edition"] == "current"
    assert "Edition:  current (detected)" in recorded.stdout and "Edition:  current (recorded)" in replayed.stdout
    assert asked_otherwise.returncode == 2
    assert "edition 'current' (recorded) vs 'documented' (now)" in asked_otherwise.stderr


def test_a_broken_mock_replays_to_the_same_failures(serve: Any, data: MockData, tmp_path: Path) -> None:
    cassette = tmp_path / "broken.yaml"
    url = serve(MUTANTS["status-paused"].build(data))
    record(url, data, cassette, tmp_path, "--junitxml", str(tmp_path / "rec.xml"), "--", "-m", "not property")
    replayed = replay(cassette, tmp_path, "--junitxml", str(tmp_path / "rep.xml"), "--", "-m", "not property")
    assert replayed.returncode == 1
    failed = {name for name, outcome in graded(tmp_path / "rep.xml").items() if outcome == "failed"}
    assert failed and failed == {name for name, outcome in graded(tmp_path / "rec.xml").items() if outcome == "failed"}
    assert any("enums.status" in name for name in failed)


BLOCK_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network blocked by the test")
socket.socket.connect = socket.socket.bind = socket.create_connection = refuse
from conformance.cli.console import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_shipped_cassette_replays_with_the_network_blocked(tmp_path: Path) -> None:
    command = [sys.executable, "-c", BLOCK_NETWORK, "run", "--cassette", str(SHIPPED)]
    result = subprocess.run(command, env=clean_env(), cwd=tmp_path, capture_output=True, text=True, timeout=OUTER_BOUND)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "recorded from embedded reference mock" in result.stdout
    assert "Verdict: CONFORMS: every check holds" in result.stdout


class Leaky(ReplyEdit):
    """The reference mock, echoing the Authorization header back and setting cookies: a redaction test."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data, self.leak)

    @staticmethod
    def leak(request: Request, reply: Reply) -> Reply:
        echoed = request.headers.get("authorization", "")
        reply.headers.update({"x-echo": echoed, "set-cookie": f"s={echoed}", "cf-ray": "8f1e2d3c4b5a6978-AMS", "server": "cloudflare"})
        if isinstance(reply.body, dict):
            reply.body = {**reply.body, "echo": echoed}
        return reply


def test_the_token_appears_nowhere_in_a_cassette(data: MockData, tmp_path: Path) -> None:
    canary_data = dataclasses.replace(data, realtime_tokens=(CANARY,), tokens_without_permission=())
    cassette = tmp_path / "canary.yaml"
    with serve_in_thread(Leaky(canary_data)) as url:
        args, _ = target_of(url, canary_data)
        result = run_cli(
            "run",
            *args,
            "--cassette",
            str(cassette),
            "--record-mode",
            "all",
            "--",
            "-m",
            "not property",
            env={"CLOUDFLARE_API_TOKEN": CANARY},
            cwd=tmp_path,
        )
    text = cassette.read_text()
    assert result.returncode == 0, result.stdout
    assert CANARY not in text and CANARY not in result.stdout + result.stderr
    headers = {name.lower() for i in yaml.safe_load(text)["interactions"] for name in i["response"]["headers"]}
    assert headers.isdisjoint({"set-cookie", "cf-ray", "date", "server"}) and "x-echo" in headers
    assert "[credentials: valid]" in text and "[credentials: malformed Basic]" in text


def test_redact_ids_writes_placeholders_that_still_replay(data: MockData, serve: Any, tmp_path: Path) -> None:
    cassette = tmp_path / "public.yaml"
    record(serve(ReferenceMock(data)), data, cassette, tmp_path, "--redact-ids", "--", "-m", "not property")
    text = cassette.read_text()
    assert data.account_id not in text and data.app_id not in text
    assert "REDACTED-ACCOUNT-ID" in text and "REDACTED-APP-ID" in text
    assert replay(cassette, tmp_path, "--", "-m", "not property").returncode == 0


def test_a_replay_miss_names_the_request_and_the_nearest_recorded(data: MockData, serve: Any, tmp_path: Path) -> None:
    cassette = tmp_path / "auth-only.yaml"
    record(serve(ReferenceMock(data)), data, cassette, tmp_path, "--", "-m", "auth")
    result = replay(cassette, tmp_path, "--", "-k", "errors.unknown-session")
    assert result.returncode == 1
    assert "Received: not in the cassette: GET /client/v4/accounts/" in result.stdout
    assert "/sessions/00000000-0000-4000-8000-000000000000; nearest recorded: GET /client/v4/" in result.stdout
    assert "Re-record with --record-mode new_episodes (adds it) or all" in result.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-examples", "10"], "max_examples 300 (recorded) vs 10 (now)"),
        (["--profile", "live"], "profile 'ci' (recorded) vs 'live' (now)"),
        (["--session-id", "another"], "was recorded for other ids (session_id): leave them out to replay it"),
    ],
)
def test_replaying_with_other_settings_says_so_plainly(extra: list[str], message: str, tmp_path: Path) -> None:
    result = replay(SHIPPED, tmp_path, *extra)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"ERROR: cassette {SHIPPED} ") and message in line


def test_bad_cassettes_are_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "corrupt.yaml").write_text("interactions: [\n  - {")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked").chmod(0o500)
    cases = [
        (
            ["--cassette", "missing.yaml"],
            "ERROR: cassette missing.yaml does not exist: record it first with --target URL --record-mode once",
        ),
        (
            ["--cassette", "corrupt.yaml"],
            "ERROR: cassette corrupt.yaml is not a readable cassette (did not find expected node content, line 2): re-record it",
        ),
        (["--record-mode", "all"], "ERROR: --record-mode all needs --cassette PATH"),
    ]
    if os.geteuid() != 0:  # root writes anywhere
        cases.append(
            (["--cassette", "locked/c.yaml", "--record-mode", "all"], "ERROR: cannot write cassette locked/c.yaml: permission denied")
        )
    for args, message in cases:
        result = run_cli("run", *args, cwd=tmp_path)
        assert (result.returncode, result.stderr.strip().splitlines()) == (2, [message])


def test_a_vcrpy_cassette_of_httpx_code_replays_here(data: MockData, tmp_path: Path) -> None:
    cassette = tmp_path / "from-httpx.yaml"
    with serve_in_thread(ReferenceMock(data)) as root, vcr.use_cassette(str(cassette), record_mode="all"):
        for session_id in data.session_ids:
            url = f"{root}{BASE_PATH}/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{session_id}"
            assert httpx.get(url, headers={"Authorization": f"Bearer {data.token}"}).status_code == 200
    result = replay(
        cassette, tmp_path, "--", "-m", "schema and not breakout", "-k", "not breakout", env={"CLOUDFLARE_API_TOKEN": data.token}
    )
    assert result.returncode == 0, result.stdout
    assert "(recorded from vcrpy)" in result.stdout and re.search(r"a selection: 20 of \d+ tests ran; of what ran: CONFORMS", result.stdout)
