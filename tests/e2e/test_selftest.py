"""The suite proves itself: it passes on the reference mock and kills every mutant of the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import interrupt, selftest
from conformance.checks import REGISTRY
from conformance.cli.console import main
from conformance.mock import MockData, ReferenceMock, load_data
from conformance.selftest import runs
from conformance.selftest.mutants import CATALOGUE, MUTANTS, Mutant
from conformance.selftest.variants import CATALOGUE as VARIANT_CATALOGUE
from conformance.selftest.variants import VARIANTS, Style, Variant
from tests.conftest import Child, ctrl_c_to_the_group, cwd_of, forked_by_its_fork_server, run_cli

pytestmark = pytest.mark.slow
FAST = ["--max-examples", "50"]
Scored = tuple[list[selftest.RunOutcome], list[selftest.MutantVerdict]]


@pytest.fixture(scope="module")
def scored() -> Iterator[Scored]:
    """One selftest of the whole catalogue (about half a minute on two cores)."""
    yield selftest.selftest(CATALOGUE, jobs=2, extra=FAST, variants=VARIANT_CATALOGUE, command=main)


def test_catalogue_has_at_least_30_mutants_each_naming_real_checks() -> None:
    ids = {c.id for c in REGISTRY}
    assert len(CATALOGUE) >= 30 and len(MUTANTS) == len(CATALOGUE)
    assert all(m.killed_by and set(m.killed_by) <= ids for m in CATALOGUE)


def test_the_unmodified_mock_passes_with_zero_failures_in_both_editions(scored: Scored) -> None:
    references = [r for r in scored[0] if not r.variant]
    assert [r.name for r in references] == ["reference mock", "reference mock (current edition)"]
    for reference in references:
        assert (reference.exit_code, reference.explicit, reference.property) == (0, frozenset(), frozenset())


def test_every_correct_variant_passes_strict_in_both_editions(scored: Scored) -> None:
    variants = [r for r in scored[0] if r.variant]
    assert len(VARIANT_CATALOGUE) >= 12 and len(variants) == 2 * len(VARIANT_CATALOGUE)
    assert [(r.name, r.exit_code, sorted(r.explicit | r.property)) for r in variants if not selftest.clean(r)] == []
    assert f"correct variants passed: {len(variants)}/{len(variants)}" in list(selftest.report_lines(*scored))


def test_a_variant_that_is_not_correct_fails_the_selftest() -> None:
    """The other side: a 'variant' that breaks the contract (no JSON media type) is a false positive the selftest reports."""
    wrong = Variant("text-plain", "sends its JSON as text/plain", Style(content_type="text/plain"))
    references, verdicts = selftest.selftest([], jobs=2, extra=FAST, variants=[wrong], command=main)
    assert not selftest.succeeded(references, verdicts)
    lines = list(selftest.report_lines(references, verdicts))
    assert "text-plain (documented edition): FAILS: errors.json-content-type" in lines  # schemathesis saw it too: one check
    assert "correct variants passed: 0/2" in lines


def test_the_catalogue_breaks_the_current_edition_too() -> None:
    current = [m.name for m in CATALOGUE if m.build(load_data()).contract.edition == "current"]
    assert len(current) >= 3


def test_every_mutant_is_killed_by_its_expected_checks(scored: Scored) -> None:
    _, verdicts = scored
    assert [v.mutant.name for v in verdicts if not v.killed] == []
    assert all(v.by_explicit for v in verdicts if v.mutant.level == "MUST")  # sound without the property layer


def test_every_check_kills_some_mutant(scored: Scored) -> None:
    """Reflection: a check that never fails on any mutant proves nothing."""
    _, verdicts = scored
    fired = {c for v in verdicts for c in (v.outcome.explicit | v.outcome.property) & set(v.mutant.killed_by)}
    assert sorted(c.id for c in REGISTRY if c.id not in fired) == []


def test_the_property_layer_kills_mutants_too(scored: Scored) -> None:
    _, verdicts = scored
    assert sum(v.by_property for v in verdicts) * 2 >= len(verdicts)


def test_report_prints_the_score_per_category_and_engine(scored: Scored) -> None:
    lines = list(selftest.report_lines(*scored))
    total = len(CATALOGUE)
    assert lines[:2] == ["reference mock: passes", "reference mock (current edition): passes"]
    assert f"mutation score: {total}/{total} (100%)" in lines
    assert f"  by the explicit checks: {total}/{total} (100%)" in lines
    assert any(line.startswith("  by the property tests:  ") for line in lines)
    assert "  auth       3/3 (100%)" in lines


def test_a_harmless_mutant_survives_and_fails_the_selftest() -> None:
    harmless = Mutant("harmless", "breaks nothing", ("enums.status",), ReferenceMock)
    references, verdicts = selftest.selftest([harmless], jobs=2, extra=FAST, command=main)
    assert not verdicts[0].killed
    assert not selftest.succeeded(references, verdicts)
    row = "harmless                               enums      MUST   no       no       SURVIVED"
    assert row in list(selftest.report_lines(references, verdicts))


def test_selftest_command_names_mutants_and_exits_0(tmp_path: Path) -> None:
    result = run_cli("selftest", "deny-all", "status-paused", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "mutation score: 2/2 (100%)" in result.stdout


def test_selftest_refuses_unknown_mutants(tmp_path: Path) -> None:
    result = run_cli("selftest", "no-such-mutant", cwd=tmp_path)
    known = f"the mutants: {', '.join(MUTANTS)}; the correct variants: {', '.join(VARIANTS)}"
    assert (result.returncode, result.stderr.strip()) == (2, f"rtk-conformance: error: unknown mutant(s): no-such-mutant; {known}")


def test_selftest_lists_its_mutants(tmp_path: Path) -> None:
    listed = [line.split()[:3] for line in run_cli("selftest", "--list", cwd=tmp_path).stdout.splitlines()]
    assert listed == [[m.name, m.category, m.level] for m in CATALOGUE] + [[v.name, "correct", "-"] for v in VARIANT_CATALOGUE]


def test_a_crashed_run_is_an_error_never_a_survivor(monkeypatch: pytest.MonkeyPatch) -> None:
    def crashing(app: object, name: str, extra: list[str]) -> selftest.RunOutcome:
        return selftest.RunOutcome(name, 2, frozenset(), frozenset(), "Traceback ...\nOSError: no space left on device")

    monkeypatch.setattr(selftest, "run_mock", crashing)
    heard: list[str] = []
    references, verdicts = selftest.selftest([MUTANTS["deny-all"]], jobs=1, extra=[], progress=heard.append)
    assert heard == ["[1/1] deny-all: ERROR"]
    assert not selftest.succeeded(references, verdicts)
    lines = list(selftest.report_lines(references, verdicts))
    assert "  the run crashed (exit 2): OSError: no space left on device" in lines


def test_each_production_mutant_fails_its_own_check_and_no_other_should_check(scored: Scored) -> None:
    _, verdicts = scored
    should = {c.id for c in REGISTRY if c.level == "SHOULD"}
    production = [v for v in verdicts if v.mutant.category == "production"]
    assert len(production) == len([c for c in REGISTRY if c.category == "production"])
    for verdict in production:
        assert (verdict.outcome.explicit | verdict.outcome.property) & should == set(verdict.mutant.killed_by), verdict.mutant.name


def test_ctrl_c_during_a_selftest_is_one_line_exit_2_and_leaves_no_process(tmp_path: Path) -> None:
    def a_run_is_under_way(selftest: Child) -> bool:
        """A run forked by the selftest's fork server works in a temporary folder of its own."""
        return any(cwd_of(run) not in ("", str(tmp_path)) for run in forked_by_its_fork_server(selftest.pid))

    exit_code, stderr, left = ctrl_c_to_the_group(["selftest"], a_run_is_under_way, cwd=tmp_path)
    assert (exit_code, stderr.strip(), left) == (2, "rtk-conformance: selftest interrupted", [])


