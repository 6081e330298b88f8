"""The verdict of a run, computed once from its record (plain data); the summary, the exit code and every report render
this one object, so they can never disagree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.checks import REGISTRY
from conformance.run.baseline import Entry
from conformance.run.coverage import coverage
from conformance.run.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, EXIT_VIOLATION
from conformance.run.record import Record
from conformance.transport.http import UNREADABLE

# A 5xx is a violation whatever ids and token the run was given: it stands even when no session body was seen.
STANDS_WITHOUT_A_SESSION = ("errors.no-server-error",)
PROPERTY_PROBE = "property "  # how failures of generated cases name their probe: "property <phase>-<mode>"
PRODUCTION = "production"  # the category of checks that compare failures with what production answers
CONFORMS, WITH_ADVISORIES, VIOLATES = "CONFORMS", "CONFORMS WITH ADVISORIES", "VIOLATES"
INCONCLUSIVE, PARTIAL, INTERRUPTED = "INCONCLUSIVE", "PARTIAL", "INTERRUPTED"
NO_CHECK_RAN = "no check ran: a pytest option ran no test (--collect-only, --setup-plan, ...)"


@dataclass(frozen=True)
class Failure:
    """One check that failed on one probe (or on generated cases of one phase and mode), with its fixed text."""

    check: str
    level: str
    probe: str
    text: str
    detail: dict[str, Any] = field(default_factory=dict)  # errors, documented, contract, request: what a report's block shows


@dataclass(frozen=True)
class Standing:
    """The run's failures against its baseline (--baseline): each said in one line by every format."""

    known: list[tuple[Failure, Entry]] = field(default_factory=list)  # named by an unexpired entry: not fatal
    expired: list[tuple[Failure, Entry]] = field(default_factory=list)  # named by an entry past its day: fatal again
    new: list[Failure] = field(default_factory=list)  # fatal, and named by no entry
    prune: list[Entry] = field(default_factory=list)  # entries whose check ran and failed no more

    def lines(self, path: str) -> dict[str, list[str]]:
        """One line for each known failure, each expired entry, each new failure and each entry to prune."""
        new = dict.fromkeys(f"[{f.check}] fails and is not in {path}: fatal (--baseline-update adds it)" for f in self.new)
        return {
            "known": list(dict.fromkeys(entry.brief() for _, entry in self.known)),
            "expired": list(dict.fromkeys(f"{e.brief()}: past its day, fatal again; fix it, or move its expires" for _, e in self.expired)),
            "new": list(new),
            "prune": [f"{e.brief()}: its check ran and passed: remove it (--baseline-update does)" for e in self.prune],
        }


@dataclass(frozen=True)
class Verdict:
    name: str
    reason: str
    exit_code: int
    fatal: list[Failure] = field(default_factory=list)  # MUST failures, and SHOULD ones with --strict; not the known
    advisory: list[Failure] = field(default_factory=list)  # SHOULD failures without --strict
    standing: Standing | None = None  # against the baseline, when there is one

    @property
    def known(self) -> list[Failure]:
        return [failure for failure, _ in self.standing.known] if self.standing else []

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def failures_of(run: Record) -> list[Failure]:
    """Every failure of the run: explicit checks per probe, and the property layer's per check and phase-mode."""
    found = [Failure(o.check_id, o.check.level, o.probe, o.text, o.detail) for o in run.outcomes if o.outcome == "failed"]
    seen: dict[tuple[str, str], Failure] = {}
    for result in run.cases:
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


def reach(run: Record, failures: list[Failure]) -> tuple[set[str], int]:
    """(the probes, how many generated cases) these failures' checks failed on: what every format counts."""
    checks = {f.check for f in failures}
    probes = {f.probe for f in failures if not f.probe.startswith(PROPERTY_PROBE)}
    cases = sum(1 for result in run.cases if any(finding.check in checks for finding in result.failures))
    return probes, cases


def where_failed(probes: int, cases: int) -> str:
    """'8 probes and 120 generated cases', as every format says it."""
    return " and ".join([plural(probes, "probe")] * bool(probes) + [plural(cases, "generated case")] * bool(cases))


