"""--report PATH (.json, .md, .html) and the GitHub step summary: rendered from the same verdict as the terminal."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from conformance.mock import MockData
from conformance.reports import SCHEMA
from conformance.selftest.mutants import MUTANTS
from tests.conftest import run_cli, target_of


def verdict_line(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith("Verdict: "))


def json_report(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Any, dict[str, Any]]:
    result = run_cli("run", *args, "--report", str(tmp_path / "report.json"), env=env, cwd=tmp_path)
    report = json.loads((tmp_path / "report.json").read_text())
    errors = [e.message for e in jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()), validate_formats=True).iter_errors(report)]
    assert errors == []
    return result, report


def test_a_passing_runs_json_report(tmp_path: Path) -> None:
    result, report = json_report(tmp_path)
    assert result.returncode == report["verdict"]["exit_code"] == 0
    assert verdict_line(result.stdout) == f"Verdict: {report['verdict']['name']}: {report['verdict']['reason']}"
    assert (report["target"], report["edition"], report["profile"], report["seed"]) == (
        "embedded reference mock",
        {"name": "documented", "source": "detected"},
        "ci",
        0,
    )
    assert sum(report["counts"]["requests"].values()) >= 300 and report["counts"]["property_cases"]["fuzzing"]["positive"] > 0
    sent = report["counts"]["requests_sent"]
    assert sent["sent"] + sent["shared"] == sum(report["counts"]["requests"].values()) and sent["shared"] > 0
    assert {c["outcome"] for c in report["checks"]} <= {"passed", "skipped"} and len(report["checks"]) == 233


def test_a_failing_runs_json_report(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(MUTANTS["status-paused"].build(data)), data)
    result, report = json_report(tmp_path, *args, env=env)
    assert result.returncode == report["verdict"]["exit_code"] == 1
    assert verdict_line(result.stdout) == f"Verdict: {report['verdict']['name']}: {report['verdict']['reason']}"
    failed = [c for c in report["checks"] if c["outcome"] == "failed" and c["id"] == "enums.status"]
    assert failed and failed[0]["message"].startswith('[enums.status] status is not a documented value\nReceived: "PAUSED"')
    assert any(c["probe"].startswith("property ") for c in failed)
    assert data.token not in (tmp_path / "report.json").read_text()


def normalised(text: str) -> str:
    return re.sub(r"contract [0-9a-f]{16}", "contract <sha>", text)


def test_the_markdown_report_of_a_passing_run(tmp_path: Path) -> None:
    run_cli("run", "--report", str(tmp_path / "report.md"), cwd=tmp_path)
    text = normalised((tmp_path / "report.md").read_text())
    requests, rest = text.split("\n\n", 4)[3:]
    assert text.startswith(
        "# RealtimeKit conformance: CONFORMS\n\n"
        "**Verdict: CONFORMS**: every check holds (exit code 0)\n\n"
        "Target: embedded reference mock · edition documented (detected) · profile ci, seed 0 · suite 0.1.0 · contract <sha>\n\n"
    )
    assert re.fullmatch(
        r"Requests: \d+ \(24 explicit, \d+ generated\): \d+ 2xx, \d+ 4xx; \d+ sent, \d+ shared the answer of the same request sent before",
        requests,
    )
    assert rest.startswith(
        "Each check on each probe it applies to, by category and level:\n\n"
        "| category | MUST pass | MUST fail | SHOULD pass | SHOULD fail | not applicable |\n"
        "|---|---:|---:|---:|---:|---:|\n"
        "| schema | 36 | 0 | 8 | 0 | 0 |\n"
        "| enums | 16 | 0 | 0 | 0 | 0 |\n"
        "| params | 4 | 0 | 5 | 0 | 1 |\n"
        "| auth | 5 | 0 | 0 | 0 | 0 |\n"
        "| errors | 64 | 0 | 29 | 0 | 0 |\n"
        "| semantics | 0 | 0 | 48 | 0 | 0 |\n"
        "| transport | 8 | 0 | 0 | 0 | 0 |\n"
        "| production | 0 | 0 | 9 | 0 | 0 |\n\n"
        "not applicable: nothing for the check to look at, such as a 200 body's check on a 404; a failing check says why\n\n"
        "| phase | mode | cases | 2xx | 4xx | 5xx | failed | relabelled | contested |\n"
    )
    assert [line for line in text.splitlines() if line.startswith("## ")] == ["## Situations"]  # no failure, no section of them


def test_the_markdown_report_of_a_failing_run_goes_to_the_step_summary(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(MUTANTS["negative-count"].build(data)), data)
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    result = run_cli("run", *args, "--report", str(tmp_path / "r.md"), env={**env, "GITHUB_STEP_SUMMARY": str(summary)}, cwd=tmp_path)
    text = (tmp_path / "r.md").read_text()
    assert result.returncode == 0
    assert text.startswith("# RealtimeKit conformance: CONFORMS WITH ADVISORIES\n")
    assert "## SHOULD (advisory): documented meaning that does not hold; fatal only with --strict (1 check)\n" in text
    assert "```text\n[semantics.non-negative] participant counts and minutes are >= 0\n  failed on " in text
    assert "\n  - live_participants is below 0\n" in text
    assert summary.read_text() == "earlier step\n" + text + "\n"


class Visible(HTMLParser):
    """The text of the elements with an id, and whether the document loads anything from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.open: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.external += [v for k, v in attrs if k in ("src", "href") and v]
        if found.get("id"):
            self.open.append(str(found["id"]))
            self.ids[str(found["id"])] = ""

    def handle_data(self, data: str) -> None:
        for element in self.open:
            self.ids[element] += data


def test_the_html_report_is_one_self_contained_file(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(MUTANTS["status-paused"].build(data)), data)
    run_cli("run", *args, "--report", str(tmp_path / "r.html"), env=env, cwd=tmp_path)
    page = Visible()
    page.feed((tmp_path / "r.html").read_text())
    assert [link for link in page.external if not link.startswith("#")] == []  # links within the page only
    assert page.ids["verdict"].startswith("VIOLATES: ")
    assert page.ids["matrix"].startswith("Each check on each probe it applies to, by category and level:categoryMUST passMUST fail")
    assert page.ids["check-enums.status"].startswith("enums.status (MUST): status is one of LIVE, ENDED")
    assert "openapi/schemas/session.schema.json#/properties/status/enum" in page.ids["check-enums.status"]
    assert "contract:openapi/schemas/session.schema.json:/properties/status/enum" in page.ids  # where its link leads


@pytest.mark.parametrize("name", ["report.txt", "report"])
def test_a_report_without_a_known_suffix_is_refused(tmp_path: Path, name: str) -> None:
    result = run_cli("run", "--report", name, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"ERROR: report must end in .json, .md, .html, got '{name}'"]


def test_an_unwritable_report_is_one_line_and_the_run_keeps_its_verdict_and_exit_code(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where a folder should be")
    result = run_cli("run", "--report", str(tmp_path / "taken" / "report.json"), "--", "-k", "enums.type", cwd=tmp_path)
    assert result.returncode == 0 and "\nVerdict: PARTIAL: a selection: " in result.stdout
    assert result.stderr.strip().splitlines() == [f"ERROR: cannot write the report {tmp_path / 'taken' / 'report.json'}: File exists"]
