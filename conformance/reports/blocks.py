"""One block per failing check, as every format shows it: where it failed (probes, generated cases), each distinct
error, what is documented, where in the contract, and one request to send again. MUST blocks first, then SHOULD,
then those that compare failures with production; within each, the check whose fix clears the most failures first.
The same defect seen by several engines (an explicit check, a property phase) is one block."""

from __future__ import annotations

from typing import Any

from conformance.checks import REGISTRY
from conformance.checks.base import MAX_ERRORS
from conformance.reports.properties import reproduce_command
from conformance.run.record import Record
from conformance.run.verdict import PROPERTY_PROBE, Failure, Verdict, differs_from_production, reach, where_failed

GROUPS = ("MUST", "SHOULD", "production", "known")
TITLES = {
    "MUST": "MUST: failures to fix",
    "SHOULD": "SHOULD (advisory): documented meaning that does not hold; fatal only with --strict",
    "production": "Differs from production (advisory): failures answered otherwise than Cloudflare does; fatal only with --strict",
    "known": "Known failures (baseline): not fatal until their entry expires",
}
RULES = {check.id: check.rule for check in REGISTRY}


def group_of(failure: Failure, verdict: Verdict) -> str:
    if any(failure is known for known in verdict.known):
        return "known"
    return "production" if differs_from_production(failure) else failure.level


def failure_blocks(run: Record, verdict: Verdict) -> list[dict[str, Any]]:
    """Each failing check's block, in the order to fix them; the known failures of the baseline apart, last."""
    by_check: dict[tuple[str, str], list[Failure]] = {}
    for failure in [*verdict.fatal, *verdict.advisory, *verdict.known]:
        by_check.setdefault((group_of(failure, verdict), failure.check), []).append(failure)
    blocks = [block(run, check, failures, group, verdict) for (group, check), failures in by_check.items()]
    return sorted(blocks, key=lambda b: (GROUPS.index(b["group"]), -b["probes_failed"] - b["cases_failed"], b["check"]))


def baseline_entry(failure: Failure, verdict: Verdict) -> str:
    """What the baseline says of this failure: the entry that names it (known, or expired), or ''."""
    standing = verdict.standing
    for label, named in (("", standing.known), ("EXPIRED: ", standing.expired)) if standing else ():
        for known, entry in named:
            if known is failure:
                return label + entry.brief()
    return ""


def block(run: Record, check: str, failures: list[Failure], group: str, verdict: Verdict) -> dict[str, Any]:
    probes, cases = reach(run, failures)
    explicit = [e for f in failures if not f.probe.startswith(PROPERTY_PROBE) for e in f.detail.get("errors", [])]
    generated = [e for r in run.cases for f in r.failures if f.check == check for e in f.detail.get("errors", [])]
    errors = list(dict.fromkeys(explicit + generated))  # each distinct error once, in the order first seen
    first = failures[0].detail
    phases = [f"{r.phase}-{r.mode}" for r in run.cases if any(f.check == check for f in r.failures)]
    return {
        "check": check,
        "level": failures[0].level,
        "group": group,
        "rule": RULES[check],
        "probes": sorted(probes),
        "probes_failed": len(probes),
        "cases_failed": cases,
        "errors": errors[:MAX_ERRORS],
        "more_errors": max(0, len(errors) - MAX_ERRORS),
        "received": first.get("received", ""),
        "documented": first.get("documented", ""),
        "contract": first.get("contract", ""),
        "request": first.get("request", ""),
        "reproduce": reproduce_command(run.settings, run.seed, phases[0]) if phases else "",
        "baseline": baseline_entry(failures[0], verdict),
    }


def block_lines(block: dict[str, Any], reproduce: bool = True) -> list[str]:
    """The block as text: Markdown's, and the terminal's (whose one Reproduce line for every block follows them)."""
    shown = block["probes"][0] + (f", +{len(block['probes']) - 1}" if len(block["probes"]) > 1 else "") if block["probes"] else ""
    where = where_failed(block["probes_failed"], block["cases_failed"]) + (f" ({shown})" if shown else "")
    lines = [f"[{block['check']}] {block['rule']}", f"  failed on {where}", *(f"  - {error}" for error in block["errors"])]
    lines += [f"  - and {block['more_errors']} more"] if block["more_errors"] else []
    labels = {"baseline": "Baseline", "received": "Received", "documented": "Documented", "contract": "Contract", "request": "Request"}
    labels |= {"reproduce": "Reproduce"} if reproduce else {}
    return lines + [f"  {label}: {block[key]}" for key, label in labels.items() if block[key]]