def counted(failures: list[Failure], run: Record) -> str:
    """'3 checks failed on 8 probes and 120 generated cases'."""
    probes, cases = reach(run, failures)
    return f"{plural(len({f.check for f in failures}), 'check')} failed on {where_failed(len(probes), cases)}"


def statuses(run: Record) -> Counter[int | None]:
    """Every answer's status, explicit and property-based (None: no HTTP response)."""
    explicit = [answer.status for answer in run.answers.values() if not answer.unsent]
    return Counter(explicit + [case.status for case in run.cases])


def status_class(status: int | None) -> str:
    """2xx, 4xx, ... or none (no HTTP response)."""
    return "none" if status is None else f"{status // 100}xx"


def status_classes(run: Record) -> Counter[str]:
    """Every request of the run by status class: the preflight, the judged answers, and the control requests of
    schemathesis's checks."""
    preflight = [run.requests.preflight_status] * run.requests.preflights
    every = [*preflight, *statuses(run).elements(), *run.requests.controls]
    return Counter(status_class(status) for status in every)


def inconclusive(run: Record) -> str:
    """Why the run cannot judge the target, or ''."""
    seen = statuses(run)
    if run.recordings is not None and not run.recordings.judged:
        return f"no exchange on this endpoint in what was audited ({plural(run.recordings.elsewhere, 'exchange')} on others)"
    if run.crashes:
        return f"the suite itself failed on {len(run.crashes)} test(s), a bug to report (first: {run.crashes[0]})"
    if seen[429] and run.recordings is None:  # a recorded 429 is an answer to judge, not a limit on this run
        limited = [answer for answer in run.answers.values() if answer.status == 429]
        wait = f" (Retry-After: {limited[0].retry_after or '?'} s)" if limited else ""
        return f"rate limited: {seen[429]} of {sum(seen.values())} requests got 429{wait}; wait, then run again with fewer requests"
    errors = [answer.error for answer in run.answers.values() if answer.status is None and not answer.unsent]
    if seen[None] and not (errors and all(e.startswith(UNREADABLE) for e in errors)):  # a body too large is an answer
        return f"the target stopped answering: {seen[None]} requests got no HTTP response (first: {(errors or ['see the failures'])[0]})"
    return ""


def no_session(run: Record, fatal: list[Failure]) -> str:
    """Why the run saw no session body to judge, or '': then only a violation that stands whatever ids and token the
    run was given (a 5xx) is a verdict on the target."""
    if not sum(statuses(run).values()) or run.saw_200() or any(f.check in STANDS_WITHOUT_A_SESSION for f in fatal):
        return ""
    return "no 200 response was seen, so no session body could be checked" + (contradiction_hint(run) or base_path_hint(run))


def contradiction_hint(run: Record) -> str:
    """When every session probe was rejected as the documentation's side of a contradiction has it (a UUID app id
    refused past the documented maxLength 32): what the target does, and what to pass instead."""
    sessions = [a for a in run.answers.values() if a.kind == "session" and a.status is not None]
    if not sessions or not all(a.contested for a in sessions):
        return ""
    taken = sessions[0].contested
    assert taken is not None
    return (
        f"; every session request got {sessions[0].status}: the target takes the documentation's side of a documented"
        f" contradiction ({taken.brief()}; production takes the other: {taken.observed}). To check the rest, run with"
        f" a --{taken.parameter.replace('_', '-')} the documentation allows"
    )


def base_path_hint(run: Record) -> str:
    """Why no session was found, when every session probe got a 404 that is no Cloudflare or RealtimeKit body (an HTML
    page, a framework's default): most likely the target lacks the base path the operation's path is under."""
    answers = [a for a in run.answers.values() if a.kind == "session" and a.status is not None]
    foreign = [a for a in answers if a.status == 404 and a.failure_shape is None]
    if not answers or len(foreign) < len(answers):
        return ""
    return (
        f"; every session got a 404 that is no Cloudflare or RealtimeKit body ({foreign[0].content_type or 'no Content-Type'}):"
        " is the base path in --target right? Cloudflare's is /client/v4, e.g. --target http://host:port/client/v4"
    )


