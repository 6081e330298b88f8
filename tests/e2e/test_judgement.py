"""Right on servers nobody here wrote: any status is an answer to judge, no engine sends a request the run does not own,
a documented side of a contradiction is judged by that side, and every failure is one rule, at one level, in one block
whose request line reproduces the answer that was judged."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import httpx

from conformance.checks import REGISTRY
from conformance.contract import BASE_PATH
from conformance.mock import MockData, ReferenceMock, Reply, Request
from conformance.selftest.mutants import MUTANTS
from tests.conftest import run_cli, target_of
from tests.e2e.faults import answer, fault_server
from tests.e2e.test_vendor import DozenDefects

UUID_APP_ID = "14a396e7-ca44-4937-bf1f-050a69118543"  # a real app id: 36 characters, past the documented 32
MULTIPART = "multipart/form-data"


def run_against(root: str, data: MockData, tmp_path: Path, *extra: str, app_id: str = "") -> tuple[Any, dict[str, Any]]:
    """The run's process and its JSON report."""
    args, env = target_of(root, data)
    if app_id:
        args[args.index("--app-id") + 1] = app_id
    result = run_cli("run", *args, "--report", "report.json", *extra, env=env, cwd=tmp_path)
    return result, json.loads((tmp_path / "report.json").read_text())


def failing(report: dict[str, Any], group: str = "") -> set[str]:
    return {b["check"] for b in report["failures"] if not group or b["group"] == group}


def never_the_suites_fault(result: Any) -> None:
    assert "the suite itself failed" not in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_a_status_of_999_is_an_answer_to_judge_never_a_crash(data: MockData, tmp_path: Path) -> None:
    with fault_server(answer("999 Whatever", b'{"success": true}')) as root:
        result, report = run_against(root, data, tmp_path)
    never_the_suites_fault(result)
    assert (result.returncode, report["verdict"]["name"]) == (1, "VIOLATES")
    assert "errors.no-server-error" in failing(report, "MUST") and report["counts"]["requests"]["9xx"] > 300


class ServerErrorOnMultipart(ReferenceMock):
    """The reference mock, but a GET with a multipart Content-Type and no boundary crashes it (WireMock's Jetty does)."""

    def __init__(self, data: MockData) -> None:
        super().__init__(data)
        self.content_types: list[str] = []

    def respond(self, request: Request) -> Reply:
        self.content_types.append(request.headers.get("content-type", ""))
        if request.headers.get("content-type", "").startswith(MULTIPART):
            return Reply(500, b"<html><body>HTTP ERROR 500</body></html>", {}, "text/html")
        return super().respond(request)


def test_a_500_to_a_malformed_content_type_is_counted_and_judged_and_schemathesiss_own_request_is_the_runs(
    serve: Any, data: MockData, tmp_path: Path
) -> None:
    """schemathesis's content-type probe sends a control request of its own: it goes through the run's transport (to
    the target, counted), and the 500 is errors.no-server-error's, counted as a 5xx in every format."""
    mock = ServerErrorOnMultipart(data)
    result, report = run_against(serve(mock), data, tmp_path)
    never_the_suites_fault(result)
    assert (result.returncode, report["verdict"]["name"]) == (1, "VIOLATES")
    assert failing(report, "MUST") == {"errors.no-server-error", "errors.failure-body", "errors.json-content-type"}  # an HTML page
    assert report["counts"]["requests"]["5xx"] >= 1 and any(row[5] for row in report["property_table"]["rows"])  # the 5xx column
    controls = re.search(r", (\d+) control requests? of schemathesis's checks\)", report["requests_line"])
    assert controls is not None and int(controls[1]) >= 1, report["requests_line"]
    sent = int(re.search(r"; (\d+) sent", report["requests_line"])[1])  # type: ignore[index]
    assert sent == len(mock.content_types)  # every request the target got, the control requests included, was the run's


class ServerErrorToValidRequests(ReferenceMock):
    """Refuses what is malformed as the reference mock does, and answers 500 to every request it would have served."""

    def found(self, request: Request, params: dict[str, str]) -> Reply:
        return Reply(500, {"success": False, "errors": [{"code": 1000, "message": "Internal error"}]})


def test_a_target_that_answers_every_valid_request_with_a_5xx_violates_though_no_200_was_seen(
    serve: Any, data: MockData, tmp_path: Path
) -> None:
    result, report = run_against(serve(ServerErrorToValidRequests(data)), data, tmp_path)
    never_the_suites_fault(result)
    assert (result.returncode, report["verdict"]["name"]) == (1, "VIOLATES")
    assert "errors.no-server-error" in failing(report, "MUST")


