"""How the property layer reports: failures with a way to reproduce them, and counts per phase and mode."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from conformance.properties.engine import CaseResult, PropertyLayer
from conformance.properties.profiles import MODES, PHASES
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


def reproduce_command(settings: Settings, seed: int, label: str) -> str:
    """One line that repeats this phase and mode with the same cases (the token stays in the environment)."""
    words = ["rtk-conformance", "run"]
    for setting in SETTINGS:
        value = getattr(settings, setting.name)
        if value == setting.default or kind(setting) == "bool":
            continue
        for item in value if isinstance(value, tuple) else [value]:
            words += [flag(setting), str(item)]
    words += ["--seed", str(seed), "--", "-k", f"property and {label}"]
    return " ".join(shlex.quote(w) for w in words)


def summary_lines(layer: PropertyLayer) -> list[str]:
    counts = layer.counts()
    lines = [f"Property cases (profile {layer.profile.name}, seed {layer.seed}):"]
    columns = ("cases", "2xx", "4xx", "5xx", "failed", "relabelled", "contested")  # failed: MUST checks
    lines.append(f"{'phase':<9} {'mode':<9} " + " ".join(f"{c:>{max(5, len(c))}}" for c in columns))
    for phase in PHASES:
        for mode in MODES:
            results = [r for r in layer.results if (r.phase, r.mode) == (phase, mode)]
            if not results:
                continue
            row = [len(results), *(counts[(phase, mode, c)] for c in ("2xx", "4xx", "5xx"))]
            row += [sum(1 for r in results if r.failed("MUST")), sum(1 for r in results if not r.expectation.agrees)]
            row += [sum(1 for r in results if r.expectation.contested)]
            lines.append(f"{phase:<9} {mode:<9} " + " ".join(f"{n:>{max(5, len(c))}}" for n, c in zip(row, columns, strict=True)))
    positive = [r for r in layer.results if r.mode == "positive"]
    found = sum(1 for r in positive if r.status == 200)
    if positive:
        lines.append(f"positive cases that reached a session (200): {found} of {len(positive)} ({100 * found // len(positive)}%)")
    contested = sorted({r.expectation.contested for r in layer.results if r.expectation.contested})
    if contested:
        lines.append("contested: cases that follow a documented contradiction, judged on neither acceptance nor rejection")
        lines += [f"  {why}" for why in contested]
    return lines
