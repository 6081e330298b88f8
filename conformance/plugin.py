"""The pytest plugin: prefixed options in one group, markers, the run's lifetime and its summary.

Inert unless the conformance suite (conformance.suite) is among the arguments.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance.cassette import CassetteError
from conformance.checks import by_id
from conformance.checks.base import CATEGORIES, LEVELS, CheckFailure
from conformance.properties.report import PropertyFailure
from conformance.run import Outcome, Run, start_run
from conformance.settings import SETTINGS, SettingsError, add_arguments, resolve
from conformance.summary import INCONCLUSIVE, summary_lines, verdict
from conformance.targets import TargetError

SUITE_PACKAGE = "conformance.suite"
SUITE_DIR = Path(__file__).resolve().parent / "suite"
RUN = pytest.StashKey[Run]()
STACK = pytest.StashKey[contextlib.ExitStack]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "RealtimeKit conformance suite")
    add_arguments(group.addoption, prefix="conformance-")
    for setting in SETTINGS:
        parser.addini(f"conformance_{setting.name}", setting.metadata["help"], type="string", default="")


def pytest_configure(config: pytest.Config) -> None:
    for category in CATEGORIES:
        config.addinivalue_line("markers", f"{category}: conformance checks of the {category} category")
    for level in LEVELS:
        config.addinivalue_line("markers", f"{level.lower()}: conformance checks at {level} level")
    config.addinivalue_line("markers", "property: property-based tests generated from the contract by schemathesis")
    if _suite_requested(config):
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


def pytest_unconfigure(config: pytest.Config) -> None:
    if STACK in config.stash:
        config.stash[STACK].close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    run = item.config.stash.get(RUN, None)
    if run is None:
        return report
    failed = report.failed
    failure = call.excinfo.value if call.excinfo is not None else None
    if isinstance(failure, (CheckFailure, PropertyFailure)):
        report.longrepr = str(failure)  # the fixed failure text, not a traceback
        if _level(failure) == "SHOULD" and not run.settings.strict:
            report.outcome, report.wasxfail = "skipped", "SHOULD rule failed (fatal only with --strict)"
    check_id = dict(item.user_properties).get("check")
    if check_id is not None and (report.when == "call" or not report.passed):
        run.outcomes.append(Outcome(by_id(str(check_id)), "failed" if failed else report.outcome))
    return report


def _level(failure: CheckFailure | PropertyFailure) -> str:
    return failure.level if isinstance(failure, PropertyFailure) else by_id(failure.check_id).level


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(RUN, None)
    if run is not None and verdict(run)[0] == INCONCLUSIVE and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(RUN, None)
    if run is None or not (run.outcomes or run.properties.results):
        return
    terminalreporter.section("RealtimeKit conformance")
    for line in summary_lines(run):
        terminalreporter.write_line(line)
