"""rtk-conformance selftest: run the real suite, through the CLI users run, against the reference mock, every
mutant of the catalogue and every correct variant, each served on loopback: score how many mutants it catches, and
prove that it passes every correct implementation.

Each run is a process of its own, as a user's is, but not a new interpreter: where the platform has one, a fork
server that has loaded the suite once forks a process per run (loading took longer than most runs)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.checks.base import CATEGORIES
from conformance.contract import BASE_PATH
from conformance.mock import ReferenceMock, load_data
from conformance.mock.data import MockData
from conformance.mock.server import serve_in_thread
from conformance.run.exits import EXIT_OK, EXIT_VIOLATION
from conformance.run.settings import TOKEN_ENV
from conformance.run.verdict import PROPERTY_PROBE
from conformance.selftest import runs
from conformance.selftest.mutants import CATALOGUE, Mutant
from conformance.selftest.variants import CATALOGUE as VARIANT_CATALOGUE
from conformance.selftest.variants import Variant, serving

REFERENCE = "reference mock"
# The unmodified mock must pass in every edition it serves.
EDITIONS = {"documented": REFERENCE, "current": f"{REFERENCE} (current edition)"}


@dataclass(frozen=True)
class RunOutcome:
    """What one run of the suite found: the checks that failed, per engine."""

    name: str
    exit_code: int
    explicit: frozenset[str]
    property: frozenset[str]
    stderr: str = ""  # what a run that crashed said
    variant: bool = False  # a correct variant's run: it must pass, as the reference mock's must


def crashed(outcome: RunOutcome) -> bool:
    """The run itself failed (a usage or internal error): it proves nothing either way."""
    return outcome.exit_code not in (EXIT_OK, EXIT_VIOLATION)


@dataclass(frozen=True)
class MutantVerdict:
    mutant: Mutant
    outcome: RunOutcome

    @property
    def by_explicit(self) -> bool:
        return bool(set(self.mutant.killed_by) & self.outcome.explicit)

    @property
    def by_property(self) -> bool:
        return bool(set(self.mutant.killed_by) & self.outcome.property)

    @property
    def killed(self) -> bool:
        """Caught by an expected check; a MUST-level mutant by the explicit checks alone."""
        if crashed(self.outcome):
            return False
        return self.by_explicit if self.mutant.level == "MUST" else self.by_explicit or self.by_property

    @property
    def result(self) -> str:
        return "ERROR" if crashed(self.outcome) else "killed" if self.killed else "SURVIVED"


def run_mock(app: Any, name: str, extra: list[str]) -> RunOutcome:
    """The suite against `app` served on loopback, through `python -m conformance run`, strict."""
    with serve_in_thread(app, wait=False) as root:  # the run has ended
        return run_against(root + BASE_PATH, load_data(), name, extra)


def run_variant(variant: Variant, edition: str, extra: list[str]) -> RunOutcome:
    """The suite, strict, against a correct variant serving one edition."""
    data = load_data().for_app(variant.app_id) if variant.app_id else load_data()
    with serving(data, edition, variant.style) as base_url:
        outcome = run_against(base_url, data, f"{variant.name} ({edition} edition)", extra)
    return dataclasses.replace(outcome, variant=True)


def run_against(base_url: str, data: MockData, name: str, extra: list[str]) -> RunOutcome:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "run.json"
        args = ["--target", base_url, "--account-id", data.account_id, "--app-id", data.app_id]
        args += [a for sid in data.session_ids for a in ("--session-id", sid)]
        arguments = ["run", *args, "--strict", "--report", str(report), *extra]
        exit_code, stderr = runs.run(arguments, {TOKEN_ENV: data.token}, tmp)
        explicit, found = failed_checks(report) if report.exists() else (frozenset(), frozenset())
        return RunOutcome(name, exit_code, explicit, found, stderr.strip())


def failed_checks(report: Path) -> tuple[frozenset[str], frozenset[str]]:
    """(explicit checks, property-layer checks) that failed, from a run's JSON report (--report run.json)."""
    failed = [entry for entry in json.loads(report.read_text())["checks"] if entry["outcome"] == "failed"]
    by_property = {entry["id"] for entry in failed if entry["probe"].startswith(PROPERTY_PROBE)}
    return frozenset(entry["id"] for entry in failed if not entry["probe"].startswith(PROPERTY_PROBE)), frozenset(by_property)


