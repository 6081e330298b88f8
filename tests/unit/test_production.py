"""Failures as production answers them: the contract records each situation's answer, the production.* checks
compare a target's answers with it, and a run groups the differences as advisories, apart from violations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conformance.checks import REGISTRY
from conformance.checks.production import SITUATIONS
from conformance.contract import Contract
from conformance.mock.app import Reply
from conformance.mock.data import MockData
from conformance.reports import html, markdown
from conformance.selftest.mutants import kinds
from tests.conftest import ROOT, run_cli, target_of

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


def answers_otherwise(data: MockData) -> kinds.AnswersOtherwise:
    """The mock of the issue: 401 to a missing token, no error_chain for a malformed header, no error code for a bad token."""
    return kinds.AnswersOtherwise(
        data,
        {
            "missing-credentials": lambda reply: Reply(401, reply.body),
            "malformed-authorization": lambda reply: kinds.cloudflare_failure(400, 6003, "Invalid request headers"),
            "invalid-token": lambda reply: kinds.realtimekit_failure(403, "Invalid access token"),
        },
    )


DIFFERING = ["production.missing-credentials", "production.malformed-authorization", "production.invalid-token"]


def test_differences_from_production_are_named_advisories_and_fatal_with_strict(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(answers_otherwise(data)), data)
    report = tmp_path / "report.json"
    run = run_cli("run", *args, "--report", str(report), env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    verdict = run.stdout.split("\nVerdict: ")[1].splitlines()[0]
    assert verdict.startswith("CONFORMS WITH ADVISORIES: every MUST check holds; 3 checks failed on 5 probes")
    section = run.stdout.split("Differs from production (advisory)")[1].split("\nVerdict: ")[0]
    assert sorted(set(re.findall(r"^\[(production\.[a-z-]+)\]", section, re.M))) == sorted(DIFFERING)
    assert "missing credentials: Cloudflare answers 400 with code 9106; this target answered 401 with code 9106" in section
    assert "SHOULD (advisory)" not in run.stdout  # no other advisory
    data = json.loads(report.read_text())
    assert {c["id"] for c in data["checks"] if c["outcome"] == "failed"} == set(DIFFERING)
    assert (
        "\n## Differs from production (advisory): failures answered otherwise than Cloudflare does; fatal only with --strict (3 checks)\n"
        in markdown.render(data)
    )
    assert (
        "<h2>Differs from production (advisory): failures answered otherwise than Cloudflare does; fatal only with --strict (3)</h2>"
        in html.render(data)
    )
    strict = run_cli("run", *args, "--strict", env=env, cwd=tmp_path)
    assert strict.returncode == 1 and "\nVerdict: VIOLATES: 3 checks failed on 5 probes" in strict.stdout


def test_every_production_check_is_a_should_check_of_its_own_category() -> None:
    production = [c for c in REGISTRY if c.category == "production"]
    assert [c.id for c in production] == [f"production.{s}" for s in SITUATIONS]
    assert {c.level for c in production} == {"SHOULD"}
