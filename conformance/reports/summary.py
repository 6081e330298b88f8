"""The summary printed at the end of a run: what was checked, the counts, the advisories, then the verdict."""

from __future__ import annotations

from collections import Counter
from typing import Any

from conformance.printable import printable
from conformance.reports.blocks import GROUPS, TITLES, block_lines, failure_blocks
from conformance.reports.matrix import MATRIX_COLUMNS, MATRIX_TITLE, NOT_APPLICABLE, check_counts, matrix
from conformance.reports.properties import reproduce_command
from conformance.reports.properties import summary_lines as property_lines
from conformance.run.coverage import coverage
from conformance.run.record import AUDIT_WORDS, Record
from conformance.run.verdict import Verdict, plural, status_classes


def requests_line(run: Record) -> str:
    """Every request of the run, of the kinds the plan counts (and the control requests of schemathesis's checks), by
    status class; how many went out, or were answered from the cassette, and how many shared an earlier answer."""
    classes = status_classes(run)
    shown = ", ".join(f"{count} {name}" for name, count in sorted(classes.items()))
    kinds = ", ".join(f"{count} {kind}" for kind, count in request_kinds(run).items() if count)
    requests = run.requests
    went = "answered from the cassette" if requests.from_cassette else "sent"
    shared = f", {requests.shared} shared the answer of the same request sent before" if requests.shared else ""
    return f"Requests: {sum(classes.values())} ({kinds}): {shown}; {requests.sent} {went}{shared}"


def audited_lines(run: Record) -> list[str]:
    """What an audit read, then each exchange that is not conforming, one line each, with the fake's line."""
    recordings = run.recordings
    assert recordings is not None
    words = Counter(audited.verdict for audited in recordings.judged)
    said = ", ".join(f"{words[word]} {word}" for word in AUDIT_WORDS)
    lines = [
        f"Audited:  {plural(recordings.files, 'file')}, {plural(recordings.exchanges, 'exchange')}: {len(recordings.judged)} on this"
        f" endpoint ({said}), {recordings.elsewhere} on others, left alone",
        *(f"Skipped:  {note}" for note in recordings.skipped),
    ]
    for audited in recordings.judged:
        if audited.failed:
            lines.append(f"- {audited.verdict.upper()}: {audited.label}: {', '.join(audited.failed)}; on the fake: {audited.fake}")
    return lines


def request_kinds(run: Record) -> dict[str, int]:
    """How many requests of each kind the run made: those the plan counts, then the unplanned control requests."""
    explicit = sum(1 for answer in run.answers.values() if not answer.unsent)
    controls = len(run.requests.controls)
    return {
        "preflight": run.requests.preflights,
        "explicit": explicit,
        "generated": len(run.cases),
        f"control request{'s' * (controls != 1)} of schemathesis's checks": controls,
    }


def matrix_lines(run: Record) -> list[str]:
    """The matrix without its last column, said once below it instead."""
    rows = matrix(check_counts(run))
    widths = [len(column) for column in MATRIX_COLUMNS[:-1]]
    lines = [MATRIX_TITLE, " ".join([f"{'category':<10}", *MATRIX_COLUMNS[:-1]])]
    lines += [" ".join([f"{category:<10}", *(f"{n:>{w}}" for n, w in zip(row[:-1], widths, strict=True))]) for category, row in rows]
    skipped = sum(row[-1] for _, row in rows)
    if skipped:
        lines.append(f"not applicable: {skipped} ({NOT_APPLICABLE})")
    return lines


def failure_lines(run: Record, blocks: list[dict[str, Any]]) -> list[str]:
    """Each failing check once, grouped: MUST, then SHOULD, then those that compare failures with production; then
    one command that repeats every generated case they failed on."""
    lines = []
    for group in GROUPS:
        mine = [b for b in blocks if b["group"] == group]
        if mine:
            lines += ["", f"{TITLES[group]} ({len(mine)} check{'s' * (len(mine) != 1)})"]
            lines += [line for b in mine for line in ("", *block_lines(b, reproduce=False))]
    if any(b["cases_failed"] for b in blocks):
        lines += ["", f"Reproduce the generated cases: {reproduce_command(run.settings, run.seed)}"]
    return lines


def coverage_lines(run: Record) -> list[str]:
    """The coverage in one line; with --coverage-min, each situation it counts and never saw, one line each (the
    reports give every row)."""
    table = coverage(run)
    missing = [row.situation for row in table.counted if not row.seen] if table.minimum else []
    return [table.summary(), *(f"- never seen: {s.id}: {s.title}" for s in missing)]


def baseline_lines(path: str, said: dict[str, list[str]]) -> list[str]:
    """'Baseline known-failures.json: 2 known, 1 new, 0 expired, 1 to prune', then each in one line."""
    label = {kind: "to prune" if kind == "prune" else kind for kind in said}
    counts = ", ".join(f"{len(lines)} {label[kind]}" for kind, lines in said.items())
    return [f"Baseline {path}: {counts}", *(f"- {label[kind]}: {line}" for kind, lines in said.items() for line in lines)]


def summary_lines(run: Record, verdict: Verdict) -> list[str]:
    lines = [
        f"Target:   {run.target}",
        f"Edition:  {run.edition} ({run.edition_source})",
        *(audited_lines(run) if run.recordings is not None else [requests_line(run)]),
        "",
        *matrix_lines(run),
    ]
    if run.cases:
        lines += ["", *property_lines(run)]
    lines += failure_lines(run, failure_blocks(run, verdict))
    if run.advisories:
        lines += ["", "Advisories (documented contradictions):", *(f"- {a}" for a in run.advisories)]
    lines += ["", *coverage_lines(run)]
    if run.baseline is not None and verdict.standing is not None:
        lines += ["", *baseline_lines(run.baseline.path, verdict.standing.lines(run.baseline.path))]
    if run.cassette_written is not None:
        lines += ["", f"Cassette: wrote {run.settings.cassette} ({plural(run.cassette_written, 'exchange')})"]
    lines = [*lines, "", f"Verdict: {verdict}"]
    return [printable(line) for text in lines for line in text.split("\n")]  # one line each, whatever a target sent
