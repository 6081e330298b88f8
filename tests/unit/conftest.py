"""tests/unit/ is in-process: a unit test that starts a process (a command, a pool, a fork server) fails, and
belongs in tests/e2e/. tests/project/test_unit_tests.py reads the files for the same rule."""

from __future__ import annotations

import _posixsubprocess
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

# The ways a process starts from Python on Linux: subprocess and multiprocessing's spawn and fork server go through
# _posixsubprocess.fork_exec (or os.posix_spawn), multiprocessing's fork through os.fork, pty through os.forkpty.
# (os.system is left as it is: a test pickles it, and the file check refuses it.)
STARTS: list[tuple[Any, str]] = [(_posixsubprocess, "fork_exec"), (subprocess, "_fork_exec")] + [
    (os, name) for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp")
]


@pytest.fixture(autouse=True)
def no_process_started(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for module, name in STARTS:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, _refused(f"{module.__name__}.{name}"))
    yield


def _refused(what: str) -> Any:
    def start(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a unit test starts no process ({what}): move the test to tests/e2e/")

    return start
