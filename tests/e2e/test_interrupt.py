"""Ctrl-C reaches every process of the terminal's group: helper processes end quietly, the command reports it."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance import interrupt
from tests.conftest import OUTER_BOUND, Child, fork_server_of, forked_by_its_fork_server, left_behind, maps, wait_for

pytestmark = pytest.mark.timing

# A pool of helpers made in a process group of its own, until Ctrl-C comes to the whole group as a terminal sends it.
# The process that makes the pool may have another thread (a run's embedded mock) or none (the selftest), and the
# kernel hands the signal to a thread that does not block it.
CTRL_C_WHILE_A_POOL_IS_MADE = """
import sys, threading, time
from conformance import interrupt
interrupt.install()
if sys.argv[1] == "with another thread":
    threading.Thread(target=threading.Event().wait, daemon=True).start()
try:
    pool = interrupt.helper_pool(2, ["schemathesis.specs.openapi.schemas", "hypothesis.extra.pytestplugin"])
    time.sleep(600)  # until Ctrl-C
except interrupt.Interrupted:
    print("interrupted")
"""

# When Ctrl-C comes, each known by what the processes do: the fork server has started (it loads the preloads, which
# takes a second or more), it loads schemathesis (a native module of its own is mapped), the pool's processes have
# been forked.
MOMENTS: dict[str, Callable[[Child], object]] = {
    "as-the-fork-server-starts": lambda making: fork_server_of(making.pid),
    "while-it-loads-schemathesis": lambda making: maps(fork_server_of(making.pid), "jsonschema_rs"),
    "as-the-pool-starts": lambda making: forked_by_its_fork_server(making.pid),
}


@pytest.mark.parametrize("threads", ["with another thread", "alone"])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_ctrl_c_while_a_pool_of_helpers_is_made_is_heard_and_they_end_quietly(moment: str, threads: str, tmp_path: Path) -> None:
    making = Child([sys.executable, "-c", CTRL_C_WHILE_A_POOL_IS_MADE, threads], cwd=tmp_path, group=True)
    wait_for(lambda: MOMENTS[moment](making), moment, making.process)
    making.signal(signal.SIGINT, group=True)
    assert making.finish() == (0, "interrupted\n", "")  # no traceback from any process
    assert left_behind(making.pid, tmp_path) == []


def test_the_fork_servers_first_preload_lets_ctrl_c_through_to_end_it_quietly() -> None:
    """Imported only by a fork server, which starts with Ctrl-C held back: the import sets the handler of the process."""
    handler_and_blocked = "signal.getsignal(signal.SIGINT) == signal.SIG_DFL, signal.pthread_sigmask(signal.SIG_BLOCK, [])"
    code = f"import signal, {interrupt.QUIET_IN_HELPERS}; print({handler_and_blocked})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=OUTER_BOUND,
        preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}),
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "True set()\n", "")
