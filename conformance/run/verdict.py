"""The verdict of a run, computed once from what happened; the summary, the exit code and every report render
this one object, so they can never disagree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.checks import REGISTRY
from conformance.checks.request import contested_rejection
from conformance.run.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, EXIT_VIOLATION
from conformance.run.record import Run
from conformance.transport.exchange import NO_JSON
from conformance.transport.http import UNREADABLE

# A 5xx is a violation whatever ids and token the run was given: it stands even when no session body was seen.
STANDS_WITHOUT_A_SESSION = ("errors.no-server-error",)
PROPERTY_PROBE = "property "  # how failures of generated cases name their probe: "property <phase>-<mode>"
PRODUCTION = "production"  # the category of checks that compare failures with what production answers
CONFORMS, WITH_ADVISORIES, VIOLATES = "CONFORMS", "CONFORMS WITH ADVISORIES", "VIOLATES"
INCONCLUSIVE, PARTIAL, INTERRUPTED = "INCONCLUSIVE", "PARTIAL", "INTERRUPTED"
NO_CHECK_RAN = "no check ran: a pytest option ran no test (--collect-only, --setup-plan, ...)"
EXIT_CODES = {
    CONFORMS: EXIT_OK,
    WITH_ADVISORIES: EXIT_OK,
    VIOLATES: EXIT_VIOLATION,
    INCONCLUSIVE: EXIT_VIOLATION,
    INTERRUPTED: EXIT_INTERRUPTED,
}


@dataclass(frozen=True)
class Failure:
    """One check that failed on one probe (or on generated cases of one phase and mode), with its fixed text."""

    check: str
    level: str
    probe: str
    text: str
    detail: dict[str, Any] = field(default_factory=dict)  # errors, documented, contract, request: what a report's block shows


@dataclass(frozen=True)
class Verdict:
    name: str
    reason: str
    exit_code: int
    fatal: list[Failure] = field(default_factory=list)  # MUST failures, and SHOULD ones with --strict
    advisory: list[Failure] = field(default_factory=list)  # SHOULD failures without --strict

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def failures_of(run: Run) -> list[Failure]:
    """Every failure of the run: explicit checks per probe, and the property layer's per check and phase-mode."""
    found = [Failure(o.check.id, o.check.level, o.probe, o.text, o.detail) for o in run.outcomes if o.outcome == "failed"]
    seen: dict[tuple[str, str], Failure] = {}
    for result in run.properties.results:
        for finding in result.failures:  # one defect once per check and phase-mode, with its first text
            key = (finding.check, f"{PROPERTY_PROBE}{result.phase}-{result.mode}")
            detail = {**finding.detail, "request": finding.detail.get("request") or result.request_line}
            seen.setdefault(key, Failure(finding.check, finding.level, key[1], finding.text, detail))
    return sorted(found + list(seen.values()), key=_order)  # the same order however the tests were scheduled (xdist)


def _order(failure: Failure) -> tuple[int, str]:
    position = next((n for n, check in enumerate(REGISTRY) if check.id == failure.check), len(REGISTRY))
    return position, failure.probe


def differs_from_production(failure: Failure) -> bool:
    return any(check.id == failure.check and check.category == PRODUCTION for check in REGISTRY)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def reach(run: Run, failures: list[Failure]) -> tuple[set[str], int]:
    """(the probes, how many generated cases) these failures' checks failed on: what every format counts."""
    checks = {f.check for f in failures}
    probes = {f.probe for f in failures if not f.probe.startswith(PROPERTY_PROBE)}
    cases = sum(1 for result in run.properties.results if any(finding.check in checks for finding in result.failures))
    return probes, cases


def where_failed(probes: int, cases: int) -> str:
    """'8 probes and 120 generated cases', as every format says it."""
    return " and ".join([plural(probes, "probe")] * bool(probes) + [plural(cases, "generated case")] * bool(cases))


def counted(failures: list[Failure], run: Run) -> str:
    """'3 checks failed on 8 probes and 120 generated cases'."""
    probes, cases = reach(run, failures)
    return f"{plural(len({f.check for f in failures}), 'check')} failed on {where_failed(len(probes), cases)}"


def statuses(run: Run) -> Counter[int | None]:
    """Every answer's status, explicit and property-based (None: no HTTP response)."""
    explicit = [e.response.status if e.response else None for e in run.client.exchanges.values() if not e.unsent]
    return Counter(explicit + [r.status for r in run.properties.results])


def status_class(status: int | None) -> str:
    """2xx, 4xx, ... or none (no HTTP response)."""
    return "none" if status is None else f"{status // 100}xx"


def status_classes(run: Run) -> Counter[str]:
    """Every request of the run by status class: the preflight, the judged answers, and the control requests of
    schemathesis's checks."""
    preflight = [run.target.preflight_status] * run.target.preflights
    every = [*preflight, *statuses(run).elements(), *run.properties.control_statuses]
    return Counter(status_class(status) for status in every)


