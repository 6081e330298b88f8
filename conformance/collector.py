"""Python's garbage collector kept off what a process loads: modules live until the end, and walking them finds
nothing. `python benchmarks/bench.py` shows what a run gains ("rtk-conformance run" beside its floor)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """A block that loads what the process keeps to its end (pytest, schemathesis, the contract): the collector is
    off within it, as loading makes a few hundred thousand objects and frees almost none, and what was loaded is
    left out of its later passes."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@contextlib.contextmanager
def out_of_collection() -> Iterator[None]:
    """Every object that exists now is skipped by collections within the block, even an explicit gc.collect() (a
    full pass over a loaded process takes 25 ms or more); afterwards they are collected as before, unless something
    else had frozen objects already, which then stay frozen as it meant."""
    unfreeze = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if unfreeze:
            gc.unfreeze()
