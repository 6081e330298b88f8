"""Helpers for the project's tests: the reference mock in-process and served on loopback, `rtk-conformance` in a
process of its own, waits for what such a process signals, and the `--busy N` option."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar
from xml.etree import ElementTree

import pytest
import yaml

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
OFFICIAL = FIXTURES / "official-spec.openapi.yaml"  # an excerpt of the official spec, for drift
# Seconds: the outer bound of any wait for another process. A test waits for what the process signals (a line it
# prints, a request the test's mock receives, a file, an entry in /proc), never for a fixed time: on a busy machine
# everything takes longer, and only a process that never gets there fails, after this bound.
OUTER_BOUND = 600.0
ENDED_BOUND = 120.0  # seconds for processes told to end (Ctrl-C, a closed pool) to be gone
POLL = 0.01  # seconds between two looks at a condition

T = TypeVar("T")

# A CPU-bound process for --busy: it spins until the session ends, or ends itself once its parent has gone.
SPIN = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    for _ in range(1_000_000):\n        pass\n"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--busy",
        type=int,
        default=0,
        metavar="N",
        help="run the tests beside N CPU-bound processes, started once for the session (under xdist too) and stopped at its end",
    )


def pytest_configure(config: pytest.Config) -> None:
    busy = config.getoption("busy")
    if busy < 0:
        raise pytest.UsageError(f"--busy takes a number of processes, 0 or more, got {busy}")
    if busy and not hasattr(config, "workerinput"):  # the controller only, not each xdist worker
        spinning = [subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.DEVNULL) for _ in range(busy)]
        config.stash[_BUSY] = spinning


def pytest_unconfigure(config: pytest.Config) -> None:
    spinning = config.stash.get(_BUSY, [])
    for process in spinning:
        process.kill()
    for process in spinning:
        process.wait()


def pytest_report_header(config: pytest.Config) -> str | None:
    spinning = config.stash.get(_BUSY, [])
    return f"busy: {len(spinning)} CPU-bound processes beside the tests (--busy)" if spinning else None


_BUSY: pytest.StashKey[list[subprocess.Popen[bytes]]] = pytest.StashKey()


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


@pytest.fixture(scope="session")
def official() -> dict[str, Any]:
    """The official spec's excerpt as data; a test edits a deep copy of it."""
    return dict(yaml.safe_load(OFFICIAL.read_text()))


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
    """This process's environment without the variables a run reads, nor the options given to this test run (CI
    measures coverage through PYTEST_ADDOPTS: a child pytest of a test is a user's, not this run's)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "CONFORMANCE_")) and k != "PYTEST_ADDOPTS"}


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Any = None, timeout: float = OUTER_BOUND
) -> subprocess.CompletedProcess[str]:
    """rtk-conformance in a child process, as a user runs it; CLOUDFLARE_* and CONFORMANCE_* come only from `env`."""
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        env={**clean_env(), **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for(condition: Callable[[], T], what: str, process: subprocess.Popen[Any] | None = None, bound: float = OUTER_BOUND) -> T:
    """The first true value of condition(), looked at until it comes; the test fails when `process` ends first, or
    after `bound` seconds. `what` says what was awaited."""
    deadline = time.monotonic() + bound
    while True:
        found = condition()
        if found:
            return found
        if process is not None and process.poll() is not None:
            found = condition()  # what it did before it ended counts
            if found:
                return found
            pytest.fail(f"the process ended (exit {process.returncode}) before {what}", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {bound:.0f} s", pytrace=False)
        time.sleep(POLL)


class Child:
    """A child process whose standard output and error are read as they come, each by a thread of its own: a test
    can wait for a line, and the pipes never fill. `group` starts it in a process group of its own, as a terminal does."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None, cwd: Any = None, group: bool = False) -> None:
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=group,
        )
        self.pid = self.process.pid
        self.out: list[str] = []
        self.err: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [_reader(self.process.stdout, self.out), _reader(self.process.stderr, self.err)]

    def line(self, prefix: str) -> str:
        """The first line of standard output that starts with `prefix`, once it has been printed."""
        return wait_for(lambda: next((line for line in list(self.out) if line.startswith(prefix)), ""), f"a line {prefix!r}", self.process)

    def signal(self, signum: int = signal.SIGINT, group: bool = False) -> None:
        """`signum` to the process, or to its whole process group as a terminal's Ctrl-C."""
        if group:
            os.killpg(self.pid, signum)
        else:
            self.process.send_signal(signum)

    def finish(self, bound: float = OUTER_BOUND) -> tuple[int, str, str]:
        """(exit code, standard output, standard error) once the process has ended."""
        try:
            self.process.wait(timeout=bound)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            for reader in self._readers:
                reader.join(timeout=bound)
        return self.process.returncode, "".join(self.out), "".join(self.err)


