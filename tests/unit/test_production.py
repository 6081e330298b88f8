"""Failures as production answers them: the contract records each situation's answer, the production.* checks
compare a target's answers with it, and a run groups the differences as advisories, apart from violations."""

from __future__ import annotations

import re

from conformance.checks import REGISTRY
from conformance.checks.production import SITUATIONS
from conformance.contract import Contract
from tests.conftest import ROOT

PACKAGE = ROOT / "conformance"


def test_every_compared_situation_is_recorded_with_its_source(contract: Contract) -> None:
    recorded = contract.recorded_failures
    assert set(SITUATIONS) <= set(recorded)
    for failure in recorded.values():
        assert failure.sources and set(failure.sources) <= {"observed", "inferred"}, failure
        assert contract.failure_shape(failure.body) is not None, failure
    assert [s for s in SITUATIONS if recorded[s].inferred] == ["unknown-session"]


def test_no_error_code_is_written_in_the_python_that_judges_or_mocks(contract: Contract) -> None:
    """The codes live in openapi/; only the mutants (deliberately wrong answers) spell some out."""
    codes = {str(e["code"]) for f in contract.recorded_failures.values() for e in f.body.get("errors", [])}
    for path in PACKAGE.rglob("*.py"):
        if "mutants" not in path.parts:
            assert not codes & set(re.findall(r"\b\d{3,5}\b", path.read_text())), path


def test_every_production_check_is_a_should_check_of_its_own_category() -> None:
    production = [c for c in REGISTRY if c.category == "production"]
    assert [c.id for c in production] == [f"production.{s}" for s in SITUATIONS]
    assert {c.level for c in production} == {"SHOULD"}