class DocumentedLimitOnly(ReferenceMock):
    """Takes the documentation's side of the app id contradiction: any app id past 32 characters is refused (400), UUIDs
    too, with Cloudflare's body for an identifier it cannot route; otherwise the reference mock."""

    def identifiers(self, request: Request, params: dict[str, str]) -> Reply | None:
        if len(params["app_id"]) > self.max_lengths["app_id"]:
            return self.recorded("unroutable-identifier")
        return super().identifiers(request, params)


def test_a_target_that_refuses_every_real_app_id_is_inconclusive_naming_the_contradiction(
    serve: Any, data: MockData, tmp_path: Path
) -> None:
    """It rejects every request because the app id is past the documented 32: one line, INCONCLUSIVE, naming the
    contradiction and what to pass instead; never a MUST failure that blames another parameter."""
    result, report = run_against(serve(DocumentedLimitOnly(data)), data, tmp_path, app_id=UUID_APP_ID)
    never_the_suites_fault(result)
    assert (result.returncode, report["verdict"]["name"]) == (1, "INCONCLUSIVE")
    assert failing(report, "MUST") == set() and "params.at-max-length" not in failing(report)
    reason = report["verdict"]["reason"]
    assert reason.startswith("no 200 response was seen, so no session body could be checked; every session request got 400")
    assert f"app_id {UUID_APP_ID} breaks the documented maxLength 32" in reason and "run with a --app-id the documentation allows" in reason


def test_the_edition_is_detected_from_a_generated_case_when_no_probe_got_a_200(serve: Any, data: MockData, tmp_path: Path) -> None:
    """The probes carry the real app id, which this target refuses; generated cases with shorter app ids reach it,
    and their flat 200 bodies settle the edition: never 'assumed' once a 200 was seen."""

    class FlatAnyApp(DocumentedLimitOnly):
        """The current edition, and any app id within 32 characters is the seeded app."""

        def found(self, request: Request, params: dict[str, str]) -> Reply:
            return super().found(request, {**params, "app_id": self.data.app_id})

    result, report = run_against(serve(FlatAnyApp(data, edition="current")), data, tmp_path, app_id=UUID_APP_ID)
    never_the_suites_fault(result)
    assert report["edition"] == {"name": "current", "source": "detected from a generated case: no probe got a 200 body"}
    assert "schema.envelope" not in failing(report)


def test_every_block_is_one_rule_at_its_level_and_its_request_reproduces_the_answer_judged(
    serve: Any, data: MockData, tmp_path: Path
) -> None:
    """Whichever engine found a failure (an explicit check, a generated case, schemathesis): our rule, at its level,
    with Received, Documented, Contract, and a curl line whose request gets the answer the block shows."""
    levels = {check.id: check.level for check in REGISTRY}
    mock = DozenDefects(data)
    root = serve(mock)
    _, report = run_against(root, data, tmp_path)
    assert report["failures"]
    for block in report["failures"]:
        assert block["check"] in levels and block["level"] == levels[block["check"]], block["check"]
        assert all(block[part] for part in ("received", "documented", "contract", "request")), block["check"]
        assert reproduced(block["received"], resend(block["request"], data.token)), (block["check"], block["request"])
    entries = {(entry["id"], entry["level"]) for entry in report["checks"]}
    assert all(level == levels[check] for check, level in entries)  # no rule at two levels, probes and cases alike


def reproduced(received: str, answer: httpx.Response) -> bool:
    """Whether an answer is the one a block shows as received: its status, its Content-Type, or what its body holds."""
    if received.startswith("HTTP "):
        return received.startswith(f"HTTP {answer.status_code}")
    if received.startswith("Content-Type "):
        return received.startswith(f"Content-Type {answer.headers.get('content-type')}:")
    value = received.split(" at /")[0].removesuffix("...")
    return value.startswith("an object without ") or value in answer.text or value in json.dumps(answer.json(), sort_keys=True)


def resend(curl: str, token: str) -> httpx.Response:
    """The request a report's curl line makes, sent as a user pasting it would (the token from the environment)."""
    words = shlex.split(curl.replace("$CLOUDFLARE_API_TOKEN", token))
    method, url = words[words.index("-X") + 1], words[4]
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    return httpx.request(method, url, headers=headers)


def test_a_mutant_caught_by_both_engines_is_one_block(serve: Any, data: MockData, tmp_path: Path) -> None:
    """A 33-character id accepted: the probe and the generated cases that send one are one block, params.max-length, at MUST."""
    _, report = run_against(serve(MUTANTS["long-account-accepted"].build(data)), data, tmp_path)
    (block,) = [b for b in report["failures"] if b["check"] == "params.max-length"]
    assert block["level"] == "MUST" and block["probes"] == ["too-long:account_id"] and block["cases_failed"] > 0
    assert all(error.startswith("a 33-character account_id (") for error in block["errors"])
    assert [b["check"] for b in report["failures"] if b["check"].startswith("schemathesis")] == []
    assert BASE_PATH in block["request"]
