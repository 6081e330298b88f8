"""The validating proxy: between the official SDK and the reference mock it passes the answers through byte for byte
and judges them; in front of a broken mock it reports the checks a run against that mock fails; the token is never
shown; an upstream off loopback gets GET only."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.mock import MockData
from conformance.selftest.mutants import MUTANTS
from tests.conftest import run_cli, start_cli, target_of

PROXY_LINE = "export CLOUDFLARE_BASE_URL="


def proxy_of(upstream: str, tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[Any, str]:
    child = start_cli("proxy", "--upstream", upstream, "--port", "0", "--report", "proxy.json", *extra, env=env, cwd=tmp_path)
    return child, child.line(PROXY_LINE).strip().removeprefix(PROXY_LINE)


@pytest.mark.sdk  # the official SDK: the sdk extra
def test_between_the_sdk_and_the_mock_the_answers_pass_byte_for_byte(serve: Any, data: MockData, tmp_path: Path) -> None:
    import cloudflare

    from conformance.mock import ReferenceMock

    root = serve(ReferenceMock(data, edition="current"))
    child, url = proxy_of(f"{root}/client/v4", tmp_path, "--max-requests", "2")
    client = cloudflare.Cloudflare(api_token=data.token, base_url=url, max_retries=0)
    session_id = data.session_ids[0]
    via_proxy = client.realtime_kit.sessions.with_raw_response.get_session_details(
        session_id, account_id=data.account_id, app_id=data.app_id
    )
    direct = httpx.get(
        f"{root}/client/v4/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{session_id}",
        headers={"Authorization": f"Bearer {data.token}"},
    )
    assert via_proxy.http_response.content == direct.content and via_proxy.status_code == 200
    httpx.get(f"{url}/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{session_id}")  # no token: the second
    code, out, err = child.finish()
    assert code == 0, out + err
    assert "#1 GET /accounts/" in out and " -> 200: conforms" in out and "#2 GET" in out and " -> 400: conforms" in out
    assert data.token not in out + err + (tmp_path / "proxy.json").read_text()
    report = json.loads((tmp_path / "proxy.json").read_text())
    assert report["verdict"]["name"] == "CONFORMS" and report["audit"]["exchanges"] == 2


def test_in_front_of_a_broken_mock_it_reports_what_a_run_against_it_fails(serve: Any, data: MockData, tmp_path: Path) -> None:
    root = serve(MUTANTS["status-paused"].build(data))
    child, url = proxy_of(f"{root}/client/v4", tmp_path)
    args, env = target_of(url, data, base_path="")
    run = run_cli("run", *args, "--report", "run.json", env=env, cwd=tmp_path)
    child.signal(signal.SIGINT)
    code, out, err = child.finish()
    proxied, ran = (json.loads((tmp_path / name).read_text()) for name in ("proxy.json", "run.json"))
    must = [{b["check"] for b in report["failures"] if b["level"] == "MUST"} for report in (proxied, ran)]
    assert run.returncode == 1 and code == 1 and must[0] == must[1] == {"enums.status"}, out[-2000:] + err
    assert "impossible in production (enums.status" in out


def failing(report: Path, level: str | None = None) -> set[str]:
    return {b["check"] for b in json.loads(report.read_text())["failures"] if level in (None, b["level"])}


@pytest.mark.parametrize("name", ["recorded.yaml", "recorded.har", "recorded.ndjson"])
def test_what_it_records_is_audited_as_the_run_through_it_was_judged(serve: Any, data: MockData, tmp_path: Path, name: str) -> None:
    root = serve(MUTANTS["status-paused"].build(data))
    args, env = target_of("", data, base_path="")
    child, url = proxy_of(f"{root}/client/v4", tmp_path, "--record", name, env=env)
    ran = run_cli("run", *args[2:], "--target", url, "--report", "run.json", env=env, cwd=tmp_path)
    child.signal(signal.SIGINT)
    code, out, err = child.finish()
    recording = tmp_path / name
    assert ran.returncode == code == 1, out[-2000:] + err
    assert f"Recorded: {len(re.findall('^#[0-9]+ ', out, re.M))} exchanges to {name} (" in out and data.token not in recording.read_text()
    audited = run_cli("audit", name, "--report", "audit.json", cwd=tmp_path)
    assert audited.returncode == 1, audited.stdout[-2000:] + audited.stderr
    assert failing(tmp_path / "audit.json") == failing(tmp_path / "run.json")
    assert failing(tmp_path / "audit.json", "MUST") == {"enums.status"}


def test_a_cassette_it_records_replays_as_the_run_it_recorded(serve: Any, data: MockData, tmp_path: Path) -> None:
    root = serve(MUTANTS["status-paused"].build(data))
    args, env = target_of("", data, base_path="")
    child, url = proxy_of(f"{root}/client/v4", tmp_path, "--record", "recorded.yaml", env=env)
    run_cli("run", *args[2:], "--target", url, "--report", "run.json", env=env, cwd=tmp_path)
    child.signal(signal.SIGINT)
    child.finish()
    replay = run_cli("run", "--cassette", "recorded.yaml", "--report", "replay.json", env=env, cwd=tmp_path)
    assert replay.returncode == 1 and "recorded from rtk-conformance proxy" in replay.stdout, replay.stdout[-3000:] + replay.stderr
    assert failing(tmp_path / "replay.json") == failing(tmp_path / "run.json")


def test_a_record_path_without_a_known_suffix_is_one_line(tmp_path: Path) -> None:
    answer = run_cli("proxy", "--upstream", "http://127.0.0.1:9", "--port", "0", "--record", "out.txt", cwd=tmp_path)
    assert answer.returncode == 2 and answer.stdout == ""
    assert answer.stderr == (
        "rtk-conformance: error: --record out.txt: the file's suffix names its format: .yaml, .yml or .json (a cassette), "
        ".har (HAR 1.2), .ndjson or .jsonl (NDJSON)\n"
    )


def test_an_upstream_off_loopback_gets_get_only(tmp_path: Path) -> None:
    child, url = proxy_of("https://api.example.invalid/client/v4", tmp_path, "--max-requests", "1")
    answer = httpx.post(f"{url}/accounts/a/realtime/kit/b/sessions/c")
    child.signal(signal.SIGINT)
    _, out, _ = child.finish()
    assert answer.status_code == 405 and "not forwarded: the upstream is off loopback" in out
