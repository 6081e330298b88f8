"""How hard a run pushes: ci (deterministic), thorough (random, many cases), live (read-only and budgeted: the
default for a target that is not on loopback)."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

PHASES = ("examples", "coverage", "fuzzing")
MODES = ("positive", "negative")


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int  # fuzzing cases; examples and coverage are fixed by the contract
    deterministic: bool  # derandomized, no example database: the same tree sends the same requests
    seed: int | None  # None: a fresh random seed, printed so a run can be repeated
    get_only: bool = False  # read-only: no method probes, no generated case of another method
    max_requests: int = 0  # requests of a run at most, explicit and generated; 0: no limit
    shares: int = 1  # the fuzzing cases are made in this many parts, each in a process of its own (properties/shares.py)

    def with_max_examples(self, count: int | None) -> Profile:
        return self if count is None else dataclasses.replace(self, max_examples=count)

    def resolved_seed(self) -> int:
        return self.seed if self.seed is not None else random.randrange(2**32)


PROFILES = {
    "ci": Profile("ci", max_examples=300, deterministic=True, seed=0),
    "thorough": Profile("thorough", max_examples=2000, deterministic=False, seed=None, shares=2),
    # A small, bounded budget for the live API: its rate limit is 1200 requests per 5 minutes.
    "live": Profile("live", max_examples=25, deterministic=True, seed=0, get_only=True, max_requests=150),
}
