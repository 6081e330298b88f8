"""The vendor gallery's mock servers: where each is installed, its pinned version, and serving one on loopback.

Each is a real third-party tool installed from the npm registry into `.vendors/` (gitignored; .ci/run does it), or
found through an environment variable. A missing tool fails the test with the command that installs it: never a skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conformance.mock.server import bind
from tests.conftest import ROOT

HOST = "127.0.0.1"
VENDORS_FOLDER = ".vendors"
NODE_MODULES = ROOT / VENDORS_FOLDER / "node_modules"
INSTALL_JAVA = "apt-get install -y -qq default-jre-headless"
POLL_SECONDS = 0.1  # between two attempts to reach a starting server
STOP_SECONDS = 10.0  # from SIGTERM to SIGKILL, and from SIGKILL to giving up
LOG_LINES = 30  # of a server's output, in a failure's message


@dataclass(frozen=True)
class Vendor:
    """A third-party mock server: how it is installed, found, started and reached."""

    title: str  # as its makers write it
    package: str  # on the npm registry
    version: str  # pinned: the expected verdicts belong to this version
    installed: str  # the binary or jar, under node_modules
    override: str  # the environment variable that points at a binary or jar installed elsewhere
    arguments: tuple[str, ...]  # after the binary (or `java -jar JAR`); {source}, {host} and {port} are filled in
    base_path: str = ""  # where the spec's paths begin, per the spec's servers as the tool reads them
    ready_path: str = "/"  # any HTTP answer here means it serves
    java: bool = False
    startup_seconds: float = 60.0  # the outer bound; it is ready when it answers, usually much sooner
    writes_into_source: bool = False  # it gets a copy of its source, so the checkout stays as committed


PRISM = Vendor(
    title="Prism",
    package="@stoplight/prism-cli",
    version="5.16.0",
    installed=".bin/prism",
    override="PRISM",
    arguments=("mock", "{source}", "-h", "{host}", "-p", "{port}"),
)
MOCKOON = Vendor(
    title="Mockoon CLI",
    package="@mockoon/cli",
    version="9.9.0",
    installed=".bin/mockoon-cli",
    override="MOCKOON",
    arguments=(
        *("start", "--data", "{source}", "--port", "{port}", "--hostname", "{host}"),
        "--disable-log-to-file",  # by default it also writes its log under ~/.mockoon-cli
        "--disable-admin-api",  # by default it serves one on the mock's port, and logs its token
        *("--faker-seed", "1"),  # the same requests get the same generated values from one run to the next
    ),
    base_path="/client/v4",
)
WIREMOCK = Vendor(
    title="WireMock",
    package="wiremock",
    version="3.13.2",
    installed="wiremock/build/wiremock-standalone-3.13.2.jar",
    override="WIREMOCK_JAR",
    arguments=("--port", "{port}", "--bind-address", "{host}", "--root-dir", "{source}", "--disable-banner"),
    base_path="/client/v4",
    ready_path="/__admin/health",
    java=True,
    startup_seconds=120.0,
    writes_into_source=True,  # it creates __files/ in its root folder
)
SPECMATIC = Vendor(
    title="Specmatic",
    package="specmatic",
    version="2.55.1",
    installed="specmatic/specmatic.jar",
    override="SPECMATIC_JAR",
    arguments=("stub", "{source}", "--host", "{host}", "--port", "{port}"),  # without --host it binds 0.0.0.0
    java=True,
    startup_seconds=120.0,  # 13-26 s to listen on two busy cores
)
VENDORS = (PRISM, MOCKOON, WIREMOCK, SPECMATIC)
# All in one call, whichever is missing: npm removes from the folder every package the call does not name.
INSTALL = f"npm install --no-save --no-audit --no-fund --prefix {VENDORS_FOLDER} " + " ".join(
    f"{vendor.package}@{vendor.version}" for vendor in VENDORS
)


def tool(vendor: Vendor) -> str:
    """The vendor's binary or jar: its environment variable's, or the checkout's of the pinned version."""
    if os.environ.get(vendor.override):
        return overridden(vendor, os.environ[vendor.override])
    installed = NODE_MODULES / vendor.installed
    if not installed.exists():
        pytest.fail(
            f"{vendor.title} {vendor.version} is not installed: run `{INSTALL}` (as .ci/run does), "
            f"or set {vendor.override} to its {'jar' if vendor.java else 'binary'}",
            pytrace=False,
        )
    found = installed_version(vendor)
    if found != vendor.version:
        pytest.fail(f"{vendor.title} {found} is installed, not the pinned {vendor.version}: run `{INSTALL}`", pytrace=False)
    return str(installed)