def test_ctrl_c_starts_no_further_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs still queued when Ctrl-C comes are not started: the selftest ends at once, not after the catalogue."""
    started: list[str] = []

    def interrupted_at_the_first_mutant(app: object, name: str, extra: list[str]) -> selftest.RunOutcome:
        started.append(name)
        if name == "deny-all":
            raise interrupt.Interrupted
        return selftest.RunOutcome(name, 0, frozenset(), frozenset(), "")

    monkeypatch.setattr(selftest, "run_mock", interrupted_at_the_first_mutant)
    with pytest.raises(interrupt.Interrupted):
        selftest.selftest([MUTANTS["deny-all"], MUTANTS["status-paused"], MUTANTS["drop-id"]], jobs=1, extra=[])
    assert started == ["reference mock", "reference mock (current edition)", "deny-all"]


def test_a_forked_run_is_judged_as_a_run_in_a_new_interpreter(data: MockData) -> None:
    """The fork server is how the selftest runs where the platform has one; a subprocess where it has none."""
    in_new_interpreter = selftest.run_mock(MUTANTS["status-paused"].build(data), "status-paused", FAST)
    with runs.processes(1, main):
        forked = selftest.run_mock(MUTANTS["status-paused"].build(data), "status-paused", FAST)
    assert forked == in_new_interpreter
    assert forked.exit_code == 1 and "enums.status" in forked.explicit
