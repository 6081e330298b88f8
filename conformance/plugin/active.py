"""The suite's run inside pytest: opened at configure, judged once at the end, summarised and reported.

Registered by conformance.plugin only when the suite is collected.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance import interrupt, reports
from conformance.cassettes.reading import CassetteError
from conformance.checks import by_id
from conformance.checks.base import CATEGORIES, LEVELS, CheckFailure
from conformance.files import write_atomically
from conformance.printable import printable
from conformance.reports import github, junit
from conformance.reports.progress import Progress
from conformance.reports.properties import PropertyFailure
from conformance.reports.summary import summary_lines
from conformance.run import carried, plan
from conformance.run.baseline import Baseline, Entry, write_baseline
from conformance.run.live import Run, handed_over, start_run, start_worker_run
from conformance.run.record import JUnitEntry, Outcome, Record
from conformance.run.settings import SettingsError, blamed, check_outputs_differ, from_pytest, settings_lines
from conformance.run.targets import TargetError
from conformance.run.verdict import INTERRUPTED, PARTIAL, Verdict, failures_of, judge
from conformance.secret import hide
from conformance.transport import relay
from conformance.transport.http import RateLimited, TargetStopped

SHOULD_REASON = "SHOULD (advisory, fatal only with --strict)"
KNOWN_REASON = "known failure (baseline)"
# pytest's exit statuses that the verdict decides; usage and internal errors stay pytest's.
DECIDED = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED, pytest.ExitCode.INTERRUPTED)


def register_markers(config: pytest.Config) -> None:
    for category in CATEGORIES:
        config.addinivalue_line("markers", f"{category}: conformance checks of the {category} category")
    for level in LEVELS:
        config.addinivalue_line("markers", f"{level.lower()}: conformance checks at {level} level")
    config.addinivalue_line("markers", "property: property-based tests generated from the contract by schemathesis")


class ActiveRun:
    """The hooks of a run of the suite; the run itself is opened here and closed at unconfigure."""

    def __init__(
        self, config: pytest.Config, run: Run, stack: contextlib.ExitStack, handed: dict[str, Any] | None = None, junit: str | None = None
    ) -> None:
        self.config, self.run, self.stack, self.junit = config, run, stack, junit
        self.handed = handed  # what each xdist worker gets of this run, on a controller
        self.deselected = 0
        self.tests_ran = 0  # tests that got past their set-up to their check, in this process or its workers
        self.collected: int | None = None  # on an xdist controller: what its workers collected
        self.verdict: Verdict | None = None
        self.record: Record | None = None  # what the run found, as data, once it has ended
        self.planned = False  # the plan is printed once, from this process's collection or a worker's

    @classmethod
    def start(cls, config: pytest.Config) -> Run:
        register_markers(config)
        stack = contextlib.ExitStack()
        handed: dict[str, Any] | None = None
        try:
            settings = from_pytest(config)
            try:
                reports.check_format(settings.report)
            except SettingsError as exc:
                raise blamed(config, "report", exc) from None
            junit_path = config.getoption("xmlpath", None)
            check_outputs_differ(settings, junit_path)
            config.option.xmlpath = None  # the run writes its JUnit XML from its record, once, instead of pytest
            given = getattr(config, "workerinput", {}).get(relay.WORKER_INPUT)
            run = stack.enter_context(start_worker_run(settings, given) if given else start_run(settings))
            if getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput"):  # an xdist controller
                handed = handed_over(run, stack.enter_context(relay.serving(run.client.transport)))
        except (SettingsError, TargetError, CassetteError) as exc:
            stack.close()
            raise pytest.UsageError(str(exc)) from None
        config.pluginmanager.register(cls(config, run, stack, handed, junit_path), "conformance-run")
        if config.get_verbosity() < 0 and not hasattr(config, "workerinput"):
            config.pluginmanager.register(Progress(config, sys.stdout.isatty()), "conformance-progress")
        return run

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.stack.close()

    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """pytest formats the interrupt's traceback, arguments and all, though it shows only where Ctrl-C landed
        (unless --full-trace): formatting a run's whole stack took up to 10 s after Ctrl-C. So it gets that one
        frame. And where Ctrl-C landed between two lines, Python 3.11 can leave a frame without a line number, on
        which pytest fails with a TypeError, then an AssertionError: such frames are left out."""
        kept = excinfo.traceback.filter(_has_a_line_number)
        where = kept.filter(excinfo)[-1:]  # the last frame pytest does not hide (pytest.exit hides its own)
        excinfo.traceback = kept if self.config.option.fulltrace or not where else where

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        failure = call.excinfo.value if call.excinfo is not None else None
        if isinstance(failure, (TargetStopped, RateLimited)):  # not the test's fault: each test left is not run, and says why
            report.outcome, report.longrepr = "skipped", (str(item.path), 0, f"not run: {failure}")
        elif report.failed and not isinstance(failure, (CheckFailure, PropertyFailure, pytest.fail.Exception)):
            token = self.run.target.token  # a crash's traceback, -l locals and all (a header dict), shows it nowhere
            self.run.crashes.append(hide(f"{item.name}: {type(failure).__name__}: {failure}".splitlines()[0], token))
            report.user_properties.append((carried.CRASH, self.run.crashes[-1]))  # an xdist controller's verdict needs it
            report.longrepr = hide(str(report.longrepr), token)
        outcome = "failed" if report.failed else report.outcome
        if isinstance(failure, (CheckFailure, PropertyFailure)):
            report.longrepr = str(failure)  # the fixed failure text, not a traceback
            known = known_entry(self.run.baseline, failure)
            if known is not None:  # reported in full, not fatal until its entry expires
                report.outcome, report.wasxfail = "skipped", f"{KNOWN_REASON}: {known.brief()}\n{failure}"
            elif _level(failure) == "SHOULD" and not self.run.settings.strict:  # reported in full, not fatal
                report.outcome, report.wasxfail = "skipped", f"{SHOULD_REASON}\n{failure}"
        if report.when == "call" or outcome != "passed":
            text = (
                str(failure)
                if isinstance(failure, (CheckFailure, PropertyFailure))
                else str(report.longrepr)
                if outcome == "failed"
                else ""
            )
            if "check" in dict(report.user_properties):
                detail = failure.detail() if isinstance(failure, CheckFailure) else {"errors": [_first_line(failure, text)]} if text else {}
                report.user_properties.append(carried.of_outcome(outcome, text, detail))  # as data, for the record
            report.user_properties.append(carried.of_account(account_of(item, report, failure, text)))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Each check's outcome, as its test recorded it: this process's tests, or an xdist worker's (then what it saw too)."""
        properties = dict(report.user_properties)
        self.tests_ran += report.when == "call"
        if getattr(report, "node", None) is not None and report.when == "call":  # a worker's report, on the controller
            carried.adopt(self.run, properties)
        if carried.OUTCOME in properties:
            outcome, text, detail = carried.outcome_of(properties)
            self.run.outcomes.append(Outcome(str(properties["check"]), outcome, str(properties["probe"]), text, detail))
        if carried.ACCOUNT in properties:
            self.run.tests.append(carried.account_from(str(properties[carried.ACCOUNT])))

    def pytest_runtest_logfinish(self) -> None:
        interrupt.raise_if_swallowed()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Before anything is sent: the run's plan, in one line; a dry run prints every request and stops here."""
        self.print_plan(lambda: plan.of_items(self.run, session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """Under xdist the controller collects nothing: the plan is read off the first worker's collection."""
        if not self.planned:
            self.print_plan(lambda: plan.of_ids(self.run, ids))

    def print_plan(self, make: Any) -> None:
        self.planned = True
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            for line in settings_lines(self.config):  # with -v: where each setting came from
                reporter.write_line(line)
        try:
            planned = make()  # the property cases are made here
        except TargetStopped as stopped:  # the run's deadline passed while they were made: the first test stops the run
            if reporter is not None:
                reporter.write_line(f"Plan: not made: {stopped}")
            return
        if reporter is not None:
            for line in [
                *(planned.lines(self.run) if self.run.settings.dry_run else [planned.summary(self.run)]),
                *self.run.properties.cache_notices,
            ]:
                reporter.write_line(line)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        """A dry run has printed its plan: it runs no test, and ends as it began, with nothing sent."""
        return True if self.run.settings.dry_run else None

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def left_out(self, session: pytest.Session, record: Record) -> str:
        """What a selection (-k, -m) or an early stop (-x) left out of the run, or ''."""
        if self.deselected:
            collected = session.testscollected if self.collected is None else self.collected
            return f"a selection: {collected} of {collected + self.deselected} tests ran"
        if (session.shouldfail or session.shouldstop) and not (record.stopped or record.rate_limited):
            return f"stopped early ({session.shouldfail or session.shouldstop})"
        if record.requests.refused:
            unsent = sum(1 for answer in record.answers.values() if answer.unsent)
            return (
                f"the request budget ({record.requests.budget}, --max-requests) was spent: {unsent} probe(s) and"
                f" {record.unsent_cases} generated case(s) not sent, their checks not run"
            )
        return ""

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Judge the run once; the exit status is the verdict's."""
        if hasattr(session.config, "workerinput"):  # a worker's controller judges
            output = {"deselected": self.deselected, "collected": session.testscollected}
            session.config.workeroutput[relay.WORKER_INPUT] = output  # type: ignore[attr-defined]  # xdist's
            return
        if self.run.settings.dry_run:  # it ran nothing, by design
            session.exitstatus = pytest.ExitCode.OK
            return
        record = self.run.record()
        stopped_by_target = bool(record.stopped or record.rate_limited)  # pytest counts any stop as an interruption
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED and not stopped_by_target
        if self.run.settings.baseline_update and not (interrupted or stopped_by_target):
            record.baseline = self.update_baseline(record)
        self.verdict = judge(record, interrupted=interrupted, left_out=self.left_out(session, record), tests_ran=self.tests_ran > 0)
        self.finish_recording(self.verdict)
        try:
            self.run.close_cassette()  # written now, so that the summary can say where, and how many exchanges
        except OSError as exc:  # one line; the verdict and its exit code still follow, and no half cassette is left
            print(f"ERROR: cannot write the cassette {self.run.settings.cassette}: {exc.strerror}", file=sys.stderr)
        record.cassette_written = self.run.recording.written if self.run.recording is not None else None
        self.record = record
        if exitstatus in DECIDED:
            session.exitstatus = pytest.ExitCode(self.verdict.exit_code)
        self.write_outputs(record, self.verdict)

    def update_baseline(self, record: Record) -> Baseline | None:
        """--baseline-update: the baseline written from this run, which it is then judged against; as it was, when it
        cannot be written (one line says why)."""
        assert record.baseline is not None
        fatal = [f for f in failures_of(record) if f.level == "MUST" or record.settings.strict]
        updated = record.baseline.updated([(f.check, f.detail) for f in fatal], record.checks_ran())
        try:
            write_baseline(updated)
        except OSError as exc:
            print(f"ERROR: cannot write the baseline {updated.path}: {exc.strerror}", file=sys.stderr)
            return record.baseline
        before, after = set(record.baseline.entries), set(updated.entries)
        print(
            f"rtk-conformance: baseline {updated.path}: wrote {len(after)} known failure(s):"
            f" {len(after - before)} added, {len(before - after)} removed",
            file=sys.stderr,
        )
        return updated

    def write_outputs(self, record: Record, verdict: Verdict) -> None:
        """The report, the JUnit XML and GitHub's step summary, from the record: one that cannot be written is one line,
        and the verdict is still printed, and the exit code is still the run's."""
        report = self.run.settings.report
        outputs: list[tuple[str, str | None, Any]] = [
            ("the report", report, lambda: reports.write(Path(report), record, verdict)),
            (
                "the JUnit XML",
                self.junit,
                lambda: write_atomically(Path(str(self.junit)), junit.render(record, verdict, reports.failed(record, verdict))),
            ),
            ("the step summary", os.environ.get(reports.STEP_SUMMARY), lambda: reports.append_step_summary(record, verdict)),
        ]
        for what, path, write in outputs:
            if path:
                try:
                    write()
                except OSError as exc:
                    print(f"ERROR: cannot write {what} {path}: {exc.strerror}", file=sys.stderr)
        if github.on_actions():  # one annotation per failing check, at the contract's line, on GitHub's pages
            github.print_annotations(reports.report_data(record, verdict), self.run.settings.strict)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """An xdist worker starts: it sends through this run's relay, to its target, in its edition."""
        if self.handed is not None:
            node.workerinput[relay.WORKER_INPUT] = self.handed

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """An xdist worker ended: what it selected is this run's (each worker collects the whole suite)."""
        output = getattr(node, "workeroutput", {}).get(relay.WORKER_INPUT, {})
        self.deselected = max(self.deselected, output.get("deselected", 0))
        self.collected = max(self.collected or 0, output.get("collected", 0))

    def finish_recording(self, verdict: Verdict) -> None:
        """A recording is written only when the run ended whole, or when a selection (-k, -m, a budget) records
        what it ran without replacing a cassette; otherwise the cassette there stays as it was."""
        recording = self.run.recording
        if recording is None or self.run.settings.replaying:
            return
        overwrites = self.run.settings.record_mode == "all" and Path(self.run.settings.cassette).exists()
        whole = verdict.name != INTERRUPTED and not self.run.stopped
        recording.complete = whole and not (verdict.name == PARTIAL and overwrites)  # a part never replaces a whole
        if not recording.complete:
            print(f"rtk-conformance: cassette {self.run.settings.cassette} left as it was: the run did not end whole", file=sys.stderr)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.verdict is not None and self.record is not None:
            terminalreporter.section("RealtimeKit conformance")
            for line in summary_lines(self.record, self.verdict):
                terminalreporter.write_line(line)


def account_of(item: pytest.Item, report: pytest.TestReport, failure: BaseException | None, text: str) -> JUnitEntry:
    """The test as JUnit XML shows it, named after what it checks."""
    properties = tuple((name, str(value)) for name, value in report.user_properties if name not in carried.CARRIED)
    suite, name = _named(item, dict(properties))
    wasxfail = str(getattr(report, "wasxfail", ""))
    outcome = "xfailed" if wasxfail else "failed" if report.failed else report.outcome
    skipped_because = str(report.longrepr[2]) if report.skipped and isinstance(report.longrepr, tuple) else wasxfail
    message = _first_line(failure, text) if outcome == "failed" else skipped_because.split("\n")[0]
    return JUnitEntry(suite, name, outcome, printable(message), printable_lines(text or wasxfail), round(report.duration, 3), properties)


def _named(item: pytest.Item, properties: dict[str, str]) -> tuple[str, str]:
    """(suite, name): conformance.<category> and <check>@<probe>, or conformance.property and <phase>-<mode>."""
    if "check" in properties:
        return f"conformance.{by_id(properties['check']).category}", f"{properties['check']}@{properties['probe']}"
    params = getattr(item, "callspec", None)
    phase = params.params.get("phase") if params is not None else None
    return "conformance.property", f"{phase}-{params.params['mode']}" if params is not None and phase else item.name


def printable_lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.split("\n"))


def _first_line(failure: BaseException | None, text: str) -> str:
    """A failure that is not a check's, in one line: a property phase's first line, or what the suite crashed on."""
    if isinstance(failure, (PropertyFailure, pytest.fail.Exception)) or failure is None:
        return printable(text.split("\n")[0])
    return printable(f"the suite itself failed: {type(failure).__name__}: {failure}".split("\n")[0])


def _has_a_line_number(entry: Any) -> bool:  # a pytest TracebackEntry
    try:
        return bool(entry.lineno >= 0)
    except TypeError:  # None - 1: the frame has none
        return False


def known_entry(baseline: Baseline | None, failure: CheckFailure | PropertyFailure) -> Entry | None:
    """The unexpired baseline entry that names this failure; for generated cases, one that names each of their
    failures at the level that failed the test. None when any is not known."""
    if baseline is None:
        return None
    if isinstance(failure, CheckFailure):
        return baseline.known(failure.check_id, failure.detail())
    entries = [baseline.known(f.check, f.detail) for r in failure.failed for f in r.failures if f.level == failure.level]
    return entries[0] if entries and all(entries) else None


def _level(failure: CheckFailure | PropertyFailure) -> str:
    return failure.level if isinstance(failure, PropertyFailure) else by_id(failure.check_id).level
