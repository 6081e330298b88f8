"""The API token comes from the environment only, is refused (never echoed) when it cannot be sent as is, and
appears in nothing a run prints or writes: passing or failing, recording, every report format, debug logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, ReferenceMock
from conformance.selftest.mutants import MUTANTS
from tests.conftest import run_cli, target_of

URL_IDS = ["--account-id", "a", "--app-id", "b", "--session-id", "c"]


@pytest.mark.parametrize("token", ["canary-5f0d\n", " canary-5f0d", "canary 5f0d", "canary-5f0d\t", "canary-5f0d\x07", "canary-5f0dé"])
def test_a_token_that_cannot_be_sent_as_is_is_refused_without_echoing_it(token: str, tmp_path: Path) -> None:
    result = run_cli("run", "--target", "http://127.0.0.1:1", *URL_IDS, env={"CLOUDFLARE_API_TOKEN": token}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ERROR: CLOUDFLARE_API_TOKEN holds whitespace, a control character or a non-ASCII character (a trailing newline?):"
        " set it to the token alone"
    ]
    assert "canary" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("http://user:pa55word@127.0.0.1:1/client/v4", "--target must not hold credentials (user:password@host)"),
        ("http://127.0.0.1:1/client/v4?x=1", "--target is a base URL without a query string or fragment"),
        ("http://127.0.0.1:1/client/v4#top", "--target is a base URL without a query string or fragment"),
    ],
)
def test_a_target_url_that_would_ride_along_on_every_request_is_refused(target: str, message: str, tmp_path: Path) -> None:
    result = run_cli("run", "--target", target, *URL_IDS, env={"CLOUDFLARE_API_TOKEN": "t"}, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "pa55word" not in result.stdout + result.stderr


def test_the_token_can_come_from_another_variable(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, _ = target_of(serve(ReferenceMock(data)), data)
    result = run_cli("run", *args, "--token-env", "MY_RTK_TOKEN", "--", "-m", "auth", env={"MY_RTK_TOKEN": data.token}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    missing = run_cli("run", *args, "--token-env", "MY_RTK_TOKEN", env={"CLOUDFLARE_API_TOKEN": data.token}, cwd=tmp_path)
    assert missing.returncode == 2 and "ERROR: set MY_RTK_TOKEN to an API token" in missing.stderr


def everything_written(result: Any, folder: Path) -> str:
    files = [p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()]
    return "\n".join([result.stdout, result.stderr, *files])


@pytest.mark.parametrize(
    ("server", "extra"),
    [
        ("reference", ["--report", "out/report.json", "--junitxml", "out/junit.xml", "--", "--log-level=DEBUG", "-rA"]),
        ("status-paused", ["--report", "out/report.md", "--junitxml", "out/junit.xml", "--", "--log-level=DEBUG", "-rA"]),
        ("reference", ["--report", "out/report.html", "--cassette", "out/run.yaml", "--record-mode", "all"]),
    ],
    ids=["passing-run", "failing-run", "recording"],
)
def test_the_token_appears_in_nothing_a_run_prints_or_writes(
    server: str, extra: list[str], serve: Any, data: MockData, tmp_path: Path
) -> None:
    app = ReferenceMock(data) if server == "reference" else MUTANTS[server].build(data)
    args, env = target_of(serve(app), data)
    (tmp_path / "out").mkdir()
    result = run_cli("run", *args, *extra, env=env, cwd=tmp_path)
    assert result.returncode == (0 if server == "reference" else 1), result.stdout[-2000:]
    written = everything_written(result, tmp_path)
    assert len(written) > 10_000  # the outputs are there, and were searched
    assert data.token not in written


# A bug of the suite's own, where the token is in the frames' locals: the transport's client fails after the
# Authorization header is built, once the run has started (its plugin opens it as pytest is configured).
CRASH_IN_THE_TRANSPORT = """
import httpx

def pytest_sessionstart(session):
    def crash(self, request, **options):
        headers = dict(request.headers)  # the token, as a local that -l shows
        raise RuntimeError("a bug of the suite")
    httpx.Client.send = crash
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "two-workers"])
def test_a_crash_shown_with_its_locals_shows_no_token(workers: list[str], serve: Any, data: MockData, tmp_path: Path) -> None:
    """-l (--showlocals) prints every frame's local variables, a header dict among them; JUnit and the report keep them.
    A crash of the suite makes the run INCONCLUSIVE, whichever process it happened in."""
    (tmp_path / "crash_in_the_transport.py").write_text(CRASH_IN_THE_TRANSPORT)
    (tmp_path / "out").mkdir()
    args, env = target_of(serve(ReferenceMock(data)), data)
    outputs = ["--junitxml", "out/junit.xml", "--report", "out/report.json", "--no-method-probes", "--full"]
    pytest_args = ["-p", "crash_in_the_transport", "-l", "-m", "auth", *workers]
    result = run_cli("run", *args, *outputs, "--", *pytest_args, env={**env, "PYTHONPATH": str(tmp_path)}, cwd=tmp_path)
    written = everything_written(result, tmp_path)
    assert result.returncode != 0 and "RuntimeError: a bug of the suite" in written
    assert "INCONCLUSIVE: the suite itself failed on 5 test(s)" in result.stdout.split("\nVerdict: ")[1]
    assert "headers = " in written  # the locals are there, and were searched
    assert data.token not in written
