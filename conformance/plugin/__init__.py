"""The pytest plugin: prefixed options in one group, the RealtimeKit fake's fixtures, and nothing else unless the suite
is collected.

Inert unless the conformance suite (conformance.suite) is among the arguments: then `conformance.plugin.active` is imported
and registered for the run's lifetime, so a pytest session of other tests pays for no more than this module. The
fixtures `realtimekit` and `realtimekit_server` load the fake only when a test asks for one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.run.settings import SETTINGS, SettingsError, add_arguments, from_pytest

if TYPE_CHECKING:
    from conformance.fake import RealtimeKitFake
    from conformance.run.live import Run

SUITE_PACKAGE = "conformance.suite"
SUITE_DIR = Path(__file__).resolve().parents[1] / "suite"
RUN: pytest.StashKey[Run] = pytest.StashKey()
FAKE_MARKER = "realtimekit"
AUDIT_OPTION = "realtimekit_audit"
FAKE_ROUTER: pytest.StashKey[Any] = pytest.StashKey()  # the realtimekit fixture's respx router


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "RealtimeKit conformance suite")
    add_arguments(group.addoption, prefix="conformance-")
    for setting in SETTINGS:
        parser.addini(f"conformance_{setting.name}", setting.metadata["help"], type="string", default="")
    group.addoption(
        "--realtimekit-audit",
        dest=AUDIT_OPTION,
        action="store_true",
        help="judge every exchange this session's tests make with RealtimeKit doubles (respx, the realtimekit fixture, vcrpy cassettes)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """A dry run sends nothing and prints its plan once, from this process whatever -n says (xdist does the same for
    --pdb): its workers would each stop at their plan, and xdist would find none left to run a test."""
    if _suite_requested(config):
        with contextlib.suppress(SettingsError):  # said in one line once the run starts
            if from_pytest(config).dry_run:
                config.option.numprocesses, config.option.dist = 0, "no"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{FAKE_MARKER}(**options): options of the test's RealtimeKitFake (edition=, seeded=, account_id=, ...)"
    )
    if config.getoption(AUDIT_OPTION, False):  # a user's own tests, their doubles judged (conformance.plugin.doubles)
        from conformance.plugin.doubles import DoublesAudit

        config.pluginmanager.register(DoublesAudit(FAKE_ROUTER), "realtimekit-audit")
    if not _suite_requested(config):
        return  # inert: a user's own markers and tests are left alone
    from conformance.plugin.active import ActiveRun

    config.stash[RUN] = ActiveRun.start(config)


@pytest.fixture
def realtimekit(request: pytest.FixtureRequest) -> Iterator[RealtimeKitFake]:
    """A RealtimeKit fake for this test, in-process: httpx clients (the official SDK) reach it at the SDK's base URL
    (and at CLOUDFLARE_BASE_URL when set). Options: @pytest.mark.realtimekit(edition="documented", ...)."""
    from conformance.fake import SDK_BASE_URL

    fake = _fake_for(request)
    with fake.mocked(*dict.fromkeys([SDK_BASE_URL, os.environ.get("CLOUDFLARE_BASE_URL") or SDK_BASE_URL])) as router:
        request.node.stash[FAKE_ROUTER] = router  # what --realtimekit-audit reads of the test
        yield fake


@pytest.fixture
def realtimekit_server(request: pytest.FixtureRequest) -> Iterator[RealtimeKitFake]:
    """A RealtimeKit fake for this test on a loopback socket, for any client: its URL is `.base_url`."""
    fake = _fake_for(request)
    with fake.serving():
        yield fake


def _fake_for(request: pytest.FixtureRequest) -> RealtimeKitFake:
    from conformance.fake import RealtimeKitFake

    marker = request.node.get_closest_marker(FAKE_MARKER)
    return RealtimeKitFake(**(marker.kwargs if marker else {}))


def _suite_requested(config: pytest.Config) -> bool:
    for arg in config.args:
        head = arg.split("::")[0]
        if head == SUITE_PACKAGE or head.startswith(SUITE_PACKAGE + "."):
            return True
        path = Path(head).resolve()
        if path == SUITE_DIR or SUITE_DIR in path.parents:
            return True
    return False
