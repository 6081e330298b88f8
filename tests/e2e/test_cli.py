"""rtk-conformance as users run it: child processes, real servers on loopback, exit codes 0/1/2."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from conformance import __version__
from conformance.checks import REGISTRY
from conformance.mock import MockData
from conformance.mock.server import bind
from conformance.run.targets import PREFLIGHT_TIMEOUT, TargetError, preflight
from conformance.selftest.mutants import set_to
from conformance.selftest.mutants.kinds import DenyAll, SessionEdit
from conformance.transport.http import Limits, Transport
from tests.conftest import ENDED_BOUND, OUTER_BOUND, clean_env, failed_checks, run_cli, start_cli, target_of, wait_for


def test_run_with_no_arguments_passes_on_the_embedded_mock(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Target:   embedded reference mock" in result.stdout
    assert "Verdict: CONFORMS: every check holds" in result.stdout
    assert "warning" not in result.stdout.lower()
    table = result.stdout.split("Property cases (profile ci, seed 0):")[1].split("positive cases that reached")[0]
    rows = {tuple(line.split()[:2]): int(line.split()[2]) for line in table.strip().splitlines()[1:]}
    assert set(rows) == {(p, m) for p in ("examples", "coverage", "fuzzing") for m in ("positive", "negative")} - {("examples", "negative")}
    assert sum(rows.values()) >= 300


@pytest.fixture
def mock_process(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`rtk-conformance mock --port 0` in another process; yields the variables it prints."""
    process = subprocess.Popen([sys.executable, "-m", "conformance", "mock", "--port", "0"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(6)]
    try:
        yield dict(re.findall(r"^export (\w+)=(\S+)$", "".join(lines), re.M))
    finally:
        process.terminate()
        process.wait(timeout=ENDED_BOUND)
        process.stdout.close()


def test_mock_prints_the_variables_run_reads(mock_process: dict[str, str], data: MockData) -> None:
    assert sorted(mock_process) == [
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_TOKEN",
        "CONFORMANCE_APP_ID",
        "CONFORMANCE_SESSION_ID",
        "CONFORMANCE_TARGET",
    ]
    assert mock_process["CONFORMANCE_SESSION_ID"] == ",".join(data.session_ids)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/client/v4", mock_process["CONFORMANCE_TARGET"])


def test_run_passes_against_the_mock_in_another_process(mock_process: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("run", env=mock_process, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Target:   {mock_process['CONFORMANCE_TARGET']}" in result.stdout
    assert "Verdict: CONFORMS" in result.stdout


def test_pytest_runs_the_same_suite(mock_process: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-q", "-m", "auth or transport"],
        env={**clean_env(), **mock_process},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=OUTER_BOUND,
    )
    assert result.returncode == 0, result.stdout
    assert re.search(r"^13 passed, \d+ deselected", result.stdout, re.M)


def test_a_server_answering_401_to_everything_never_passes(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(DenyAll(data)), data)
    result = run_cli("run", *args, "--", "-m", "not property", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "no 200 response" in result.stdout
    assert "Verdict: PARTIAL: a selection: 233 of 239 tests ran; of what ran: INCONCLUSIVE: no 200 response was seen" in result.stdout


@pytest.mark.timing
def test_a_closed_port_is_one_line_and_exit_2_fast(tmp_path: Path) -> None:
    with bind() as sock:  # bound but not listening: connections are refused
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        # Fast: the preflight gives up at the refusal, well before its own deadline (measured in this process: a
        # child's start-up takes as long as the machine is busy).
        with contextlib.closing(Transport(Limits())) as transport:
            started = time.monotonic()
            with pytest.raises(TargetError, match="Connection refused"):
                preflight(url, transport)
            assert time.monotonic() - started < PREFLIGHT_TIMEOUT
        result = run_cli(
            "run",
            "--target",
            url,
            "--account-id",
            "a",
            "--app-id",
            "b",
            "--session-id",
            "c",
            env={"CLOUDFLARE_API_TOKEN": "t"},
            cwd=tmp_path,
        )
    assert result.returncode == 2
    assert result.stdout.strip() == ""
    assert result.stderr.strip().splitlines() == [
        f"ERROR: cannot reach {url}: [Errno 111] Connection refused. Is the server running, and is --target right?"
    ]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["run", "--bogus"], {}, "rtk-conformance: error: unrecognized arguments: --bogus (see rtk-conformance --help)"),
        (
            ["run", "--target", "http://127.0.0.1:1", "--account-id", "a", "--app-id", "b", "--session-id", "c"],
            {},
            "ERROR: set CLOUDFLARE_API_TOKEN to an API token with the Realtime permission (or name another variable: --token-env)",
        ),
        (
            ["run", "--target", "http://127.0.0.1:1"],
            {"CLOUDFLARE_API_TOKEN": "t"},
            "ERROR: a URL target needs --account-id, --app-id, --session-id (or their CLOUDFLARE_ACCOUNT_ID/CONFORMANCE_* variables)",
        ),
        (["run", "--target", "ftp://x"], {}, "ERROR: --target must be 'embedded' or an http(s) URL, got 'ftp://x'"),
        (["run", "--timeout", "soon"], {}, "ERROR: --timeout: expected a number, got 'soon'"),
        (["run"], {"CONFORMANCE_STRICT": "perhaps"}, "ERROR: CONFORMANCE_STRICT: expected true or false, got 'perhaps'"),
        (
            ["mock", "--rate-limit", "often"],
            {},
            "rtk-conformance: error: --rate-limit must look like N/SECONDS, e.g. 1200/300, got 'often'",
        ),
        (
            ["mock", "--port", "99999"],
            {},
            "rtk-conformance mock: error: argument --port: a port is 0 to 65535, got 99999 (see rtk-conformance mock --help)",
        ),
        (
            ["mock", "--data", "missing.json"],
            {},
            "rtk-conformance: error: cannot read mock data file missing.json: No such file or directory",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], env: dict[str, str], message: str, tmp_path: Path) -> None:
    result = run_cli(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [message]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cassette", "out.yaml", "--junitxml", "out.yaml"], "--cassette and --junitxml are both out.yaml"),
        (["--report", "out.html", "--junitxml", "./out.html"], "--report and --junitxml are both ./out.html"),
        (["--cassette", "out.json", "--record-mode", "all", "--report", "out.json"], "--cassette and --report are both out.json"),
    ],
)
def test_one_path_for_two_outputs_is_refused_before_anything_is_sent(args: list[str], message: str, tmp_path: Path) -> None:
    """A replayed cassette given again as --junitxml was replaced by JUnit XML, and the run said exit 0."""
    kept = tmp_path / args[1]
    kept.write_text("what was there before")
    result = run_cli("run", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"ERROR: {message}: give each its own file, nothing was sent"]
    assert kept.read_text() == "what was there before"


def test_a_report_named_only_by_its_suffix_is_written_in_that_format(tmp_path: Path) -> None:
    result = run_cli("run", "--report", ".json", "--", "-m", "auth", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert json.loads((tmp_path / ".json").read_text())["verdict"]["name"] == "PARTIAL"


def test_checks_lists_every_check() -> None:
    result = run_cli("checks")
    listed = [line.split()[:3] for line in result.stdout.splitlines()]
    assert listed == [[c.id, c.category, c.level] for c in REGISTRY]


def test_should_failures_are_fatal_only_with_strict(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(SessionEdit(data, set_to("minutes_consumed", -1))), data)
    lenient = run_cli("run", *args, "--", "-m", "not property", env=env, cwd=tmp_path)
    strict = run_cli("run", *args, "--strict", "--", "-m", "not property", env=env, cwd=tmp_path)
    assert lenient.returncode == 0, lenient.stdout
    counted = "1 check failed on 8 probes"
    assert (
        f"of what ran: CONFORMS WITH ADVISORIES: every MUST check holds; {counted} at SHOULD level (fatal only with --strict)"
        in lenient.stdout
    )
    assert strict.returncode == 1
    assert f"of what ran: VIOLATES: {counted} (SHOULD failures are fatal: --strict)" in strict.stdout
    block = "[semantics.non-negative] participant counts and minutes are >= 0\n  failed on 8 probes ("
    assert block in strict.stdout and "\n  - minutes_consumed is below 0\n" in strict.stdout
    advisory = lenient.stdout.split("SHOULD (advisory): documented meaning that does not hold; fatal only with --strict (1 check)")[1]
    assert advisory.count(block) == 1 and advisory.count("\n  - minutes_consumed is below 0\n") == 1  # one block, every probe
    assert advisory.count("Request: curl -sS -X GET ") == 1


def test_junit_xml_names_each_check_and_hides_the_token(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(DenyAll(data)), data)
    result = run_cli("run", *args, "--junitxml", str(tmp_path / "out.xml"), "--", "-m", "not property", env=env, cwd=tmp_path)
    assert failed_checks(tmp_path / "out.xml") == {"transport.session-ok"}  # the 404 and the 405 are SHOULD: inferred
    assert data.token not in (tmp_path / "out.xml").read_text() + result.stdout + result.stderr


def test_version_and_checks_as_json(tmp_path: Path) -> None:
    assert run_cli("--version").stdout.strip() == f"rtk-conformance {__version__}"
    listed = json.loads(run_cli("checks", "--json").stdout)
    assert listed == [{"id": c.id, "category": c.category, "level": c.level, "rule": c.rule} for c in REGISTRY]


def test_run_ignores_the_current_directorys_pytest_configuration(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --cov=myapp\nconformance_profile = live\n")
    for folder in (tmp_path, tmp_path / "tests"):  # a project's own conftest.py files, which pytest looks for in test*/ too
        folder.mkdir(exist_ok=True)
        (folder / "conftest.py").write_text("raise SystemExit('a conftest.py of the current directory was loaded')\n")
    result = run_cli("run", "--", "-k", "fuzzing-positive", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Property cases (profile ci, seed 0):" in result.stdout


def test_a_run_loads_no_pytest_plugin_of_the_environment_unless_asked(tmp_path: Path) -> None:
    """A plugin installed beside the tool (pytest-randomly, say, which reorders tests) is not loaded into a run on its
    own: the same command gives the same run whatever the environment holds. `-- -p NAME` loads it."""
    (tmp_path / "loud_plugin.py").write_text("def pytest_configure(config):\n    print('LOUD PLUGIN LOADED')\n")
    installed = tmp_path / "loud_plugin-1.0.dist-info"
    installed.mkdir()
    (installed / "METADATA").write_text("Metadata-Version: 2.1\nName: loud-plugin\nVersion: 1.0\n")
    (installed / "entry_points.txt").write_text("[pytest11]\nloud = loud_plugin\n")
    env = {"PYTHONPATH": str(tmp_path)}
    assert "LOUD PLUGIN LOADED" in plain_pytest(env, tmp_path)  # pytest on its own loads it
    alone = run_cli("run", "--", "-k", "fuzzing-positive", env=env, cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert "LOUD PLUGIN LOADED" not in alone.stdout
    asked = run_cli("run", "--", "-k", "fuzzing-positive", "-p", "loud_plugin", env=env, cwd=tmp_path)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert "LOUD PLUGIN LOADED" in asked.stdout


def plain_pytest(env: dict[str, str], cwd: Path) -> str:
    """What pytest prints collecting nothing in that environment."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider", str(cwd / "loud_plugin.py")],
        env={**clean_env(), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=OUTER_BOUND,
    ).stdout


def test_junit_names_each_test_after_what_it_checks(tmp_path: Path) -> None:
    run_cli("run", "--junitxml", str(tmp_path / "out.xml"), "--", "-k", "enums.status or fuzzing-positive", cwd=tmp_path)
    cases = list(ElementTree.parse(tmp_path / "out.xml").getroot().iter("testcase"))
    named = {(c.get("classname"), c.get("name")) for c in cases}
    assert ("conformance.enums", "enums.status@session:6513270e-269e-4d37-b2a7-4de452e6b438") in named
    assert ("conformance.property", "fuzzing-positive") in named and len(named) == 9
    editions = {p.get("value") for c in cases for p in c.iter("property") if p.get("name") == "edition"}
    assert editions == {"documented"}


def answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=OUTER_BOUND)
    except httpx.HTTPError:
        return False
    return True


@pytest.mark.timing
def test_ctrl_c_stops_the_mock_with_one_line_and_exit_2(tmp_path: Path) -> None:
    mock = start_cli("mock", "--port", "0", cwd=tmp_path)
    url = mock.line("# ").split(" at ")[1].split()[0]
    wait_for(lambda: answers(url), "the mock's first answer", mock.process)  # uvicorn serves: Ctrl-C is its to hear
    mock.signal(signal.SIGINT)
    exit_code, _, stderr = mock.finish()
    assert exit_code == 2
    assert stderr.strip().splitlines() == [f"rtk-conformance: the mock at {url} stopped"]


def test_the_plugin_is_inert_outside_the_suite(tmp_path: Path) -> None:
    """A project's own tests: the suite's markers are not registered, nothing is started."""
    (tmp_path / "test_own.py").write_text("import pytest\n\n@pytest.mark.schema\ndef test_mine():\n    pass\n")
    command = [sys.executable, "-m", "pytest", "-q", "--strict-markers", "-p", "no:cacheprovider", "test_own.py"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=OUTER_BOUND, env=clean_env())
    assert result.returncode != 0 and "'schema' not found in `markers` configuration option" in result.stdout
    assert "RealtimeKit conformance" not in result.stdout


def test_help_shows_each_options_variable_and_default() -> None:
    shown = " ".join(run_cli("run", "--help").stdout.split())
    assert "[env CONFORMANCE_EDITION; default auto]" in shown and "[env CONFORMANCE_STRICT; default off]" in shown
    assert "[env CLOUDFLARE_ACCOUNT_ID; default none]" in shown and "[env CONFORMANCE_TIMEOUT; default 10.0]" in shown


def test_a_run_in_a_log_prints_no_row_of_dots(tmp_path: Path) -> None:
    result = run_cli("run", "--", "-k", "enums", cwd=tmp_path)
    first, second = [line for line in result.stdout.splitlines() if line.strip()][:2]
    assert first == "Plan: 8 requests (8 explicit, 0 generated)"
    assert "RealtimeKit conformance" in second


def test_a_users_pytest_addopts_leave_the_run_as_it_is(tmp_path: Path) -> None:
    result = run_cli("run", "--", "-k", "enums", env={"PYTEST_ADDOPTS": "-k no-test-has-this-name -x"}, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.splitlines()[0] == "Plan: 8 requests (8 explicit, 0 generated)"
    assert result.stdout.splitlines()[-1].startswith("Verdict: PARTIAL: a selection: 16 of ")  # -k enums: not -k no-test...


def on_a_terminal(command: list[str], cwd: Path, columns: int = 200) -> bytes:
    """What `command` shows on a terminal `columns` wide."""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen(command, stdout=terminal, stderr=terminal, cwd=cwd, env=clean_env())
    os.close(terminal)
    shown = b""
    while select.select([main], [], [], OUTER_BOUND)[0]:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the run ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert process.wait(timeout=OUTER_BOUND) in (0, 1)
    return shown


def test_a_run_on_a_terminal_shows_progress_per_category(tmp_path: Path) -> None:
    shown = on_a_terminal([sys.executable, "-m", "conformance", "run", "--", "-k", "enums or auth"], tmp_path)
    assert "\rprogress: enums 16/16 · auth 5/5 · errors 20/20 · production 5/5\r\n" in shown.decode()  # -k auth selects errors@auth:... too


def test_the_progress_line_fits_a_narrow_terminal_and_is_redrawn_in_place(tmp_path: Path) -> None:
    """At 80 columns the whole line (141 characters) would wrap: one line per test instead of one line redrawn."""
    shown = on_a_terminal([sys.executable, "-m", "conformance", "run"], tmp_path, columns=80).decode()
    drawn = [part for part in shown.split("\r") if part.startswith("progress: ")]
    assert len(drawn) > 100 and all(len(part.rstrip("\n")) <= 79 for part in drawn)
    assert drawn[-1].startswith("progress: 239/239 tests · ")


@pytest.mark.parametrize(
    ("command", "redirect"),
    [
        ("run", "| head -1"),
        ("checks", "| head -c 10"),
        ("run", ">&-"),
        ("checks", ">&-"),
        ("run", "> /dev/full"),
        ("checks", "> /dev/full"),
    ],
)
def test_a_closed_or_full_stdout_ends_quietly_with_the_exit_code_earned(command: str, redirect: str, tmp_path: Path) -> None:
    """Each of these ended in a traceback and exit 1 (BrokenPipeError, 'NoneType' has no flush, ENOSPC)."""
    line = f'{sys.executable} -m conformance {command} {redirect}; echo "exit $?" >&2'
    if redirect.startswith("|"):  # the exit code of the command, not of head
        line = f'{sys.executable} -m conformance {command} {redirect}; echo "exit ${{PIPESTATUS[0]}}" >&2'
    result = subprocess.run(["bash", "-c", line], env=clean_env(), cwd=tmp_path, capture_output=True, text=True, timeout=OUTER_BOUND)
    assert result.stderr.splitlines() == ["exit 0"]


def test_a_character_the_terminal_cannot_encode_is_escaped(tmp_path: Path) -> None:
    result = run_cli("run", "--session-id", "caf\u00e9", env={"PYTHONIOENCODING": "ascii"}, cwd=tmp_path)
    assert "Traceback" not in result.stdout + result.stderr
    assert "no 200 response for session caf\\xe9" in result.stdout
    assert "\nVerdict: INCONCLUSIVE: no 200 response was seen, so no session body could be checked\n" in result.stdout
    assert result.returncode == 1
