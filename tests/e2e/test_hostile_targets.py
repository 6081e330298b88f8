"""The hostile-input cases that once got through, each as it was measured, each held to every invariant of the fuzzer
(tests/e2e/test_fuzz_targets.py): bounded in time and memory, an exit code from the table, never a traceback or "the
suite itself failed", the token in no byte of any output in any form; and each with the one line or verdict it gets."""

from __future__ import annotations

import gzip
import json
import resource
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.contract import BASE_PATH
from tests.conftest import ROOT, clean_env
from tests.e2e import hostile_targets
from tests.e2e.faults import Behaviour, answer, fault_server, on_api_paths
from tests.e2e.test_fuzz_targets import CANARY, IDS, broken_invariants, run_measured

pytestmark = pytest.mark.slow
MiB = 1024 * 1024


def echoed(head: str) -> str:
    """The Authorization header the request carried: what a hostile target echoes back."""
    sent = [line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("authorization:")]
    return (sent or [""])[0]


def token_in_the_reason_phrase(conn: socket.socket, head: str) -> None:
    answer(f"200 {echoed(head)}", b'{"success": true}')(conn, head)


def token_as_json_escapes(conn: socket.socket, head: str) -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in echoed(head))
    answer("403 Forbidden", ('{"success": false, "errors": [{"code": 9109, "message": "' + escaped + '"}]}').encode())(conn, head)


def token_past_a_short_content_length(conn: socket.socket, head: str) -> None:
    body = f'{{"success": false, "errors": [{{"code": 9109, "message": "Invalid token {echoed(head)}"}}]}}'.encode()
    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n" + body)


def stacked_gzip(layers: int) -> Behaviour:
    inner = hostile_targets.bomb_layer() if layers == 2 else gzip.compress(b"\0" * (512 * MiB), compresslevel=9)
    payload = gzip.compress(inner) if layers == 2 else inner
    encoding = ", ".join(["gzip"] * layers)
    return answer("200 OK", payload, extra=f"Content-Encoding: {encoding}\r\n")


DEEP_FIELD = json.dumps({"success": True, "data": {"session": {"meta": json.loads("[" * 900 + "]" * 900)}}}).encode()


@dataclass(frozen=True)
class Target:
    """A case: what the target does, and what the run must say (its exit code, a line it prints)."""

    behaviour: Behaviour
    exit_code: int | tuple[int, ...]
    says: str = ""
    record_then_replay: bool = False