def _reader(stream: IO[str], into: list[str]) -> threading.Thread:
    def read() -> None:
        with stream:
            for line in stream:
                into.append(line)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def start_cli(*args: str, env: dict[str, str] | None = None, cwd: Any = None, group: bool = False) -> Child:
    """rtk-conformance in a child process that runs on while the test waits for what it signals; its output is
    unbuffered, so that each line can be read once it is printed (as on a terminal)."""
    command = [sys.executable, "-m", "conformance", *args]
    return Child(command, env={**clean_env(), "PYTHONUNBUFFERED": "1", **(env or {})}, cwd=cwd, group=group)


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


class RecordingMock(ReferenceMock):
    """The reference mock, keeping every request it answers, in order."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data)
        self.requests: list[Request] = []

    def respond(self, request: Request) -> Reply:
        self.requests.append(request)
        return super().respond(request)


class SlowMock(RecordingMock):
    """The reference mock, answering each request after a pause: a run long enough to interrupt or to outlast. It
    keeps every request it answers, so that a test can tell how far a run has got."""

    def __init__(self, data: MockData, pause: float = 0.02) -> None:
        super().__init__(data)
        self.pause = pause

    def respond(self, request: Request) -> Reply:
        time.sleep(self.pause)
        return super().respond(request)


def until_the_tests_send(run: Child, mock: RecordingMock) -> None:
    """Returns once the run's tests send requests: it has printed its plan (made after the preflight and the
    edition's requests), and `mock` has then answered one more request."""
    run.line("Plan: ")
    before = len(mock.requests)
    wait_for(lambda: len(mock.requests) > before, "a request sent by a test", run.process)


# Moments of a process, read from Linux's /proc: what it has loaded, which processes it has started.


def maps(pid: int, name: str) -> bool:
    """Whether a file whose path holds `name` (a native module) is mapped into process `pid`: its import has begun."""
    try:
        return name in Path(f"/proc/{pid}/maps").read_text()
    except OSError:  # it has ended
        return False


def _stat(pid: int | str) -> list[str]:
    """/proc/PID/stat's fields from the state on: state, parent, process group, ...; [] once it has ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def in_group(pgid: int) -> dict[int, int]:
    """The processes (not zombies) of the process group `pgid`, each with its parent."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(entry.name)
            if fields and fields[0] != "Z" and fields[2] == str(pgid):
                found[int(entry.name)] = int(fields[1])
    return found


def cwd_of(pid: int) -> str:
    """The current directory of process `pid`, or '' once it has ended."""
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return ""


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def fork_server_of(pid: int) -> int:
    """The pid of the multiprocessing fork server that process `pid` started, or 0."""
    return next((child for child, parent in in_group(pid).items() if parent == pid and "forkserver" in command_of(child)), 0)


def forked_by_its_fork_server(pid: int) -> list[int]:
    """The processes that the fork server of process `pid` has forked: its helpers (a pool's processes, the selftest's runs)."""
    server = fork_server_of(pid)
    return [child for child, parent in in_group(pid).items() if server and parent == server]


def ctrl_c_to_the_group(
    args: list[str], when: Callable[[Child], object], cwd: Any, env: dict[str, str] | None = None
) -> tuple[int, str, list[int]]:
    """rtk-conformance <args> in a process group of its own, interrupted as a terminal's Ctrl-C interrupts (the whole
    group) once when(child) is true: (exit code, stderr, the processes of its group or in `cwd` still running once
    those told to end have had the time to)."""
    child = start_cli(*args, env=env, cwd=cwd, group=True)
    wait_for(lambda: when(child), "the moment to press Ctrl-C", child.process)
    child.signal(signal.SIGINT, group=True)
    exit_code, _, stderr = child.finish()
    return exit_code, stderr, left_behind(child.pid, cwd)


def left_behind(pgid: int, cwd: Any) -> list[int]:
    """The processes of the group `pgid` or in `cwd` still running, once those that were told to end have ended
    (looked at until none is left, or for ENDED_BOUND seconds)."""

    def running() -> list[int]:
        return sorted(set(in_group(pgid)) | set(processes_in(cwd)))

    with contextlib.suppress(pytest.fail.Exception):
        wait_for(lambda: not running(), "the helpers to end", bound=ENDED_BOUND)
    return running()


def processes_in(cwd: Any) -> list[int]:
    """The processes whose current directory is `cwd` (Linux's /proc)."""
    found = []
    for entry in os.scandir("/proc"):
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and os.readlink(f"/proc/{entry.name}/cwd") == str(cwd):
                found.append(int(entry.name))
    return found
