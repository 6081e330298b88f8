"""Reports of a run for machines and people (`--report PATH`: .json, .md, .html), rendered from the one verdict.

`report_data` is the content of every format: the JSON report is that document, the others lay it out.
Its JSON Schema ships beside this module (report.schema.json).
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import conformance
from conformance.checks import REGISTRY
from conformance.contract import contract_sha256
from conformance.files import write_atomically
from conformance.reports.blocks import GROUPS, failure_blocks, group_of
from conformance.reports.matrix import check_counts
from conformance.reports.properties import PROPERTY_COLUMNS, property_notes, property_rows
from conformance.reports.summary import requests_line
from conformance.run.coverage import coverage
from conformance.run.record import Record
from conformance.run.settings import SettingsError
from conformance.run.verdict import PROPERTY_PROBE, Failure, Verdict, reach, status_classes

__all__ = ["FORMATS", "append_step_summary", "check_format", "failed", "failure_blocks", "report_data", "write"]

SCHEMA = Path(__file__).parent / "report.schema.json"
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"  # GitHub Actions shows Markdown appended to this file on the run's page
CATEGORY = {c.id: c.category for c in REGISTRY}


def check_entries(run: Record, verdict: Verdict) -> list[dict[str, Any]]:
    """Each explicit check on each probe, then each property-layer failure (per check and phase-mode)."""
    entries = [
        {"id": o.check.id, "category": o.check.category, "level": o.check.level, "probe": o.probe, "outcome": o.outcome, "message": o.text}
        for o in run.outcomes
    ]
    for failure in [*verdict.fatal, *verdict.advisory, *verdict.known]:
        if failure.probe.startswith(PROPERTY_PROBE):
            category = CATEGORY[failure.check]
            entry = {"id": failure.check, "category": category, "level": failure.level, "probe": failure.probe, "outcome": "failed"}
            entries.append({**entry, "message": failure.text})
    return entries


def counts(run: Record) -> dict[str, Any]:
    checks = check_counts(run)
    classes = status_classes(run)
    cases = Counter((r.phase, r.mode) for r in run.cases)
    property_cases: dict[str, dict[str, int]] = {}
    for (phase, mode), n in sorted(cases.items()):
        property_cases.setdefault(phase, {})[mode] = n
    requests = run.requests
    sent = {"sent": requests.sent, "shared": requests.shared}  # shared: answered, not sent again
    return {"checks": checks, "requests": dict(sorted(classes.items())), "requests_sent": sent, "property_cases": property_cases}


def failed(run: Record, verdict: Verdict) -> dict[str, dict[str, int]]:
    """How many checks failed and on how many probes and generated cases: in all, and per group (MUST, SHOULD,
    production). The same numbers everywhere; the verdict's are those of the fatal groups."""
    failures = [*verdict.fatal, *verdict.advisory, *verdict.known]
    groups = {"all": failures, **{g: [f for f in failures if group_of(f, verdict) == g] for g in GROUPS}}
    return {name: numbers(run, mine) for name, mine in groups.items()}


def numbers(run: Record, failures: list[Failure]) -> dict[str, int]:
    probes, cases = reach(run, failures)
    return {"checks": len({f.check for f in failures}), "probes": len(probes), "generated_cases": cases}


def property_table(run: Record) -> dict[str, Any]:
    return {"columns": list(PROPERTY_COLUMNS), "rows": property_rows(run), "notes": property_notes(run)}


def audit_section(run: Record) -> dict[str, Any] | None:
    """An audit's: the files and exchanges it read, each exchange's word and the fake's line for it; null for a run."""
    recordings = run.recordings
    if recordings is None:
        return None
    exchanges = [dataclasses.asdict(audited) | {"failed": list(audited.failed)} for audited in recordings.judged]
    counted = {"files": recordings.files, "exchanges": recordings.exchanges, "elsewhere": recordings.elsewhere}
    return {**counted, "skipped": recordings.skipped, "judged": exchanges}


def coverage_table(run: Record) -> dict[str, Any]:
    """The situations of the contract the run saw, and from where; each row's fact observed, documented or inferred."""
    table = coverage(run)
    rows = [
        {
            "id": row.situation.id,
            "group": row.situation.group,
            "title": row.situation.title,
            "seen": row.seen,
            "fact": row.situation.source,
            "contract": row.situation.contract,
            "left_out": row.left_out,
        }
        for row in table.rows
    ]
    return {"summary": table.summary(), "from": table.source, "percent": table.percent, "minimum": table.minimum, "rows": rows}


def report_data(run: Record, verdict: Verdict) -> dict[str, Any]:
    """Everything a report says; never a secret (the target's label is its URL or 'embedded reference mock')."""
    blocks = failure_blocks(run, verdict)
    return {
        "verdict": {"name": verdict.name, "reason": verdict.reason, "exit_code": verdict.exit_code},
        "target": run.target,
        "edition": {"name": run.edition, "source": run.edition_source},
        "profile": run.profile,
        "seed": run.seed,
        "suite_version": conformance.__version__,
        "contract_sha256": contract_sha256(),
        "started_at": datetime.datetime.fromtimestamp(run.started, datetime.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": run.duration,
        "counts": counts(run),
        "requests_line": requests_line(run),
        "property_table": property_table(run),
        "failed": failed(run, verdict),
        "failures": blocks,
        "checks": check_entries(run, verdict),
        "advisories": [str(a) for a in run.advisories],
        "coverage": coverage_table(run),
        "audit": audit_section(run),
        "baseline": {"file": run.baseline.path, **verdict.standing.lines(run.baseline.path)} if run.baseline and verdict.standing else None,
    }


# Each format a report can be written in, by the suffix that names it, and the module that renders it.
RENDERERS = {".json": "", ".md": "markdown", ".html": "html"}
FORMATS = tuple(RENDERERS)


def check_format(path: str) -> None:
    """A report path must name one of the formats by its suffix; SettingsError otherwise, before anything is sent."""
    if path and not path.endswith(FORMATS):
        raise SettingsError(f"report must end in {', '.join(FORMATS)}, got {path!r}")


def write(path: Path, run: Record, verdict: Verdict) -> None:
    """The report in the format its suffix names (a renderer is imported only when a report of its format is asked)."""
    data = report_data(run, verdict)
    suffix = next(suffix for suffix in RENDERERS if path.name.endswith(suffix))  # ".json" has no suffix of its own
    if not RENDERERS[suffix]:
        write_atomically(path, json.dumps(data, indent=1) + "\n")
        return
    renderer = importlib.import_module(f"conformance.reports.{RENDERERS[suffix]}")
    write_atomically(path, renderer.render(data))


def append_step_summary(run: Record, verdict: Verdict) -> None:
    """On GitHub Actions, the Markdown report on the run's page."""
    from conformance.reports import markdown

    target = os.environ.get(STEP_SUMMARY)
    if target:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(markdown.render(report_data(run, verdict)) + "\n")
