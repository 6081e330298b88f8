"""Ctrl-C reaches every process of the terminal's group: helper processes end quietly, the command reports it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance import interrupt
from tests.conftest import processes_in

# A pool of helpers made in a process group of its own, where Ctrl-C comes `after` seconds in, to the whole group as
# a terminal sends it: while the fork server loads modules that take a second or more, or later while the pool's
# processes start. The process that makes the pool may have another thread (a run's embedded mock) or none (the
# selftest), and the kernel hands the signal to a thread that does not block it.
CTRL_C_WHILE_A_POOL_IS_MADE = """
import os, signal, sys, threading, time
from conformance import interrupt
interrupt.install()
if sys.argv[2] == "with another thread":
    threading.Timer(float(sys.argv[1]), os.killpg, (0, signal.SIGINT)).start()
try:
    pool = interrupt.helper_pool(2, ["schemathesis.specs.openapi.schemas", "hypothesis.extra.pytestplugin"])
    time.sleep(5)
except interrupt.Interrupted:
    print("interrupted")
"""


@pytest.mark.parametrize("threads", ["with another thread", "alone"])
@pytest.mark.parametrize("after", [0.3, 0.8, 1.3])
def test_ctrl_c_while_a_pool_of_helpers_is_made_is_heard_and_they_end_quietly(after: float, threads: str, tmp_path: Path) -> None:
    command = [sys.executable, "-c", CTRL_C_WHILE_A_POOL_IS_MADE, str(after), threads]
    making = subprocess.Popen(command, cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    if threads == "alone":
        time.sleep(after)
        os.killpg(making.pid, signal.SIGINT)
    stdout, stderr = making.communicate(timeout=60)
    assert (making.returncode, stdout, stderr) == (0, "interrupted\n", "")  # no traceback from any process
    time.sleep(1)  # helpers that were told to end have ended by now
    assert processes_in(tmp_path) == []


def test_the_fork_servers_first_preload_lets_ctrl_c_through_to_end_it_quietly() -> None:
    """Imported only by a fork server, which starts with Ctrl-C held back: the import sets the handler of the process."""
    handler_and_blocked = "signal.getsignal(signal.SIGINT) == signal.SIG_DFL, signal.pthread_sigmask(signal.SIG_BLOCK, [])"
    code = f"import signal, {interrupt.QUIET_IN_HELPERS}; print({handler_and_blocked})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}),
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "True set()\n", "")
