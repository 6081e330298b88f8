"""Ctrl-C that always ends the run with exit code 2, wherever it lands."""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any


class Interrupted(KeyboardInterrupt):
    """Ctrl-C. A subclass because CPython 3.11 marks the whole process as killed by SIGINT when a plain
    KeyboardInterrupt leaves an exec() of a string (dataclasses run one per class while modules load), even
    once it is caught: the process would then end by SIGINT instead of exit code 2."""


_received = False


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
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
