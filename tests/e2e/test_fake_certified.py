"""The fake, certified by the suite as users get it: the explicit checks through an httpx client the respx fake serves,
the whole suite against the socket fake, both editions, with a session arranged through its API; and every request of
the shipped cassette answered by the fake exactly as by the reference mock, which it is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from conformance.cassettes.redaction import placeholder
from conformance.cli.commands import main as rtk_conformance
from conformance.cli.console import main as entry
from conformance.fake import RealtimeKitFake
from conformance.mock import ReferenceMock, load_data
from conformance.mock.server import serve_in_thread
from conformance.run.recording import ACCOUNT_PLACEHOLDER, APP_PLACEHOLDER
from conformance.secret import Secret
from conformance.transport.probes import authorization
from tests.conftest import ROOT, run_cli

SHIPPED = ROOT / "cassettes" / "reference-mock.yaml"
# A recorded request's class of credentials -> the probe's credentials that send it.
CREDENTIALS = {
    "valid": "valid",
    "invalid": "unknown-token",
    "malformed Basic": "basic-scheme",
    "malformed Bearer": "empty-bearer",
    "malformed no scheme": "no-scheme",
}
COMPARED_HEADERS = ("content-type", "allow", "retry-after", "ratelimit-policy")


def arranged(edition: str) -> tuple[RealtimeKitFake, list[str]]:
    """A fake with sessions arranged through its API, as a user arranges them, and the suite's arguments for it."""
    fake = RealtimeKitFake(edition=edition)
    live = fake.add_session(live_participants=3, max_concurrent_participants=4, breakout_rooms=[{"live_participants": 1}])
    ended = fake.end_session(fake.add_session(minutes_consumed=12.5)["id"])
    ids = ["--account-id", fake.account_id, "--app-id", fake.app_id, "--session-id", live["id"], "--session-id", ended["id"]]
    return fake, ["--edition", edition, "--strict", *ids]


@pytest.mark.parametrize("edition", ["current", "documented"])
def test_the_explicit_checks_pass_the_respx_fake_through_an_httpx_client(
    edition: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In this process: every request of the suite goes through httpx, and respx hands it to the fake."""
    fake, args = arranged(edition)
    base_url = "https://fake.example/client/v4"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", fake.token)
    with fake.mocked(base_url) as router:
        router.get(base_url).respond(404)  # the run's preflight: is anything there?
        code = rtk_conformance(["run", "--target", base_url, "--profile", "ci", *args, "--", "-m", "not property", "-p", "no:xdist"], entry)
    printed = capsys.readouterr().out
    assert code == 0, printed[-3000:]
    assert "\nVerdict: PARTIAL: a selection: " in printed and "of what ran: CONFORMS: every check holds" in printed
    assert len(fake.requests) >= 20


@pytest.mark.slow
@pytest.mark.parametrize("edition", ["current", "documented"])
def test_the_whole_suite_passes_the_socket_fake_strict(edition: str, tmp_path: Path) -> None:
    fake, args = arranged(edition)
    with fake.serving() as base_url:
        result = run_cli("run", "--target", base_url, *args, env={"CLOUDFLARE_API_TOKEN": fake.token}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"\nEdition:  {edition} (asked)\n" in result.stdout
    assert "\nVerdict: CONFORMS: every check holds\n" in result.stdout


def recorded_requests() -> list[tuple[str, str, dict[str, str]]]:
    """(method, path with its query, headers) of every request of the shipped cassette, with the real ids back in
    place of the placeholders and the credentials its class of credentials stands for."""
    data = load_data()
    real = {placeholder(data.account_id, ACCOUNT_PLACEHOLDER): data.account_id, placeholder(data.app_id, APP_PLACEHOLDER): data.app_id}
    requests = []
    for interaction in yaml.safe_load(SHIPPED.read_text())["interactions"]:
        request = interaction["request"]
        path = httpx.URL(request["uri"]).raw_path.decode()
        for stand_in, value in real.items():
            path = path.replace(stand_in, value)
        recorded = request["headers"].get("Authorization", ["[credentials: absent]"])[0]
        credentials = recorded.removeprefix("[credentials: ").removesuffix("]")
        header = authorization(CREDENTIALS[credentials], Secret(data.token)) if credentials in CREDENTIALS else None
        requests.append((request["method"], path, {"Authorization": header} if header is not None else {}))
    return requests


def answered(client: httpx.Client, root: str, request: tuple[str, str, dict[str, str]]) -> tuple[Any, ...]:
    method, path, headers = request
    answer = client.request(method, root + path, headers=headers)
    ratelimit = answer.headers.get("ratelimit", "").split(";t=")[0]  # the window's seconds left depend on the moment
    return answer.status_code, answer.content, ratelimit, *(answer.headers.get(name) for name in COMPARED_HEADERS)


def test_every_request_of_the_shipped_cassette_gets_the_same_answer_from_the_fake_and_the_mock() -> None:
    requests = recorded_requests()
    fake = RealtimeKitFake(edition="documented", seeded=True)
    with serve_in_thread(ReferenceMock(load_data())) as root, httpx.Client() as client:
        from_mock = [answered(client, root, r) for r in requests]
    with fake.mocked("https://fake.example/client/v4"), httpx.Client() as client:
        from_fake = [answered(client, "https://fake.example", r) for r in requests]
    assert len(requests) > 100 and len({r[0] for r in from_mock}) >= 5  # many requests, many kinds of answer
    assert from_fake == from_mock
