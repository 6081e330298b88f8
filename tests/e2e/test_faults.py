"""The fault catalogue: whatever a target does, a run ends in bounded time with its documented exit code, a message
that names the fault, no traceback, and the token nowhere in what it prints or writes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.e2e import faults

pytestmark = pytest.mark.slow
CANARY = "canary-token-5f0d1c"
IDS = ["--account-id", "023e105f4ecef8ad9ca31a8372d0c353", "--app-id", "rtk-reference-mock-app-01", "--session-id", "s-1"]
FAST = ["--timeout", "1", "--max-examples", "5"]
HTML = b"<html><body>It works</body></html>"
SESSION_BODY = {"success": True, "data": {"id": "s-1"}}

# name -> (behaviour, exit code, what the output says, seconds it may take)
CATALOGUE: dict[str, tuple[faults.Behaviour, int, str, float]] = {
    "accept-and-never-answer": (faults.silent, 2, "no complete answer within 5 s", 30),
    "headers-then-stalled-body": (faults.stalled_body, 2, "no complete answer within 5 s", 30),
    "one-byte-per-second": (faults.drip, 2, "no complete answer within 5 s", 30),
    "chunked-body-that-never-ends": (faults.endless_chunks, 2, "no complete answer within 5 s", 30),
    "hang-only-on-api-paths": (faults.on_api_paths(faults.silent), 2, "the target stopped answering", 40),
    "reset-mid-body": (faults.on_api_paths(faults.reset_mid_body), 2, "the target stopped answering", 40),
    "invalid-json": (faults.answer("200 OK", b"{not json"), 1, "is not a JSON response", 60),
    "json-array": (faults.answer("200 OK", b"[]"), 1, "[schema.envelope]", 60),
    "json-null": (faults.answer("200 OK", b"null"), 1, "[schema.envelope]", 60),
    "empty-200": (faults.answer("200 OK", b""), 1, "is not a JSON response", 60),
    "html-with-200": (faults.answer("200 OK", HTML, "text/html"), 1, "Content-Type text/html", 60),
    "wrong-content-type": (faults.answer("200 OK", b"{}", "text/plain"), 1, "Content-Type text/plain", 60),
    "body-over-the-limit": (faults.on_api_paths(faults.oversized(2 * 1024 * 1024)), 1, "larger than 1048576 bytes", 60),
    "deeply-nested-json": (faults.on_api_paths(faults.deeply_nested(100_000)), 1, "the response body is nested deeper than 64 levels", 60),
    "gzip-body": (faults.gzip_json(SESSION_BODY), 1, "[schema.required-fields]", 60),
    "redirect-to-another-origin": (faults.redirect("http://192.0.2.1/elsewhere"), 1, "Location: http://192.0.2.1/elsewhere", 60),
    "redirect-loop": (faults.redirect("/client/v4"), 1, "Location: /client/v4", 60),
    "500-everywhere": (faults.answer("500 Internal Server Error", b'{"success": false}'), 1, "[errors.no-server-error]", 60),
    "429-storm-huge-retry-after": (
        faults.answer("429 Too Many Requests", b'{"success": false}', extra="Retry-After: 86400\r\n"),
        1,
        "INCONCLUSIVE: rate limited",
        60,
    ),
    "503-with-retry-after": (faults.answer("503 Service Unavailable", b"{}", extra="Retry-After: 2\r\n"), 1, "HTTP 503", 60),
    "echo-of-the-token": (faults.echo_token, 1, "Invalid token", 60),
    "a-framework-404-page-everywhere": (
        faults.answer("404 Not Found", b"<html><body>Cannot GET /accounts</body></html>", "text/html"),
        1,
        "every session got a 404 that is no Cloudflare or RealtimeKit body (text/html): is the base path in --target right?",
        60,
    ),
    "a-header-byte-that-is-not-ascii": (
        faults.on_api_paths(faults.answer("200 OK", json.dumps(SESSION_BODY).encode(), extra="X-Note: \xb2\r\n")),
        1,
        "[schema.required-fields]",
        60,
    ),
    "429-with-a-retry-after-that-is-not-ascii": (
        faults.answer("429 Too Many Requests", b'{"success": false}', extra="Retry-After: \xb2\r\n"),
        1,
        "INCONCLUSIVE: rate limited: the target answered 429 (no Retry-After in seconds)",
        60,
    ),
}


def outputs(result: Any, tmp_path: Path) -> str:
    files = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    return "\n".join([result.stdout, result.stderr, *files])


@pytest.mark.parametrize("fault", sorted(CATALOGUE))
def test_a_faulty_target_ends_in_bounded_time_with_its_exit_code_and_no_secret(fault: str, tmp_path: Path) -> None:
    behaviour, exit_code, says, seconds = CATALOGUE[fault]
    accepted: list[float] = []
    with faults.fault_server(behaviour, accepted) as root:
        args = ["--target", root + "/client/v4", *IDS, *FAST, "--junitxml", str(tmp_path / "junit.xml")]
        result = run_cli("run", *args, "--report", str(tmp_path / "report.json"), env={"CLOUDFLARE_API_TOKEN": CANARY}, cwd=tmp_path)
        ended = time.monotonic()
    printed = result.stdout + result.stderr
    assert result.returncode == exit_code, printed[-3000:]
    assert says in printed, printed[-3000:]
    assert "Traceback" not in printed
    assert CANARY not in outputs(result, tmp_path)
    # From the run's first connection (its preflight) to its end: the part its timeouts bound; its start-up before
    # that takes as long as the machine is busy.
    assert ended - accepted[0] < seconds


def test_a_header_byte_that_is_not_ascii_gets_the_same_verdict_on_two_workers(tmp_path: Path) -> None:
    """Under xdist the answer crosses the relay to a worker: the bytes as sent, not a crash of the suite in each test."""
    behaviour = CATALOGUE["a-header-byte-that-is-not-ascii"][0]
    verdicts = []
    for workers in ([], ["-n", "2"]):
        with faults.fault_server(behaviour) as root:
            args = ["--target", root + "/client/v4", *IDS, *FAST, "--", "-l", *workers]
            result = run_cli("run", *args, env={"CLOUDFLARE_API_TOKEN": CANARY}, cwd=tmp_path)
        assert "Traceback" not in result.stdout + result.stderr and CANARY not in result.stdout + result.stderr
        verdicts.append((result.returncode, result.stdout.strip().splitlines()[-1]))
    assert verdicts[0] == verdicts[1] and verdicts[0][1].startswith("Verdict: VIOLATES: ")