def inconclusive(run: Run) -> str:
    """Why the run cannot judge the target, or ''."""
    seen = statuses(run)
    if run.crashes:
        return f"the suite itself failed on {len(run.crashes)} test(s), a bug to report (first: {run.crashes[0]})"
    if seen[429]:
        limited = [e.response for e in run.client.exchanges.values() if e.response and e.response.status == 429]
        wait = f" (Retry-After: {limited[0].headers.get('retry-after', '?')} s)" if limited else ""
        return f"rate limited: {seen[429]} of {sum(seen.values())} requests got 429{wait}; wait, then run again with fewer requests"
    errors = [e.error for e in run.client.exchanges.values() if e.response is None and not e.unsent]
    if seen[None] and not (errors and all(e.startswith(UNREADABLE) for e in errors)):  # a body too large is an answer
        return f"the target stopped answering: {seen[None]} requests got no HTTP response (first: {(errors or ['see the failures'])[0]})"
    return ""


def no_session(run: Run, fatal: list[Failure]) -> str:
    """Why the run saw no session body to judge, or '': then only a violation that stands whatever ids and token the
    run was given (a 5xx) is a verdict on the target."""
    if not sum(statuses(run).values()) or run.saw_200() or any(f.check in STANDS_WITHOUT_A_SESSION for f in fatal):
        return ""
    return "no 200 response was seen, so no session body could be checked" + (contradiction_hint(run) or base_path_hint(run))


def contradiction_hint(run: Run) -> str:
    """When every session probe was rejected as the documentation's side of a contradiction has it (a UUID app id
    refused past the documented maxLength 32): what the target does, and what to pass instead."""
    sessions = [e for name, e in run.client.exchanges.items() if name.startswith("session:") and e.response is not None]
    sides = [contested_rejection(e, run.contract) for e in sessions]
    if not sessions or not all(sides):
        return ""
    taken, status = sides[0][0], sessions[0].response.status  # type: ignore[union-attr]
    return (
        f"; every session request got {status}: the target takes the documentation's side of a documented contradiction"
        f" ({taken.brief()}; production takes the other: {taken.observed}). To check the rest, run with"
        f" a --{taken.parameter.replace('_', '-')} the documentation allows"
    )


def base_path_hint(run: Run) -> str:
    """Why no session was found, when every session probe got a 404 that is no Cloudflare or RealtimeKit body (an HTML
    page, a framework's default): most likely the target lacks the base path the operation's path is under."""
    answers = [e.response for e in run.client.exchanges.values() if e.probe.startswith("session:") and e.response is not None]
    foreign = [a for a in answers if a.status == 404 and (a.json is NO_JSON or run.contract.failure_shape(a.json) is None)]
    if not answers or len(foreign) < len(answers):
        return ""
    return (
        f"; every session got a 404 that is no Cloudflare or RealtimeKit body ({foreign[0].content_type or 'no Content-Type'}):"
        " is the base path in --target right? Cloudflare's is /client/v4, e.g. --target http://host:port/client/v4"
    )


def judge(run: Run, interrupted: bool = False, left_out: str = "", tests_ran: bool = True) -> Verdict:
    """The one verdict. `left_out` describes a selection (-k, -m, -x) that left tests out: the verdict is PARTIAL.
    Without `tests_ran`, no test got as far as its check: it is never CONFORMS."""
    failures = failures_of(run)
    fatal = [f for f in failures if f.level == "MUST" or run.settings.strict]
    advisory = [f for f in failures if f not in fatal]
    if interrupted:
        return Verdict(INTERRUPTED, "the run was interrupted before it ended; nothing is concluded", EXIT_INTERRUPTED, fatal, advisory)
    if run.rate_limited:
        reason = f"rate limited: {run.rate_limited}; wait, then run again with fewer requests (--max-requests)"
        return Verdict(INCONCLUSIVE, reason, EXIT_VIOLATION, fatal, advisory)
    if run.stopped:
        return Verdict(INCONCLUSIVE, f"{run.stopped}; the run stopped there", EXIT_USAGE, fatal, advisory)
    if left_out and not (run.outcomes or run.properties.results):
        return Verdict(PARTIAL, f"{left_out}: nothing was checked", EXIT_VIOLATION)
    if not tests_ran:  # --collect-only, --setup-plan, -p no:python, ...
        return Verdict(INCONCLUSIVE, NO_CHECK_RAN, EXIT_VIOLATION)
    name, reason = _outcome(run, fatal, advisory)
    if left_out:
        return Verdict(PARTIAL, f"{left_out}; of what ran: {name}: {reason}", EXIT_CODES[name], fatal, advisory)
    return Verdict(name, reason, EXIT_CODES[name], fatal, advisory)


def _outcome(run: Run, fatal: list[Failure], advisory: list[Failure]) -> tuple[str, str]:
    why = inconclusive(run) or no_session(run, fatal)
    if why:
        return INCONCLUSIVE, why
    if fatal:
        return VIOLATES, counted(fatal, run) + (" (SHOULD failures are fatal: --strict)" if run.settings.strict else "")
    differ = [f for f in advisory if differs_from_production(f)]
    should = [f for f in advisory if f not in differ]
    notes = [f"{counted(should, run)} at SHOULD level (fatal only with --strict)"] if should else []
    notes += [f"{counted(differ, run)}: failures answered otherwise than Cloudflare does (fatal only with --strict)"] if differ else []
    notes += [f"{len(run.advisories)} documented contradiction(s), never a failure"] if run.advisories else []
    return (WITH_ADVISORIES, "every MUST check holds; " + "; ".join(notes)) if notes else (CONFORMS, "every check holds")
