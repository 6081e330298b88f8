"""Fixtures of the suite, prefixed conformance_; the run itself is opened by conformance.plugin."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.plugin import RUN
from conformance.run.live import Case, Run


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "conformance_case" in metafunc.fixturenames:
        cases = metafunc.config.stash[RUN].cases()
        params = [
            pytest.param(c, id=c.id, marks=[getattr(pytest.mark, c.check.category), getattr(pytest.mark, c.check.level.lower())])
            for c in cases
        ]
        metafunc.parametrize("conformance_case", params, indirect=True)


@pytest.fixture(scope="session")
def conformance_run(request: pytest.FixtureRequest) -> Run:
    """The run: settings, target, contract, client and probes."""
    return request.config.stash[RUN]


@pytest.fixture
def conformance_case(request: pytest.FixtureRequest) -> Case:
    """One check applied to one probe; recorded on the test for reports and JUnit XML."""
    case: Case = request.param
    edition = request.config.stash[RUN].contract.edition
    request.node.user_properties += [
        ("check", case.check.id),
        ("level", case.check.level),
        ("probe", case.probe.name),
        ("edition", edition),
    ]
    return case


@pytest.fixture(scope="session", autouse=True)
def conformance_edition(record_testsuite_property: Any, conformance_run: Run) -> None:
    """The edition checked, and how it was chosen, as JUnit XML testsuite properties."""
    record_testsuite_property("edition", conformance_run.contract.edition)
    record_testsuite_property("edition_source", conformance_run.edition_source)
