"""The pytest plugin: prefixed options in one group, markers, the run's lifetime and its summary.

Inert unless the conformance suite (conformance.suite) is among the arguments.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance import carried, junit, reports
from conformance.cassette import CassetteError
from conformance.checks import by_id
from conformance.checks.base import CATEGORIES, LEVELS, CheckFailure
from conformance.progress import Progress
from conformance.properties.report import PropertyFailure
from conformance.run import Outcome, Run, start_run
from conformance.settings import SETTINGS, SettingsError, add_arguments, resolve
from conformance.summary import summary_lines
from conformance.targets import TargetError
from conformance.verdict import Verdict, judge

SUITE_PACKAGE = "conformance.suite"
SUITE_DIR = Path(__file__).resolve().parent / "suite"
RUN = pytest.StashKey[Run]()
STACK = pytest.StashKey[contextlib.ExitStack]()
VERDICT = pytest.StashKey[Verdict]()
DESELECTED = pytest.StashKey[int]()
SHOULD_REASON = "SHOULD (advisory, fatal only with --strict)"
# pytest's exit statuses that the verdict decides; usage and internal errors stay pytest's.
DECIDED = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED, pytest.ExitCode.INTERRUPTED)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "RealtimeKit conformance suite")
    add_arguments(group.addoption, prefix="conformance-")
    for setting in SETTINGS:
        parser.addini(f"conformance_{setting.name}", setting.metadata["help"], type="string", default="")


def pytest_configure(config: pytest.Config) -> None:
    if not _suite_requested(config):
        return  # inert: a user's own markers and tests are left alone
    for category in CATEGORIES:
        config.addinivalue_line("markers", f"{category}: conformance checks of the {category} category")
    for level in LEVELS:
        config.addinivalue_line("markers", f"{level.lower()}: conformance checks at {level} level")
    config.addinivalue_line("markers", "property: property-based tests generated from the contract by schemathesis")
    _start(config)


def _suite_requested(config: pytest.Config) -> bool:
    for arg in config.args:
        head = arg.split("::")[0]
        if head == SUITE_PACKAGE or head.startswith(SUITE_PACKAGE + "."):
            return True
        path = Path(head).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents:
            return True
    return False


def _start(config: pytest.Config) -> None:
    cli = {s.name: config.getoption(f"conformance_{s.name}") for s in SETTINGS}
    ini = {s.name: str(config.getini(f"conformance_{s.name}")) for s in SETTINGS}
    stack = contextlib.ExitStack()
    try:
        config.stash[RUN] = stack.enter_context(start_run(resolve(cli, os.environ, ini)))
    except (SettingsError, TargetError, CassetteError) as exc:
        stack.close()
        raise pytest.UsageError(str(exc)) from None
    config.stash[STACK] = stack
    config.pluginmanager.register(Outcomes(config.stash[RUN]), "conformance-outcomes")
    if config.get_verbosity() < 0 and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Progress(config, sys.stdout.isatty()), "conformance-progress")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if STACK in config.stash:
        config.stash[STACK].close()
    xml = config.getoption("xmlpath", None)
    if RUN in config.stash and xml and Path(xml).is_file():
        junit.rename_tests(Path(xml))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    run = item.config.stash.get(RUN, None)
    if run is None:
        return report
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, (CheckFailure, PropertyFailure)):
        report.longrepr = str(failure)  # the fixed failure text, not a traceback
        if _level(failure) == "SHOULD" and not run.settings.strict:  # reported in full, not fatal
            report.outcome, report.wasxfail = "skipped", f"{SHOULD_REASON}\n{failure}"
    return report


class Outcomes:
    """Each check's outcome, from its report: this process's tests, or an xdist worker's (then what it saw too)."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        if getattr(report, "node", None) is not None and report.when == "call":  # a worker's report, on the controller
            carried.adopt(self.run, properties)
        if "check" in properties and (report.when == "call" or not report.passed):
            advisory = str(getattr(report, "wasxfail", "")).startswith(SHOULD_REASON)
            outcome = "failed" if report.failed or advisory else report.outcome
            text = str(report.wasxfail).split("\n", 1)[1] if advisory else str(report.longrepr) if report.failed else ""
            self.run.outcomes.append(Outcome(by_id(str(properties["check"])), outcome, str(properties["probe"]), text))


def _level(failure: CheckFailure | PropertyFailure) -> str:
    return failure.level if isinstance(failure, PropertyFailure) else by_id(failure.check_id).level


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        config = items[0].config
        config.stash[DESELECTED] = config.stash.get(DESELECTED, 0) + len(items)


def left_out(session: pytest.Session) -> str:
    """What a selection (-k, -m) or an early stop (-x) left out of the run, or ''."""
    deselected = session.config.stash.get(DESELECTED, 0)
    if deselected:
        return f"a selection: {session.testscollected} of {session.testscollected + deselected} tests ran"
    if session.shouldfail or session.shouldstop:
        return f"stopped early ({session.shouldfail or session.shouldstop})"
    return ""


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Judge the run once; the exit status is the verdict's."""
    run = session.config.stash.get(RUN, None)
    if run is None or hasattr(session.config, "workerinput"):  # an xdist worker: its controller judges the run
        return
    verdict = judge(run, interrupted=exitstatus == pytest.ExitCode.INTERRUPTED, left_out=left_out(session))
    session.config.stash[VERDICT] = verdict
    if exitstatus in DECIDED:
        session.exitstatus = pytest.ExitCode(verdict.exit_code)
    try:
        if run.settings.report:
            reports.write(Path(run.settings.report), run, verdict)
        reports.append_step_summary(run, verdict)
    except OSError as exc:  # one line and a usage error, never a traceback
        print(f"ERROR: cannot write the report {exc.filename}: {exc.strerror}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.USAGE_ERROR


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run, verdict = config.stash.get(RUN, None), config.stash.get(VERDICT, None)
    if run is None or verdict is None:
        return
    terminalreporter.section("RealtimeKit conformance")
    for line in summary_lines(run, verdict):
        terminalreporter.write_line(line)
