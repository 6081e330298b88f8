"""Every check of the contract, applied to every probe it concerns."""

from __future__ import annotations

import pytest

from conformance.checks import NotApplicable
from conformance.run import carried
from conformance.run.live import Case, Run


def test_rule(conformance_case: Case, conformance_run: Run, request: pytest.FixtureRequest) -> None:
    exchange = conformance_run.client.exchange(conformance_case.probe)  # sent once per run
    request.node.user_properties += carried.of_answer(conformance_run.answer(exchange))
    if exchange.unsent:
        pytest.skip(exchange.error)
    try:
        conformance_case.check.run(exchange, conformance_run.contract)
    except NotApplicable as why:
        pytest.skip(str(why))  # nothing to check here; the check that explains why fails on its own
