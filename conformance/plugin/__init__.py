"""The pytest plugin: prefixed options in one group, and nothing else unless the suite is collected.

Inert unless the conformance suite (conformance.suite) is among the arguments: then `conformance.plugin.active` is imported
and registered for the run's lifetime, so a pytest session of other tests pays for no more than this module.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance.run.settings import SETTINGS, SettingsError, add_arguments, from_pytest

if TYPE_CHECKING:
    from conformance.run.record import Run

SUITE_PACKAGE = "conformance.suite"
SUITE_DIR = Path(__file__).resolve().parents[1] / "suite"
RUN: pytest.StashKey[Run] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "RealtimeKit conformance suite")
    add_arguments(group.addoption, prefix="conformance-")
    for setting in SETTINGS:
        parser.addini(f"conformance_{setting.name}", setting.metadata["help"], type="string", default="")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """A dry run sends nothing and prints its plan once, from this process whatever -n says (xdist does the same for
    --pdb): its workers would each stop at their plan, and xdist would find none left to run a test."""
    if _suite_requested(config):
        with contextlib.suppress(SettingsError):  # said in one line once the run starts
            if from_pytest(config).dry_run:
                config.option.numprocesses, config.option.dist = 0, "no"


def pytest_configure(config: pytest.Config) -> None:
    if not _suite_requested(config):
        return  # inert: a user's own markers and tests are left alone
    from conformance.plugin.active import ActiveRun

    config.stash[RUN] = ActiveRun.start(config)


def _suite_requested(config: pytest.Config) -> bool:
    for arg in config.args:
        head = arg.split("::")[0]
        if head == SUITE_PACKAGE or head.startswith(SUITE_PACKAGE + "."):
            return True
        path = Path(head).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents:
            return True
    return False
