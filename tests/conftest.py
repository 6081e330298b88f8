"""Helpers for the project's tests: the reference mock in-process and served on loopback."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from conformance.contract import BASE_PATH, Contract, load_contract
from conformance.mock import MockData, ReferenceMock, Request, load_data
from conformance.mock.app import Reply
from conformance.mock.server import serve_in_thread
from conformance.run.targets import Target, build_request
from conformance.secret import Secret
from conformance.transport.exchange import Exchange, Received, SentRequest
from conformance.transport.probes import Ids, Probe, authorization, build_probes

ROOT = Path(__file__).resolve().parent.parent  # the checkout
FIXTURES = Path(__file__).resolve().parent / "fixtures"  # facts the tests need, restated by the project
TOKEN_IN_TESTS = "test-token-not-a-secret"


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract()


@pytest.fixture(scope="session")
def data() -> MockData:
    return load_data()


@pytest.fixture(scope="session")
def probes(contract: Contract, data: MockData) -> dict[str, Probe]:
    """Every probe of the suite against the reference mock, by name."""
    ids = Ids(data.account_id, data.app_id, tuple(data.session_ids))
    return {p.name: p for p in build_probes(contract, ids)}


@pytest.fixture
def exchange_with(contract: Contract, data: MockData, probes: dict[str, Probe]) -> Callable[..., Exchange]:
    """The exchange a probe gets from the reference mock, answered in-process, optionally edited.

    exchange_with("session:<id>", edit=lambda body: ...) edits the JSON body;
    status=, headers= and raw= replace the status, headers or the whole body; edition= picks the mock's edition.
    """
    mocks = {edition: ReferenceMock(data, edition=edition) for edition in contract.editions}

    def make(
        probe_name: str,
        edit: Callable[[Any], None] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        edition: str = "documented",
    ) -> Exchange:
        probe = probes[probe_name]
        target = Target("test", "http://127.0.0.1:1" + BASE_PATH, Secret(data.token), Ids(data.account_id, data.app_id, ()))
        sent = build_request(target, contract, probe)
        reply = mocks[edition].respond(_as_mock_request(sent, probe, Secret(data.token)))
        body = copy.deepcopy(reply.body)
        if edit is not None:
            edit(body)
        payload = raw if raw is not None else json.dumps(body).encode()
        received = Received(status or reply.status, headers or {"content-type": reply.content_type, **reply.headers}, payload)
        return Exchange(probe.name, sent, received, secret=Secret(data.token))

    return make


def _as_mock_request(sent: SentRequest, probe: Probe, token: Secret) -> Request:
    path = sent.url.removeprefix("http://127.0.0.1:1").split("?")[0]
    header = authorization(probe.credentials, token)
    headers = {"authorization": header} if header is not None else {}
    return Request(sent.method, path, list(probe.query.items()), headers)


@pytest.fixture
def serve() -> Iterator[Callable[[Any], str]]:
    """serve(app) -> its root URL on a free loopback port, until the test ends."""
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(serve_in_thread(app))


def clean_env() -> dict[str, str]:
    """This process's environment without the variables a run reads."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "CONFORMANCE_"))}


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Any = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """rtk-conformance in a child process, as a user runs it; CLOUDFLARE_* and CONFORMANCE_* come only from `env`."""
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        env={**clean_env(), **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def target_of(url: str, data: MockData, base_path: str = BASE_PATH) -> tuple[list[str], dict[str, str]]:
    """The arguments and environment that point `run` at a server holding the seeded data."""
    args = ["--target", url + base_path, "--account-id", data.account_id, "--app-id", data.app_id]
    args += [a for sid in data.session_ids for a in ("--session-id", sid)]
    return args, {"CLOUDFLARE_API_TOKEN": data.token}


def failed_checks(junit_xml: Any) -> set[str]:
    """Ids of the checks that failed in a JUnit XML report of a run: explicit tests and property tests."""
    found: set[str] = set()
    for case in ElementTree.parse(junit_xml).getroot().iter("testcase"):
        if case.find("failure") is None:
            continue
        for prop in case.iter("property"):
            if prop.get("name") == "check":
                found.add(str(prop.get("value")))
            elif prop.get("name") == "failed-checks":
                found.update(filter(None, str(prop.get("value")).split(",")))
    return found


class SlowMock(ReferenceMock):
    """The reference mock, answering each request after a pause: a run long enough to interrupt or to outlast."""

    def __init__(self, data: MockData, pause: float = 0.02) -> None:
        super().__init__(data)
        self.pause = pause

    def respond(self, request: Request) -> Reply:
        time.sleep(self.pause)
        return super().respond(request)


class RecordingMock(ReferenceMock):
    """The reference mock, keeping every request it answers, in order."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data)
        self.requests: list[Request] = []

    def respond(self, request: Request) -> Reply:
        self.requests.append(request)
        return super().respond(request)


def ctrl_c_to_the_group(args: list[str], after: float, cwd: Any) -> tuple[int, str, list[int]]:
    """rtk-conformance <args> in a process group of its own, interrupted as a terminal's Ctrl-C interrupts (the
    whole group) `after` seconds: (exit code, stderr, the processes still running in `cwd` a moment later)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", *args],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    time.sleep(1)  # helpers that were told to end have ended by now
    return process.returncode, stderr, processes_in(cwd)


def processes_in(cwd: Any) -> list[int]:
    """The processes whose current directory is `cwd` (Linux's /proc)."""
    found = []
    for entry in os.scandir("/proc"):
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and os.readlink(f"/proc/{entry.name}/cwd") == str(cwd):
                found.append(int(entry.name))
    return found
