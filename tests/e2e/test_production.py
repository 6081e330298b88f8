"""Differences from production in a run: named advisories, fatal only with --strict."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conformance.mock.app import Reply
from conformance.mock.data import MockData
from conformance.reports import html, markdown
from conformance.selftest.mutants import kinds
from tests.conftest import run_cli, target_of


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
    reported = json.loads(report.read_text())
    assert {c["id"] for c in reported["checks"] if c["outcome"] == "failed"} == set(DIFFERING)
    assert (
        "\n## Differs from production (advisory): failures answered otherwise than Cloudflare does; fatal only with --strict (3 checks)\n"
        in markdown.render(reported)
    )
    assert (
        "<h2>Differs from production (advisory): failures answered otherwise than Cloudflare does; fatal only with --strict (3)</h2>"
        in html.render(reported)
    )
    strict = run_cli("run", *args, "--strict", env=env, cwd=tmp_path)
    assert strict.returncode == 1 and "\nVerdict: VIOLATES: 3 checks failed on 5 probes" in strict.stdout