CASES = {
    "token-in-the-reason-phrase": Target(on_api_paths(token_in_the_reason_phrase), (0, 1), record_then_replay=True),
    "token-as-json-escapes": Target(on_api_paths(token_as_json_escapes), 1, record_then_replay=True),
    "token-past-a-short-content-length": Target(on_api_paths(token_past_a_short_content_length), (1, 2)),
    "gzip-gzip-bomb": Target(on_api_paths(stacked_gzip(2)), (1, 2), "the response body is larger than"),
    "gzip-bomb": Target(on_api_paths(stacked_gzip(1)), (1, 2), "the response body is larger than"),
    "a-field-nested-900-deep": Target(on_api_paths(answer("200 OK", DEEP_FIELD)), (1, 2), "nested deeper than 64 levels"),
    "location-javascript": Target(on_api_paths(answer("302 Found", b"{}", extra="Location: javascript:alert(1)\r\n")), 1),
    "location-not-a-url": Target(on_api_paths(answer("302 Found", b"{}", extra="Location: http://[::1/x\r\n")), 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_target_is_bounded_one_verdict_and_no_token(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    with fault_server(case.behaviour) as root:
        target = ["--target", root + BASE_PATH, *IDS, "--deadline", "120", "--max-examples", "20", "--report", "r.json"]
        runs = [
            [*target, "--cassette", "c.yaml", "--record-mode", "once"],
            ["--cassette", "c.yaml", "--max-examples", "20", "--report", "r2.json"],
        ]
        for argv in runs if case.record_then_replay else [[*target, "--junitxml", "j.xml"]]:
            held_to_every_invariant(["run", *argv], case, tmp_path)


def held_to_every_invariant(argv: list[str], case: Target, folder: Path) -> None:
    logs = folder.parent / f"{folder.name}-logs-{len(list(folder.parent.glob(folder.name + '-logs-*')))}"
    logs.mkdir()
    ran = run_measured(argv, folder, logs, 300)
    assert broken_invariants(ran, folder) == [], ran.stdout[-3000:]
    assert ran.returncode in (case.exit_code if isinstance(case.exit_code, tuple) else (case.exit_code,)), ran.stdout[-3000:]
    assert case.says in ran.stdout + ran.stderr, (ran.stdout + ran.stderr)[-3000:]


def nested_rooms(depth: int) -> dict[str, object]:
    """Seed data whose first session has breakout rooms nested `depth` deep."""
    data: dict[str, Any] = json.loads((ROOT / "conformance" / "mock" / "data.json").read_text())
    plain = {k: v for k, v in data["sessions"][0].items() if k != "breakout_rooms"}
    room: dict[str, object] = dict(plain, id="00000000-0000-4000-8000-000000000000")
    for number in range(1, depth):
        room = dict(plain, id=f"00000000-0000-4000-8000-{number:012d}", breakout_rooms=[room])
    data["sessions"][0] = dict(plain, breakout_rooms=[room])
    return dict(data)


def cassette_nested(depth: int) -> str:
    return "interactions:\n" + "".join("  " * n + "- \n" for n in range(depth))


@dataclass(frozen=True)
class Refused:
    argv: list[str]
    exit_code: int
    says: str
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


NESTED = "nested deeper than 64 levels"
ONE_OR_MORE = "expected one or more values separated by commas"
DEEP_DATA = {"d.json": json.dumps(nested_rooms(450))}
DEEP_CASSETTE = {"c.yaml": cassette_nested(999)}
REFUSED = {
    "seed-data-nested-450-deep": Refused(["mock", "--port", "0", "--data", "d.json"], 2, NESTED, files=DEEP_DATA),
    "a-cassette-nested-999-deep": Refused(["run", "--cassette", "c.yaml"], 2, NESTED, files=DEEP_CASSETTE),
    "a-cassette-nested-999-deep-served": Refused(["mock", "--cassette", "c.yaml"], 2, NESTED, files=DEEP_CASSETTE),
    "a-target-that-is-no-url": Refused(["run", "--target", "http://[::1/client/v4"], 2, "--target (or CONFORMANCE_TARGET) is not a URL"),
    "a-target-that-is-no-url-in-the-environment": Refused(
        ["run"], 2, "is not a URL (Invalid IPv6 URL)", env={"CONFORMANCE_TARGET": "http://[::1/client/v4"}
    ),
    "no-conformance-plugin": Refused(["run", "--", "-p", "no:conformance"], 2, "-p no:conformance would switch off the suite's own plugin"),
    "no-conformance-plugin-by-module": Refused(
        ["run", "--", "-p", "no:conformance.plugin"], 2, "-p no:conformance.plugin would switch off the suite's own plugin"
    ),
    "no-terminal-plugin": Refused(["run", "--", "-p", "no:terminal"], 2, "-p no:terminal would switch off pytest's terminal reporter"),
    "an-empty-session-id": Refused(["run", "--session-id", ""], 2, f"--session-id: {ONE_OR_MORE}, got ''"),
    "a-session-id-of-commas": Refused(["run", "--session-id", ","], 2, f"--session-id: {ONE_OR_MORE}, got ','"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_input_is_refused_in_one_line_with_its_exit_code(name: str, tmp_path: Path) -> None:
    case = REFUSED[name]
    for file, content in case.files.items():
        (tmp_path / file).write_text(content)
    done = subprocess.run(
        [sys.executable, "-m", "conformance", *case.argv],
        env={**clean_env(), "CLOUDFLARE_API_TOKEN": CANARY, **case.env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == case.exit_code, done.stdout[-2000:] + done.stderr[-2000:]
    assert case.says in done.stderr and "Traceback" not in done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_full_disk_while_the_cassette_is_written_is_one_line_the_verdicts_exit_code_and_no_partial_file(tmp_path: Path) -> None:
    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))  # a cassette of the embedded mock is larger

    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--cassette", "c.yaml", "--record-mode", "once"],
        env=clean_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_files,
    )
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "Verdict: CONFORMS: every check holds"
    assert done.stderr.strip() == "ERROR: cannot write the cassette c.yaml: File too large"
    assert sorted(p.name for p in tmp_path.iterdir() if "c.yaml" in p.name) == []


def test_an_id_that_is_utf_8_in_a_posix_locale_is_read_as_typed(tmp_path: Path) -> None:
    env = {**clean_env(), "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0", "LC_ALL": "POSIX"}
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--session-id", "sessão-ü"], env=env, cwd=tmp_path, capture_output=True, timeout=300
    )
    printed = (done.stdout + done.stderr).decode("ascii", "replace")
    assert done.returncode == 1 and "INTERNALERROR" not in printed and "Traceback" not in printed
    assert "Verdict: INCONCLUSIVE: no 200 response was seen" in printed  # no such session on the embedded mock
    assert "sess\\xe3o-\\xfc" in printed  # written as escapes where the terminal cannot show it


def test_kept_cases_that_name_another_session_are_set_aside(tmp_path: Path) -> None:
    env = {**clean_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    run = [sys.executable, "-m", "conformance", "run"]
    assert subprocess.run(run, env=env, cwd=tmp_path, capture_output=True, timeout=300).returncode == 0
    for kept in (tmp_path / "cache" / "rtk-conformance" / "corpus").glob("*.json"):
        content = json.loads(kept.read_text())
        for case in content["cases"]:
            case["path_parameters"]["session_id"] = "11111111-2222-4333-8444-555555555555"
        kept.write_text(json.dumps(content))
    again = subprocess.run(run, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "its cases name what this run's generator never would (session_id 11111111-2222-4333-8444-555555555555)" in again.stdout
    assert again.returncode == 0 and "positive cases that reached a session (200): 140 of 271" in again.stdout


def test_a_live_profile_on_two_workers_prints_its_plan(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--profile", "live", "--max-requests", "40", "--", "-n", "2"],
        env=clean_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    plan = next(line for line in done.stdout.splitlines() if line.startswith("Plan: "))
    assert "; at most 40 (--max-requests); GET only" in plan, done.stdout[-2000:]
