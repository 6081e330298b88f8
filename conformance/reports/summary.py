"""The summary printed at the end of a run: what was checked, the counts, the advisories, then the verdict."""

from __future__ import annotations

from typing import Any

from conformance.printable import printable
from conformance.reports.blocks import GROUPS, TITLES, block_lines, failure_blocks
from conformance.reports.matrix import MATRIX_COLUMNS, MATRIX_TITLE, NOT_APPLICABLE, check_counts, matrix
from conformance.reports.properties import reproduce_command
from conformance.reports.properties import summary_lines as property_lines
from conformance.run.record import Run
from conformance.run.verdict import Verdict, plural, status_classes


def requests_line(run: Run) -> str:
    """Every request of the run, of the kinds the plan counts (and the control requests of schemathesis's checks), by
    status class; how many went out, or were answered from the cassette, and how many shared an earlier answer."""
    classes = status_classes(run)
    shown = ", ".join(f"{count} {name}" for name, count in sorted(classes.items()))
    kinds = ", ".join(f"{count} {kind}" for kind, count in request_kinds(run).items() if count)
    requests = run.requests()
    went = "answered from the cassette" if run.settings.replaying else "sent"
    shared = f", {requests.shared} shared the answer of the same request sent before" if requests.shared else ""
    return f"Requests: {sum(classes.values())} ({kinds}): {shown}; {requests.sent} {went}{shared}"


def request_kinds(run: Run) -> dict[str, int]:
    """How many requests of each kind the run made: those the plan counts, then the unplanned control requests."""
    explicit = sum(1 for exchange in run.client.exchanges.values() if not exchange.unsent)
    controls = len(run.properties.control_statuses)
    return {
        "preflight": run.target.preflights,
        "explicit": explicit,
        "generated": len(run.properties.results),
        f"control request{'s' * (controls != 1)} of schemathesis's checks": controls,
    }


def matrix_lines(run: Run) -> list[str]:
    """The matrix without its last column, said once below it instead."""
    rows = matrix(check_counts(run))
    widths = [len(column) for column in MATRIX_COLUMNS[:-1]]
    lines = [MATRIX_TITLE, " ".join([f"{'category':<10}", *MATRIX_COLUMNS[:-1]])]
    lines += [" ".join([f"{category:<10}", *(f"{n:>{w}}" for n, w in zip(row[:-1], widths, strict=True))]) for category, row in rows]
    skipped = sum(row[-1] for _, row in rows)
    if skipped:
        lines.append(f"not applicable: {skipped} ({NOT_APPLICABLE})")
    return lines


def failure_lines(run: Run, blocks: list[dict[str, Any]]) -> list[str]:
    """Each failing check once, grouped: MUST, then SHOULD, then those that compare failures with production; then
    one command that repeats every generated case they failed on."""
    lines = []
    for group in GROUPS:
        mine = [b for b in blocks if b["group"] == group]
        if mine:
            lines += ["", f"{TITLES[group]} ({len(mine)} check{'s' * (len(mine) != 1)})"]
            lines += [line for b in mine for line in ("", *block_lines(b, reproduce=False))]
    if any(b["cases_failed"] for b in blocks):
        lines += ["", f"Reproduce the generated cases: {reproduce_command(run.settings, run.properties.seed)}"]
    return lines


def summary_lines(run: Run, verdict: Verdict) -> list[str]:
    lines = [
        f"Target:   {run.target.label}",
        f"Edition:  {run.contract.edition} ({run.edition_source})",
        requests_line(run),
        "",
        *matrix_lines(run),
    ]
    if run.properties.results:
        lines += ["", *property_lines(run.properties)]
    lines += failure_lines(run, failure_blocks(run, verdict))
    if run.advisories:
        lines += ["", "Advisories (documented contradictions):", *(f"- {a}" for a in run.advisories)]
    if run.recording is not None and run.recording.written is not None:
        lines += ["", f"Cassette: wrote {run.settings.cassette} ({plural(run.recording.written, 'exchange')})"]
    lines = [*lines, "", f"Verdict: {verdict}"]
    return [printable(line) for text in lines for line in text.split("\n")]  # one line each, whatever a target sent