def overridden(vendor: Vendor, value: str) -> str:
    """The file the environment variable names: a path, or a binary's name on PATH."""
    found = value if Path(value).is_file() else shutil.which(value)
    if found is None:
        pytest.fail(f"{vendor.override}={value} names no file: unset it, or point it at {vendor.title}'s", pytrace=False)
    return found


def installed_version(vendor: Vendor) -> str:
    return str(json.loads((NODE_MODULES / vendor.package / "package.json").read_text())["version"])


def java() -> str:
    """The java binary: JAVA_HOME's, or the first on PATH."""
    home = os.environ.get("JAVA_HOME")
    found = shutil.which("java", path=str(Path(home) / "bin")) if home else shutil.which("java")
    if found is None:
        pytest.fail(f"Java is not installed: run `{INSTALL_JAVA}` (as .ci/run does), or set JAVA_HOME", pytrace=False)
    return found


def command(vendor: Vendor, source: Path, port: int) -> list[str]:
    launcher = [java(), "-jar", tool(vendor)] if vendor.java else [tool(vendor)]
    return launcher + [word.format(source=source, host=HOST, port=port) for word in vendor.arguments]


def free_port() -> int:
    """A loopback port nothing listens on now; the vendor's server binds it in a moment."""
    with bind(HOST) as sock:
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(vendor: Vendor, source: Path, workdir: Path) -> Iterator[str]:
    """The vendor's mock serving `source` (a spec, or WireMock's root folder) on a free loopback port, until the block
    ends; yields its base URL. It runs in `workdir`, its output going to `workdir/<vendor>-<port>.log`."""
    port = free_port()
    if vendor.writes_into_source:
        source = Path(shutil.copytree(source, workdir / f"{source.name}-{port}"))
    argv = command(vendor, source, port)
    log = workdir / f"{vendor.title.lower().replace(' ', '-')}-{port}.log"
    with log.open("wb") as output:
        # A session of its own: the whole group is stopped at the end, children included.
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, cwd=workdir, start_new_session=True
        )
    try:
        wait_until_serving(vendor, process, port, log)
        yield f"http://{HOST}:{port}{vendor.base_path}"
    finally:
        stop(process)


def wait_until_serving(vendor: Vendor, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the server answers HTTP on `port`; fails at once if it exits, and after the vendor's outer bound."""
    started = time.monotonic()
    while time.monotonic() - started < vendor.startup_seconds:
        if process.poll() is not None:
            pytest.fail(f"{vendor.title} exited with code {process.returncode} before serving{last_lines(log)}", pytrace=False)
        if accepts_a_connection(port) and answers_http(f"http://{HOST}:{port}{vendor.ready_path}"):
            return
        time.sleep(POLL_SECONDS)
    pytest.fail(f"{vendor.title} did not answer on port {port} within {vendor.startup_seconds:.0f} s{last_lines(log)}", pytrace=False)


def accepts_a_connection(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def answers_http(url: str) -> bool:
    """Any status counts: a mock answers 404 or 400 where it has nothing to say."""
    try:
        httpx.get(url, timeout=5, trust_env=False)  # loopback: never through a proxy of the environment
        return True
    except httpx.TransportError:
        return False


def last_lines(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines()[-LOG_LINES:]
    return f"; the last lines of its output ({log}):\n" + "\n".join(lines)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL if it outlasts the bound."""
    signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        signal_group(process, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)
    signal_group(process, signal.SIGKILL)  # a child that outlived its parent


def signal_group(process: subprocess.Popen[bytes], sent: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has ended already
        os.killpg(process.pid, sent)
