"""The fuzzing phase of a profile that has shares (thorough), generated on every core while the run sends its
explicit probes and first phases: each share is a part of the cases with a seed of its own, made in a process of
its own. The number of shares is fixed by the profile, not by the machine's cores, so a seed repeats a run on any
machine: with one core the shares are only made one after another."""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from conformance import interrupt
from conformance.contract import load_contract
from conformance.properties import corpus
from conformance.properties.generate import generate, load_operation
from conformance.properties.profiles import Profile
from conformance.transport.probes import Ids

PHASE = "fuzzing"  # the one phase with many cases; examples and coverage are few, fixed by the contract


class Shares:
    """The fuzzing cases of a run, being made in `profile.shares` processes from the moment this is created."""

    def __init__(self, edition: str, ids: Ids, profile: Profile, seed: int) -> None:
        # A fork server loads this module once, for every share.
        self._pool: Pool = interrupt.helper_pool(profile.shares, [__name__])
        self._pending: list[AsyncResult[list[dict[str, Any]]]] = [
            self._pool.apply_async(make_share, (edition, ids, profile, seed, share)) for share in range(profile.shares)
        ]
        self._pool.close()  # no more work: each process ends once its share is made

    def cases(self, operation: Any, keep_going: Callable[[], None]) -> list[Any]:
        """Every share's cases, in share order, for `operation` of this process: waits for the shares still being made,
        calling `keep_going()` each second, which stops the wait by raising (the run's deadline passed)."""
        for pending in self._pending:
            while not pending.ready():
                keep_going()
                pending.wait(1)
        return [case for pending in self._pending for case in corpus.rebuilt(operation, pending.get())]

    def close(self) -> None:
        """Stop what is still being made (the run ended first) and wait for the processes to end."""
        self._pool.terminate()
        self._pool.join()


def make_share(edition: str, ids: Ids, profile: Profile, seed: int, share: int) -> list[dict[str, Any]]:
    """One share's cases as plain data: its part of `profile.max_examples`, generated with seed `seed + share`."""
    part = profile.with_max_examples(-(-profile.max_examples // profile.shares))
    contract = load_contract(edition)
    operation = load_operation(contract, ids, part, seed + share)
    return corpus.records(generate(operation, PHASE, seed + share, ids).cases)