def selftest(
    mutants: list[Mutant],
    jobs: int,
    extra: list[str],
    progress: Any = None,
    variants: list[Variant] | None = None,
    command: runs.Command | None = None,
) -> tuple[list[RunOutcome], list[MutantVerdict]]:
    """(the unmodified mock in each edition, then each correct variant in each edition: runs that must pass; each
    mutant's verdict); `progress(line)` hears of each mutant as it ends."""
    data = load_data()
    done = itertools.count(1)
    stopping = threading.Event()

    def judged(mutant: Mutant) -> MutantVerdict:
        if stopping.is_set():  # queued before Ctrl-C: not started
            raise KeyboardInterrupt
        try:
            verdict = MutantVerdict(mutant, run_mock(mutant.build(data), mutant.name, extra))
        except KeyboardInterrupt:
            stopping.set()  # before the pool's thread takes the next run, not once the main thread has heard
            raise
        if progress is not None:
            progress(f"[{next(done)}/{len(mutants)}] {mutant.name}: {verdict.result}")
        return verdict

    with runs.processes(jobs, command), ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            references = [pool.submit(run_mock, ReferenceMock(data, edition=e), name, extra) for e, name in EDITIONS.items()]
            references += [pool.submit(run_variant, v, e, extra) for v in variants or [] for e in EDITIONS]
            verdicts = list(pool.map(judged, mutants))
        except KeyboardInterrupt:
            stopping.set()
            pool.shutdown(cancel_futures=True)  # the runs not yet started are not started: Ctrl-C ends the selftest now
            raise
    return [r.result() for r in references], verdicts


def clean(reference: RunOutcome) -> bool:
    return reference.exit_code == EXIT_OK and not (reference.explicit or reference.property)


def report_lines(references: list[RunOutcome], verdicts: list[MutantVerdict]) -> Iterator[str]:
    for reference in references:
        failed = ", ".join(sorted(reference.explicit | reference.property)) or f"exit {reference.exit_code}"
        yield f"{reference.name}: {'passes' if clean(reference) else 'FAILS: ' + failed}"
        if not clean(reference) and crashed(reference):
            yield f"  the run crashed: {reference.stderr.splitlines()[-1] if reference.stderr else 'no output'}"
    yield ""
    yield f"{'mutant':<38} {'category':<10} {'level':<6} {'explicit':<8} {'property':<8} result"
    for v in verdicts:
        marks = ["yes" if v.by_explicit else "no", "yes" if v.by_property else "no", v.result]
        yield f"{v.mutant.name:<38} {v.mutant.category:<10} {v.mutant.level:<6} {marks[0]:<8} {marks[1]:<8} {marks[2]}"
        if crashed(v.outcome):
            said = v.outcome.stderr.splitlines()[-1] if v.outcome.stderr else "no output"
            yield f"  the run crashed (exit {v.outcome.exit_code}): {said}"
    yield ""
    yield f"mutation score: {_score(verdicts, lambda v: v.killed)}"
    for category in CATEGORIES:
        some = [v for v in verdicts if v.mutant.category == category]
        if some:
            yield f"  {category:<10} {_score(some, lambda v: v.killed)}"
    yield f"  by the explicit checks: {_score(verdicts, lambda v: v.by_explicit)}"
    yield f"  by the property tests:  {_score(verdicts, lambda v: v.by_property)}"
    variants = [r for r in references if r.variant]
    if variants:
        yield f"correct variants passed: {sum(1 for v in variants if clean(v))}/{len(variants)}"


def _score(verdicts: list[MutantVerdict], kills: Any) -> str:
    killed = sum(1 for v in verdicts if kills(v))
    return f"{killed}/{len(verdicts)} ({100 * killed // max(1, len(verdicts))}%)"


def succeeded(references: list[RunOutcome], verdicts: list[MutantVerdict]) -> bool:
    return all(clean(r) for r in references) and all(v.killed for v in verdicts)


def main(jobs: int, max_examples: int, only: list[str], command: runs.Command) -> int:
    mutants = [m for m in CATALOGUE if not only or m.name in only]
    variants = [v for v in VARIANT_CATALOGUE if not only or v.name in only]
    progress = (lambda line: print(line, file=sys.stderr, flush=True)) if sys.stderr.isatty() else None
    references, verdicts = selftest(mutants, jobs, ["--max-examples", str(max_examples)], progress, variants, command)
    for line in report_lines(references, verdicts):
        print(line)
    return EXIT_OK if succeeded(references, verdicts) else EXIT_VIOLATION
