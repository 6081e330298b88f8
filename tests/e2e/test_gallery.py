"""The vendor gallery's harness itself, with Python standing in for a vendor's server: it waits for an answer, fails
at once with the server's output when the server exits, fails after its bound, says how to install a missing tool,
and stops the server's children with it. Needs neither Node.js nor Java, so it runs by default."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ENDED_BOUND
from tests.e2e import gallery
from tests.e2e.gallery import Vendor, serving

# Serves HTTP on the port it is given (501 to any GET: an answer), after starting a child that only sleeps and writing
# that child's pid to child.pid in its current directory. No braces: gallery fills {port} into the arguments.
SERVER_WITH_A_CHILD = """
import http.server, subprocess, sys
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])
open('child.pid', 'w').write(str(child.pid))
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.BaseHTTPRequestHandler).serve_forever()
"""


def python_vendor(*arguments: str, startup_seconds: float = 60.0) -> Vendor:
    """A vendor whose tool is this Python (through the override variable), run with `arguments`."""
    return Vendor(
        title="Stand-in",
        package="stand-in",
        version="0",
        installed="stand-in",
        override="STAND_IN_VENDOR",
        arguments=arguments,
        startup_seconds=startup_seconds,
    )


@pytest.fixture(autouse=True)
def python_as_the_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAND_IN_VENDOR", sys.executable)


def test_a_server_that_answers_is_served_then_stopped_with_its_child(tmp_path: Path) -> None:
    with serving(python_vendor("-c", SERVER_WITH_A_CHILD, "{port}"), tmp_path / "spec", tmp_path) as url:
        assert url.startswith("http://127.0.0.1:")
        child = int((tmp_path / "child.pid").read_text())
        assert alive(child)
    assert not alive(child, within=ENDED_BOUND)


def test_a_server_that_exits_fails_at_once_with_its_last_lines(tmp_path: Path) -> None:
    exits = python_vendor("-c", "import sys; print('cannot read the spec'); sys.exit(3)")
    started = time.monotonic()
    failed = pytest.raises(pytest.fail.Exception, match=r"(?s)Stand-in exited with code 3 before serving.*cannot read the spec")
    with failed, serving(exits, tmp_path / "spec", tmp_path):
        pass
    assert time.monotonic() - started < 30  # not its 60 s bound


def test_a_server_that_never_answers_fails_after_its_bound(tmp_path: Path) -> None:
    silent = python_vendor("-c", "import time; print('still loading'); time.sleep(600)", startup_seconds=1)
    failed = pytest.raises(pytest.fail.Exception, match=r"(?s)did not answer on port \d+ within 1 s.*still loading")
    with failed, serving(silent, tmp_path / "spec", tmp_path):
        pass


def test_a_missing_tool_fails_with_the_command_that_installs_every_vendor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(gallery, "NODE_MODULES", tmp_path / "node_modules")
    monkeypatch.delenv(gallery.WIREMOCK.override, raising=False)
    with pytest.raises(pytest.fail.Exception) as failed:
        gallery.tool(gallery.WIREMOCK)
    assert f"WireMock 3.13.2 is not installed: run `{gallery.INSTALL}`" in str(failed.value)
    assert "wiremock@3.13.2" in gallery.INSTALL and "specmatic@2.55.1" in gallery.INSTALL


def alive(pid: int, within: float = 0) -> bool:
    """Whether `pid` runs (a zombie does not), still after `within` seconds of waiting for it to end."""
    deadline = time.monotonic() + within
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state == "Z" or time.monotonic() >= deadline:
            return state != "Z"
        time.sleep(0.05)
