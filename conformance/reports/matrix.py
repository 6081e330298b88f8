"""The category x level matrix that every format of a run shows, built once."""

from __future__ import annotations

from collections import Counter

from conformance.checks.base import CATEGORIES, LEVELS
from conformance.run.record import Record


def check_counts(run: Record) -> dict[str, dict[str, dict[str, int]]]:
    """category -> level -> outcome -> how many checks on probes."""
    outcomes = Counter((o.check.category, o.check.level, o.outcome) for o in run.outcomes)
    return {c: {lv: {o: outcomes[(c, lv, o)] for o in ("passed", "failed", "skipped")} for lv in LEVELS} for c in CATEGORIES}


MATRIX_COLUMNS = ("MUST pass", "MUST fail", "SHOULD pass", "SHOULD fail", "not applicable")
MATRIX_TITLE = "Each check on each probe it applies to, by category and level:"
NOT_APPLICABLE = "nothing for the check to look at, such as a 200 body's check on a 404; a failing check says why"


def matrix(checks: dict[str, dict[str, dict[str, int]]]) -> list[tuple[str, tuple[int, ...]]]:
    """The category x level matrix every format shows: (category, its cells in MATRIX_COLUMNS' order), for each
    category with any check on a probe."""
    rows = []
    for category in CATEGORIES:
        cells = checks[category]
        row = (
            *(cells[level][outcome] for level in ("MUST", "SHOULD") for outcome in ("passed", "failed")),
            cells["MUST"]["skipped"] + cells["SHOULD"]["skipped"],
        )
        if any(row):
            rows.append((category, row))
    return rows
