"""How the property layer reports: failures with a way to reproduce them, and counts per phase and mode."""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Sequence
from typing import Any

from conformance.properties.engine import CaseResult
from conformance.properties.profiles import MODES, PHASES
from conformance.run.record import Record
from conformance.run.settings import SETTINGS, Settings, flag, kind

SHOWN_FAILURES = 3


class PropertyFailure(AssertionError):
    """Generated cases of one phase and mode broke the contract."""

    def __init__(self, label: str, level: str, failed: Sequence[CaseResult], total: int, reproduce: str) -> None:
        super().__init__(label)
        self.label, self.level, self.failed, self.total, self.reproduce = label, level, list(failed), total, reproduce

    def __str__(self) -> str:
        lines = [f"[property {self.label}] {len(self.failed)} of {self.total} generated cases failed {self.level} checks"]
        for number, result in enumerate(self.failed[:SHOWN_FAILURES], 1):
            lines += [f"--- case {number}: HTTP {result.status}; {result.expectation.why}"]
            lines += [f.text for f in result.failures]
            lines += [f"Curl: {result.request_line}"]
        if len(self.failed) > SHOWN_FAILURES:
            lines.append(f"... and {len(self.failed) - SHOWN_FAILURES} more")
        lines.append(f"Reproduce: {self.reproduce}")
        return "\n".join(lines)


def reproduce_command(settings: Settings, seed: int, label: str = "") -> str:
    """One line that repeats this phase and mode (or, without a label, every phase) with the same cases: the token
    stays in the environment, and the report is not written again."""
    words = ["rtk-conformance", "run"]
    for setting in SETTINGS:
        value = getattr(settings, setting.name)
        if value == setting.default or kind(setting) == "bool" or setting.name in ("report", "seed", "baseline"):  # the seed follows
            continue
        for item in value if isinstance(value, tuple) else [value]:
            words += [flag(setting), str(item)]
    words += ["--seed", str(seed), "--", *(["-k", f"property and {label}"] if label else ["-m", "property"])]
    return " ".join(shlex.quote(w) for w in words)


PROPERTY_COLUMNS = ("phase", "mode", "cases", "2xx", "4xx", "5xx", "failed", "relabelled", "contested")  # failed: MUST checks


def property_rows(run: Record) -> list[list[Any]]:
    """Per phase and mode that has cases: the table every format shows, in PROPERTY_COLUMNS' order."""
    counts = Counter((r.phase, r.mode, f"{r.status // 100}xx" if r.status else "none") for r in run.cases)
    rows = []
    for phase in PHASES:
        for mode in MODES:
            results = [r for r in run.cases if (r.phase, r.mode) == (phase, mode)]
            if results:
                row = [phase, mode, len(results), *(counts[(phase, mode, c)] for c in ("2xx", "4xx", "5xx"))]
                row += [sum(1 for r in results if r.failed("MUST")), sum(1 for r in results if not r.expectation.agrees)]
                rows.append([*row, sum(1 for r in results if r.expectation.contested)])
    return rows


def property_notes(run: Record) -> list[str]:
    """What the table needs said beside it: how many positive cases reached a session, and the contested cases."""
    positive = [r for r in run.cases if r.mode == "positive"]
    found = sum(1 for r in positive if r.status == 200)
    notes = (
        [f"positive cases that reached a session (200): {found} of {len(positive)} ({100 * found // len(positive)}%)"] if positive else []
    )
    contested = sorted({r.expectation.contested for r in run.cases if r.expectation.contested})
    if contested:
        notes.append("contested: cases that follow a documented contradiction, judged on neither acceptance nor rejection")
        notes += [f"  {why}" for why in contested]
    return notes


def summary_lines(run: Record) -> list[str]:
    widths = [9, 9, *(max(5, len(c)) for c in PROPERTY_COLUMNS[2:])]
    head = " ".join(f"{c:<{w}}" if i < 2 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(PROPERTY_COLUMNS, widths, strict=True)))
    lines = [f"Property cases (profile {run.profile}, seed {run.seed}):", head]
    for row in property_rows(run):
        lines.append(" ".join(f"{v:<{w}}" if i < 2 else f"{v:>{w}}" for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    return lines + property_notes(run)
