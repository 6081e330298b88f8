"""The one place that touches Python's internals: a process that ends as soon as its work is done.

Python's own teardown frees every object of a run one by one, about a quarter of a second after the verdict is
printed, for nothing: what the run writes is closed by then. `os._exit` skips it, and the exit handlers that
libraries registered run first through `atexit._run_exitfuncs`, which has no public equivalent. `python
benchmarks/bench.py` shows what it buys ("rtk-conformance run", side by side with "... Python's teardown").
This module refuses to load when that function is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from typing import NoReturn

if not hasattr(atexit, "_run_exitfuncs"):  # pragma: no cover - only on a Python without it
    raise ImportError(f"Python {sys.version.split()[0]} has no atexit._run_exitfuncs")


def end_process(code: int) -> NoReturn:
    """The exit handlers (logging's flush, multiprocessing's clean-up), the streams flushed, then the end."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, a stream already closed
            stream.flush()
    os._exit(code)
