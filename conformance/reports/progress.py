"""Progress of a quiet run (-q, as `rtk-conformance run` is): per category and property phase, done/total, on one
line rewritten in place on a terminal; nothing at all otherwise (a CI log gets the summary, not a row of dots)."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Generator
from typing import Any

import pytest

PROPERTY = "property"


def progress_group(item: pytest.Item) -> str:
    """The category of an explicit test, or 'property'."""
    params = getattr(item, "callspec", None)
    case = params.params.get("conformance_case") if params is not None else None
    return str(case.check.category) if case is not None else PROPERTY


class Progress:
    """Replaces pytest's per-test letters in a quiet run of the suite."""

    def __init__(self, config: pytest.Config, on_tty: bool) -> None:
        self.config, self.on_tty = config, on_tty
        self.total: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        self.group: dict[str, str] = {}
        self.shown = 0  # characters of the line on screen

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.group = {item.nodeid: progress_group(item) for item in session.items}
        self.total = Counter(self.group.values())

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> Generator[None, Any, Any]:
        status = yield
        return (status[0], "", status[2]) if status and report.nodeid in self.group else status

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        if nodeid in self.group:
            self.done[self.group[nodeid]] += 1
            if self.on_tty:
                line = self.line(self.group[nodeid], shutil.get_terminal_size().columns - 1)
                self.write("\r" + line.ljust(self.shown))  # spaces over what a longer line left
                self.shown = len(line)

    def write(self, text: str) -> None:
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")  # registered after this plugin
        if terminal is not None:
            terminal.write(text, flush=True)

    def line(self, current: str, width: int) -> str:
        """Every group's progress, or where it fits no wider than the terminal, the whole and the current group's."""
        line = "progress: " + " · ".join(f"{group} {self.done[group]}/{total}" for group, total in self.total.items())
        if len(line) > width:
            whole = f"progress: {sum(self.done.values())}/{sum(self.total.values())} tests"
            line = f"{whole} · {current} {self.done[current]}/{self.total[current]}"
        return line[:width]

    def pytest_sessionfinish(self) -> None:
        if self.on_tty and self.done:
            self.write("\n")