def against_baseline(run: Record, fatal: list[Failure], failures: list[Failure]) -> Standing | None:
    """Each fatal failure as known, expired or new; and each entry whose check ran and no longer fails."""
    if run.baseline is None:
        return None
    standing = Standing()
    for failure in fatal:
        entry = run.baseline.entry_for(failure.check, failure.detail)
        if entry is None:
            standing.new.append(failure)
        else:
            (standing.expired if entry.expired(run.baseline.today) else standing.known).append((failure, entry))
    failing = {(f.check, run.baseline.entry_for(f.check, f.detail)) for f in failures}
    ran = run.checks_ran()
    standing.prune.extend(e for e in run.baseline.entries if e.check in ran and (e.check, e) not in failing)
    return standing


def judge(run: Record, interrupted: bool = False, left_out: str = "", tests_ran: bool = True) -> Verdict:
    """The one verdict. `left_out` describes a selection (-k, -m, -x) that left tests out: the verdict is PARTIAL.
    Without `tests_ran`, no test got as far as its check: it is never CONFORMS."""
    failures = failures_of(run)
    fatal = [f for f in failures if f.level == "MUST" or run.settings.strict]
    advisory = [f for f in failures if f not in fatal]
    standing = against_baseline(run, fatal, failures)
    if standing is not None:
        fatal = [f for f in fatal if all(f is not known for known, _ in standing.known)]

    def verdict(name: str, reason: str, exit_code: int) -> Verdict:
        return Verdict(name, reason, exit_code, fatal, advisory, standing)

    if interrupted:
        return verdict(INTERRUPTED, "the run was interrupted before it ended; nothing is concluded", EXIT_INTERRUPTED)
    if run.rate_limited:
        return verdict(
            INCONCLUSIVE, f"rate limited: {run.rate_limited}; wait, then run again with fewer requests (--max-requests)", EXIT_VIOLATION
        )
    if run.stopped:
        return verdict(INCONCLUSIVE, f"{run.stopped}; the run stopped there", EXIT_USAGE)
    if left_out and not (run.outcomes or run.cases):
        return Verdict(PARTIAL, f"{left_out}: nothing was checked", EXIT_VIOLATION)
    if not tests_ran:  # --collect-only, --setup-plan, -p no:python, ...
        return Verdict(INCONCLUSIVE, NO_CHECK_RAN, EXIT_VIOLATION)
    name, reason, exit_code = _outcome(run, fatal, advisory, standing)
    if left_out:
        return verdict(PARTIAL, f"{left_out}; of what ran: {name}: {reason}", exit_code)
    return verdict(name, reason, exit_code)


def _outcome(run: Record, fatal: list[Failure], advisory: list[Failure], standing: Standing | None) -> tuple[str, str, int]:
    why = inconclusive(run) or no_session(run, fatal)
    if why:
        return INCONCLUSIVE, why, EXIT_VIOLATION
    known, too_little = baseline_note(standing), coverage(run).shortfall()
    if fatal:
        strict = " (SHOULD failures are fatal: --strict)" if run.settings.strict else ""
        return VIOLATES, "; ".join(filter(None, [counted(fatal, run) + strict, known, too_little])), EXIT_VIOLATION
    if too_little:  # what it saw holds, but it saw too little to say the target conforms
        return INCONCLUSIVE, too_little, EXIT_VIOLATION
    differ = [f for f in advisory if differs_from_production(f)]
    should = [f for f in advisory if f not in differ]
    notes = [f"{counted(should, run)} at SHOULD level (fatal only with --strict)"] if should else []
    notes += [f"{counted(differ, run)}: failures answered otherwise than Cloudflare does (fatal only with --strict)"] if differ else []
    notes += [f"{len(run.advisories)} documented contradiction(s), never a failure"] if run.advisories else []
    if known:  # the gate passes: every failure that would fail it is known
        return VIOLATES, "; ".join([f"{known}, no new ones", *notes]), EXIT_OK
    return (WITH_ADVISORIES, "every MUST check holds; " + "; ".join(notes), EXIT_OK) if notes else (CONFORMS, "every check holds", EXIT_OK)


def baseline_note(standing: Standing | None) -> str:
    """'2 known failures (baseline)', or '' when the baseline names none of the run's failures."""
    if standing is None or not standing.known:
        return ""
    return f"{plural(len({f.check for f, _ in standing.known}), 'known failure')} (baseline)"
