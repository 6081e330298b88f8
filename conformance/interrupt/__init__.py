"""Ctrl-C that always ends the run with exit code 2, wherever it lands."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.resource_tracker
import signal
import sys
import threading
from collections.abc import Iterator
from multiprocessing.pool import Pool
from types import FrameType
from typing import Any, NoReturn

QUIET_IN_HELPERS = f"{__name__}.quiet_in_helpers"  # imported by a fork server only: it sets a handler


class Interrupted(KeyboardInterrupt):
    """Ctrl-C. A subclass because CPython 3.11 marks the whole process as killed by SIGINT when a plain
    KeyboardInterrupt leaves an exec() of a string (dataclasses run one per class while modules load), even
    once it is caught: the process would then end by SIGINT instead of exit code 2."""


_received = False


def _raise_interrupted(signum: int, frame: FrameType | None) -> NoReturn:
    global _received
    _received = True
    raise Interrupted


def install() -> None:
    signal.signal(signal.SIGINT, _raise_interrupted)
    sys.unraisablehook = _quiet_about_interrupts


def _quiet_about_interrupts(unraisable: Any) -> None:
    """Ctrl-C that landed in a callback Python cannot raise from (a weak reference's, the collector's): Python
    would print "Exception ignored in ..." and a traceback. It is raised again between tests (raise_if_swallowed)."""
    if not isinstance(unraisable.exc_value, Interrupted):
        sys.__unraisablehook__(unraisable)


def received() -> bool:
    """Whether Ctrl-C was pressed during this process."""
    return _received


def raise_if_swallowed() -> None:
    """Raise again a Ctrl-C that landed in a garbage-collector callback (Hypothesis keeps one), where Python
    reports the exception as unraisable and goes on: called between tests, it stops the run there."""
    if _received:
        raise Interrupted


def ignore() -> None:
    """Ctrl-C does nothing from here on, where it could only print a traceback: in a helper process (Ctrl-C reaches
    every process of the terminal's group, and the one that started the helpers reports it and ends them), and in
    a command whose work is done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def helper_pool(processes: int, preload: list[str], **options: Any) -> Pool:
    """A multiprocessing pool whose processes ignore Ctrl-C, forked from a fork server that loaded `preload` (fresh
    interpreters where the platform has no fork server).

    It is made with Ctrl-C held back, and a Ctrl-C meanwhile is heard once every process has started: a process
    left starting for a command that has ended prints a traceback. That takes a few milliseconds, or the seconds a
    new fork server takes to load `preload`. The server starts with Ctrl-C blocked (a blocked signal stays blocked
    across exec), and its first preload makes Ctrl-C end it quietly before letting it through."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        context: Any = multiprocessing.get_context("spawn")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([QUIET_IN_HELPERS, *preload])
        # Started by the server otherwise, the resource tracker would let Ctrl-C through again once it runs.
        multiprocessing.resource_tracker.ensure_running()
    pool: Pool | None = None
    failure: Exception | None = None
    with _held() as heard:
        try:
            pool = context.Pool(processes, initializer=ignore, **options)
        except Exception as exc:  # the server may have ended on a Ctrl-C still held back: known after the block
            failure = exc
    if heard:
        if pool is not None:
            pool.terminate()
        _raise_interrupted(signal.SIGINT, None)
    if failure is not None:
        raise failure
    assert pool is not None  # made, as nothing failed
    return pool


@contextlib.contextmanager
def _held() -> Iterator[list[int]]:
    """Ctrl-C held back within the block: blocked in this thread, so in the processes it starts, and recorded
    wherever else it is delivered (another thread's). The list says whether it came."""
    heard: list[int] = []
    in_main = threading.current_thread() is threading.main_thread()  # only it may set a handler
    previous = signal.signal(signal.SIGINT, lambda signum, frame: heard.append(signum)) if in_main else None
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield heard
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C that waited is handled here, by the recorder
        if in_main:
            signal.signal(signal.SIGINT, previous)
