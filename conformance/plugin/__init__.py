"""The pytest plugin: prefixed options in one group, and nothing else unless the suite is collected.

Inert unless the conformance suite (conformance.suite) is among the arguments: then `conformance.plugin.active` is imported
and registered for the run's lifetime, so a pytest session of other tests pays for no more than this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance.run.settings import SETTINGS, add_arguments

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
