"""Every renderer is a function of the run's record alone: from one record made by hand (plain data, no target, no
process), the summary, JSON, Markdown, HTML and JUnit say the same verdict and numbers, and rendering it twice gives
the same bytes."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import jsonschema_rs
import pytest

from conformance import reports
from conformance.contract.editions import Contradiction
from conformance.properties.engine import CaseResult
from conformance.properties.judge import Finding
from conformance.properties.oracle import Expectation
from conformance.reports import html, junit, markdown
from conformance.reports.summary import summary_lines
from conformance.run.record import JUnitEntry, Outcome, ProbeAnswer, Record, Requests
from conformance.run.settings import Settings
from conformance.run.verdict import judge

BLOCK: dict[str, object] = {
    "errors": ["status is not a documented value"],
    "received": '"PAUSED" at /data/session/status',
    "documented": "one of LIVE, ENDED",
    "contract": "openapi/schemas/session.schema.json#/properties/status/enum",
    "request": "curl -sS -X GET http://127.0.0.1:8787/client/v4/accounts/a/realtime/kit/b/sessions/s",
}
TEXT = "[enums.status] status is not a documented value\nReceived: ..."


def record() -> Record:
    """A run against a mock that writes one status the contract does not know: one probe and one generated case fail."""
    case = CaseResult(
        "fuzzing", "positive", 200, Expectation(False, "valid", (200,), True), [Finding("enums.status", "MUST", TEXT, BLOCK)], ""
    )
    passed = CaseResult("fuzzing", "negative", 400, Expectation(True, "x", (400,), True), [], "")
    contradiction = Contradiction(
        "app_id", "14a396e7-ca44-4937-bf1f-050a69118543", "maxLength 32 (reference-page)", "a UUID (observed)", "p"
    )
    return Record(
        settings=Settings(),
        target="http://127.0.0.1:8787/client/v4",
        edition="documented",
        edition_source="detected",
        profile="ci",
        seed=0,
        started=1_700_000_000.0,
        requests=Requests(sent=3, shared=1, refused=0, budget=0, preflights=1, preflight_status=404),
        answers={"session:s": ProbeAnswer("session:s", "session", 200, content_type="application/json")},
        cases=[case, passed],
        outcomes=[Outcome("enums.status", "failed", "session:s", TEXT, BLOCK), Outcome("schema.body", "passed", "session:s")],
        tests=[
            JUnitEntry("conformance.enums", "enums.status@session:s", "failed", "status is not a documented value", TEXT, 0.01),
            JUnitEntry("conformance.schema", "schema.body@session:s", "passed", seconds=0.01),
            JUnitEntry("conformance.property", "fuzzing-positive", "failed", "[property fuzzing-positive] 1 of 1", TEXT, 0.5),
        ],
        advisories=[contradiction],
        duration=1.234,
    )


def rendered(made: Record) -> dict[str, Any]:
    verdict = judge(made)
    data = reports.report_data(made, verdict)
    return {
        "summary": "\n".join(summary_lines(made, verdict)),
        "json": json.dumps(data, indent=1),
        "markdown": markdown.render(data),
        "html": html.render(data),
        "junit": junit.render(made, verdict, reports.failed(made, verdict)),
    }


def test_every_format_renders_the_records_one_verdict_and_numbers() -> None:
    out = rendered(record())
    verdict = "VIOLATES: 1 check failed on 1 probe and 1 generated case"
    assert out["summary"].splitlines()[-1] == f"Verdict: {verdict}"
    assert json.loads(out["json"])["verdict"] == {"name": "VIOLATES", "reason": verdict.removeprefix("VIOLATES: "), "exit_code": 1}
    assert f"**Verdict: VIOLATES**: {verdict.removeprefix('VIOLATES: ')} (exit code 1)" in out["markdown"]
    assert "<b>VIOLATES</b>: 1 check failed on 1 probe and 1 generated case" in out["html"]
    suite = ElementTree.fromstring(out["junit"]).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "2")
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["verdict"] == verdict
    assert "Requests: 4 (1 preflight, 1 explicit, 2 generated): 2 2xx, 2 4xx; 3 sent, 1 shared" in out["summary"]


def test_the_json_report_is_valid_by_its_shipped_schema() -> None:
    schema = json.loads(reports.SCHEMA.read_text())
    assert list(jsonschema_rs.validator_for(schema).iter_errors(json.loads(rendered(record())["json"]))) == []


@pytest.mark.parametrize("form", ["summary", "json", "markdown", "html", "junit"])
def test_rendering_one_record_twice_gives_the_same_bytes(form: str) -> None:
    made = record()
    assert rendered(made)[form] == rendered(made)[form]
