"""What a vendor reads after a run against a mock with a dozen defects: each failing check once, with all its errors,
MUST first, the verdict last, about a screenful; and the same numbers in the summary, JSON, Markdown, HTML and JUnit."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree

import pytest

from conformance.mock import MockData, ReferenceMock, Reply, Request
from tests.conftest import run_cli, target_of

DEFECTS = {  # session field -> what the mock writes instead
    "status": lambda session: session["status"].lower(),
    "type": lambda session: "webinar",
    "minutes_consumed": lambda session: str(session["minutes_consumed"]),
    "updated_at": lambda session: "yesterday",
    "organization_id": lambda session: "another-app",
}
MUST = {"enums.status", "enums.type", "schema.field-types", "schema.required-fields", "errors.failure-body", "errors.json-content-type"}
# An ENDED session written "ended" still has its ended_at: one defect, seen by the enum and by a semantic rule.
SHOULD = {"schema.timestamps", "semantics.echoes-path-parameters", "errors.method-not-allowed", "semantics.present-only-when"}
PRODUCTION = {"production.missing-credentials", "production.unknown-session"}


class DozenDefects(ReferenceMock):
    """A mock as vendors write them: five wrong fields, one missing, HTML for an unknown session, 401 without
    credentials, and 200 to a POST."""

    def body(self, session: dict[str, Any], breakout_rooms: bool) -> dict[str, Any]:
        body = super().body(session, breakout_rooms)
        shown = body["data"]["session"]
        shown.update({field: change(shown) for field, change in DEFECTS.items()})
        shown.pop("created_at")
        return body

    def respond(self, request: Request) -> Reply:
        reply = super().respond(request)
        if reply.status == 404:
            return Reply(404, b"<html><body>Not Found</body></html>", reply.headers, "text/html")
        if reply.status == 400 and "authorization" not in request.headers:
            return Reply(401, reply.body, reply.headers)
        if reply.status == 405:
            return Reply(200, {"success": True}, reply.headers)
        return reply


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory, data: MockData) -> dict[str, Any]:
    """One run per report format against the same mock: deterministic (the ci profile), so they are the same run."""
    from conformance.mock.server import serve_in_thread

    folder = tmp_path_factory.mktemp("vendor")
    outputs: dict[str, Any] = {}
    with serve_in_thread(DozenDefects(data)) as root:
        args, env = target_of(root, data)
        for suffix in (".json", ".md", ".html"):
            result = run_cli("run", *args, "--report", f"r{suffix}", "--junitxml", f"j{suffix}.xml", env=env, cwd=folder)
            outputs[suffix] = ((folder / f"r{suffix}").read_text(), result)
    outputs["junit"] = ElementTree.parse(folder / "j.json.xml").getroot()
    return outputs


def test_each_failing_check_is_one_block_with_all_its_errors_must_first_and_the_verdict_last(ran: dict[str, Any]) -> None:
    result = ran[".json"][1]
    printed = result.stdout.splitlines()
    blocks = [re.match(r"^\[([\w.-]+)\]", line)[1] for line in printed if re.match(r"^\[([\w.-]+)\] ", line)]  # type: ignore[index]
    assert sorted(blocks) == sorted(MUST | SHOULD | PRODUCTION) and len(blocks) == len(set(blocks))  # each once
    assert [b for b in blocks if b in MUST] == blocks[: len(MUST)] and blocks[-1] in PRODUCTION  # MUST first
    assert printed[-1].startswith("Verdict: VIOLATES: 6 checks failed on ") and result.returncode == 1  # the verdict last
    assert len(printed) <= 150  # about ten lines a defect: no test-by-test account, no failure repeated
    types = result.stdout.split("[schema.field-types]")[1].split("\n[")[0]
    assert "  - /data/session/minutes_consumed has the wrong type" in types
    timestamps = result.stdout.split("[schema.timestamps]")[1].split("\n[")[0]
    assert "/data/session/updated_at is not an RFC 3339 timestamp" in timestamps


def test_every_format_gives_the_same_numbers(ran: dict[str, Any]) -> None:
    report = json.loads(ran[".json"][0])
    failed = report["failed"]
    assert {group: failed[group]["checks"] for group in failed} == {
        "all": len(MUST | SHOULD | PRODUCTION),
        "MUST": len(MUST),
        "SHOULD": len(SHOULD),
        "production": len(PRODUCTION),
        "known": 0,  # no baseline
    }
    must = failed["MUST"]
    assert must["probes"] > 10 and must["generated_cases"] > 50
    assert (
        report["verdict"]["reason"] == f"{len(MUST)} checks failed on {must['probes']} probes and {must['generated_cases']} generated cases"
    )
    verdict = f"{report['verdict']['name']}: {report['verdict']['reason']}"
    assert all(ran[s][1].stdout.endswith(f"\nVerdict: {verdict}\n") for s in (".json", ".md", ".html"))  # one run, three times
    markdown, html = ran[".md"][0], ran[".html"][0]
    assert f"**Verdict: {report['verdict']['name']}**: {report['verdict']['reason']}" in markdown
    assert f"## MUST: failures to fix ({len(MUST)} checks)" in markdown and f"<h2>MUST: failures to fix ({len(MUST)})</h2>" in html
    assert f"{report['verdict']['reason']}</div>" in html and html.count('class="failure"') == failed["all"]["checks"]
    junit = {p.get("name"): p.get("value") for p in ran["junit"].iter("property") if str(p.get("name")).startswith(("failed.", "verdict"))}
    flat = {f"failed.{group}.{name}": str(n) for group, counts in failed.items() for name, n in counts.items()}
    assert junit == {"verdict": verdict, **flat}
    for block in report["failures"]:  # each block as the terminal prints it
        assert f"[{block['check']}] {block['rule']}" in ran[".json"][1].stdout


def test_html_ranks_the_checks_to_fix_first(ran: dict[str, Any]) -> None:
    report, html = json.loads(ran[".json"][0]), ran[".html"][0]
    ranked = re.findall(r'<li><a href="#check-([\w.-]+)">', html.split('id="fix-first"')[1].split("</ol>")[0])
    assert ranked == [b["check"] for b in report["failures"]]
    must = [b for b in report["failures"] if b["group"] == "MUST"]
    assert [b["probes_failed"] + b["cases_failed"] for b in must] == sorted(
        (b["probes_failed"] + b["cases_failed"] for b in must), reverse=True
    )
    assert (
        'class="verdict VIOLATES"' in html
        and '<a href="#contract%3Aopenapi/schemas/session.schema.json%3A/properties/status/enum">' in html
    )
