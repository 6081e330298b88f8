"""The verdict of a run and the summary printed at its end."""

from __future__ import annotations

from collections import Counter

from conformance.checks.base import CATEGORIES
from conformance.properties.report import summary_lines as property_lines
from conformance.run import Run

CONFORMS, VIOLATES, INCONCLUSIVE = "CONFORMS", "VIOLATES", "INCONCLUSIVE"
WITH_ADVISORIES = "CONFORMS WITH ADVISORIES"


def verdict(run: Run) -> tuple[str, str]:
    """(verdict, why). SHOULD failures count only with --strict, documented contradictions never; no 200 is never a pass."""
    failed = Counter(o.check.level for o in run.outcomes if o.outcome == "failed")
    cases = Counter(level for r in run.properties.results for level in ("MUST", "SHOULD") if r.failed(level))
    fatal = failed["MUST"] + cases["MUST"] + (failed["SHOULD"] + cases["SHOULD"] if run.settings.strict else 0)
    if (run.outcomes or run.properties.results) and not run.saw_200():
        return INCONCLUSIVE, "no 200 response was seen, so no session body could be checked"
    counted = f"{failed['MUST']} MUST and {failed['SHOULD']} SHOULD check(s) failed"
    if cases:
        counted += f"; generated cases failing MUST checks: {cases['MUST']}, SHOULD checks: {cases['SHOULD']}"
    if fatal:
        return VIOLATES, counted
    contradicted = f"; {len(run.advisories)} documented contradiction(s), never a failure" if run.advisories else ""
    if failed["SHOULD"] or cases["SHOULD"]:
        return WITH_ADVISORIES, f"all MUST checks hold; {counted} (--strict makes SHOULD failures fatal){contradicted}"
    if run.advisories:
        return WITH_ADVISORIES, f"every check holds{contradicted}"
    return CONFORMS, "every check holds"


def summary_lines(run: Run) -> list[str]:
    sent = run.client.exchanges.values()
    ok = sum(1 for e in sent if e.response is not None and e.response.status == 200)
    lines = [
        f"Target:   {run.target.label}",
        f"Edition:  {run.contract.edition} ({run.edition_source})",
        f"Requests: {len(sent)} sent, {ok} answered 200",
        "",
        f"{'category':<10} {'MUST pass':>9} {'MUST fail':>9} {'SHOULD pass':>11} {'SHOULD fail':>11}",
    ]
    counts = Counter((o.check.category, o.check.level, o.outcome) for o in run.outcomes)
    for category in CATEGORIES:
        row = [counts[(category, level, outcome)] for level in ("MUST", "SHOULD") for outcome in ("passed", "failed")]
        if any(row) or any(counts[(category, lv, "skipped")] for lv in ("MUST", "SHOULD")):
            lines.append(f"{category:<10} {row[0]:>9} {row[1]:>9} {row[2]:>11} {row[3]:>11}")
    skipped = sum(1 for o in run.outcomes if o.outcome == "skipped")
    if skipped:
        lines.append(f"not applicable: {skipped} (nothing for the check to look at; a failing check says why)")
    if run.properties.results:
        lines += ["", *property_lines(run.properties)]
    if run.advisories:
        lines += ["", "Advisories (documented contradictions):", *(f"- {a}" for a in run.advisories)]
    name, why = verdict(run)
    lines += ["", f"Verdict: {name}: {why}"]
    return lines
