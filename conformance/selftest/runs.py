"""`rtk-conformance <arguments>` as a process of its own, many times over, without loading Python and the suite
each time: a fork server (multiprocessing's "forkserver") loads them once, and forks one fresh process per run.

A fork server starts single-threaded, so forking it is safe wherever it is started from (a thread pool, a pytest
worker). Where the platform has none, each run is `python -m conformance` in a subprocess."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from multiprocessing.pool import Pool
from pathlib import Path

from conformance import interrupt

# What a run loads before its first request; the fork server loads it once, for every run it forks. The pytest
# plugins of the environment are loaded too where they are installed (a name that is not is passed over). pytest's
# own plugins are not listed: pytest has no public list of them, and preloading them saved 0.04 s a run.
PRELOAD = [
    *(
        "conformance.cli.console",
        "conformance.cli.commands",
        "conformance.plugin",
        "conformance.plugin.active",
        "conformance.properties.engine",
    ),
    *(f"conformance.suite.{name}" for name in ("conftest", "test_contract", "test_properties")),
    *("schemathesis.specs.openapi.schemas", "schemathesis.transport.wsgi", "hypothesis.extra.pytestplugin", "pdb"),
    *("xdist.plugin", "xdist.looponfail", "anyio.pytest_plugin", "respx.plugin", "platformdirs.pytest_plugin"),
]
RUN_TIMEOUT = 600  # seconds; a run is stopped past this
POLL = 0.1  # seconds between two looks at whether a run has ended or Ctrl-C came

Command = Callable[[list[str]], int]  # the command's entry point, as `python -m conformance` calls it
_pool: Pool | None = None
_command: Command | None = None


@contextlib.contextmanager
def processes(jobs: int, command: Command | None) -> Iterator[None]:
    """Runs within the block are `command`, forked from one fork server, `jobs` at a time (without a command, or
    where the platform has no fork server, each run is a new interpreter). The command is handed in by the CLI
    above: the selftest imports nothing of it."""
    global _pool, _command
    if command is None or "forkserver" not in multiprocessing.get_all_start_methods():
        yield
        return
    _command = command
    # One run per process: no state carries over. A run that is forked installs its own Ctrl-C handler.
    with interrupt.helper_pool(jobs, PRELOAD, maxtasksperchild=1) as _pool:
        try:
            yield
        finally:
            _pool = None


def run(arguments: list[str], environment: dict[str, str], cwd: str) -> tuple[int, str]:
    """(exit code, what the run wrote to stderr) of `rtk-conformance <arguments>` run in `cwd`."""
    interrupt.raise_if_swallowed()  # a run that starts after Ctrl-C would not hear it
    if _pool is None:
        command = [sys.executable, "-m", "conformance", *arguments]
        env = {**os.environ, **environment}
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        return done.returncode, done.stderr
    pending = _pool.apply_async(_forked, (_command, arguments, environment, cwd))
    for _ in range(int(RUN_TIMEOUT / POLL)):
        if pending.ready():
            break
        # A run that was starting when Ctrl-C came did not hear it: stop waiting, and the pool's end ends the run.
        interrupt.raise_if_swallowed()
        pending.wait(POLL)
    return pending.get(0)


def _forked(command: Command, arguments: list[str], environment: dict[str, str], cwd: str) -> tuple[int, str]:
    """In the forked process: the command as `python -m conformance` runs it, its output kept in files of `cwd`."""
    gc.freeze()  # what the fork server loaded stays as it is: the collector need not walk it again in every run
    os.chdir(cwd)
    os.environ.update(environment)
    stdout, stderr = Path(cwd, "stdout.txt"), Path(cwd, "stderr.txt")
    with stdout.open("w") as out, stderr.open("w") as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        exit_code = command(arguments)
        sys.stdout.flush()
        sys.stderr.flush()
    return exit_code, stderr.read_text()
