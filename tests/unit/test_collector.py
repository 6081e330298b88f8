"""The garbage collector kept off what a process loads: off while it loads, and what was loaded is left out of later
passes; what exists before an import that collects is skipped by it, collected as before after it, and what something
else froze stays frozen."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from conformance.collector import loading, out_of_collection


class Node:
    other: Node


def garbage_cycle() -> weakref.ref[Node]:
    """Two objects that only refer to each other: only the collector can free them."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture
def collector_off() -> Iterator[None]:
    """No collection but the test's own; nothing left frozen after it."""
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


@pytest.mark.usefixtures("collector_off")
def test_what_exists_before_the_block_is_skipped_within_it_and_collected_after() -> None:
    cycle = garbage_cycle()
    with out_of_collection():
        gc.collect()
        assert cycle() is not None
    gc.collect()
    assert cycle() is None


@pytest.mark.usefixtures("collector_off")
def test_what_something_else_froze_stays_frozen() -> None:
    cycle = garbage_cycle()
    gc.freeze()
    with out_of_collection():
        pass
    gc.collect()
    assert cycle() is not None and gc.get_freeze_count() > 0
    gc.unfreeze()
    gc.collect()
    assert cycle() is None


@pytest.mark.usefixtures("collector_off")
def test_loading_is_done_with_the_collector_off_and_what_it_loaded_is_left_out_of_later_passes() -> None:
    gc.enable()
    with loading():
        assert not gc.isenabled()
        cycle = garbage_cycle()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    gc.collect()
    assert cycle() is not None
