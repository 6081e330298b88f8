"""Situation coverage: which of the contract's situations (checks/situations.py) the run saw, and from where.

Every report shows the table. `--coverage-min N` fails a run that saw fewer than N% of the situations it counts:
those it can reach. Left out of the count, each row saying why: a situation a run does not provoke (the contract's
x-not-provoked), the edition the target does not serve (a target serves one; either is right), and those the user
marks unreachable (`--unreachable ID`, or `unreachable = [...]` in the configuration file).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from conformance.checks.situations import Situation, situations
from conformance.run.record import Record

LIVE_TARGET, CASSETTE, EMBEDDED, RECORDINGS = "the live target", "a cassette", "the embedded mock", "recordings (an audit)"


@dataclass(frozen=True)
class Row:
    situation: Situation
    seen: int  # answers that showed it
    left_out: str = ""  # why it is not counted, or ''


@dataclass(frozen=True)
class Coverage:
    rows: tuple[Row, ...]
    source: str  # where what was seen came from: the live target, a cassette, the embedded mock
    minimum: int  # --coverage-min; 0: none

    @property
    def counted(self) -> list[Row]:
        return [row for row in self.rows if not row.left_out]

    @property
    def percent(self) -> int:
        counted = self.counted
        return round(100 * sum(1 for row in counted if row.seen) / len(counted)) if counted else 100

    def summary(self) -> str:
        """'Coverage: 21 of 23 situations seen (91%), from the embedded mock; 3 not counted'."""
        counted = self.counted
        seen = sum(1 for row in counted if row.seen)
        left = len(self.rows) - len(counted)
        return (
            f"Coverage: {seen} of {len(counted)} situations seen ({self.percent}%), from {self.source}"
            + (f"; {left} not counted" if left else "")
            + (f"; --coverage-min {self.minimum}" if self.minimum else "")
        )

    def shortfall(self) -> str:
        """Why the run saw too little for --coverage-min, naming each situation never seen; or ''."""
        if not self.minimum or self.percent >= self.minimum:
            return ""
        missing = ", ".join(row.situation.id for row in self.counted if not row.seen)
        return f"the run saw {self.percent}% of the situations, below --coverage-min {self.minimum}; never seen: {missing}"


def source_of(run: Record) -> str:
    if run.recordings is not None:
        return RECORDINGS
    if run.settings.replaying:
        return CASSETTE
    return EMBEDDED if run.settings.target == "embedded" else LIVE_TARGET


def coverage(run: Record) -> Coverage:
    seen: Counter[str] = Counter()
    for answer in run.answers.values():
        seen.update(answer.situations)
    for case in run.cases:
        seen.update(case.situations)
    unreachable = set(run.settings.unreachable)
    rows = tuple(Row(s, seen[s.id], _left_out(s, run, unreachable)) for s in situations(run.edition))
    return Coverage(rows, source_of(run), run.settings.coverage_min)


def _left_out(situation: Situation, run: Record, unreachable: set[str]) -> str:
    if situation.id in unreachable:
        return "marked unreachable (--unreachable)"
    if situation.not_provoked:
        return f"not provoked by a run: {situation.not_provoked}"
    if situation.group == "edition" and situation.id != f"edition:{run.edition}":
        return f"a target serves one edition; this run's is {run.edition}"
    return ""
