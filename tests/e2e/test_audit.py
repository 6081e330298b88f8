"""`rtk-conformance audit`: the five formats in one folder give one verdict; every impossible exchange is named with its
file, its location and the fake's line, the same in every format; an audit of a run's recording fails the checks
the run failed; an exchange on another endpoint is left alone; a file that cannot be read is one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from conformance.mock import MockData
from conformance.selftest.mutants import MUTANTS
from tests.conftest import ROOT, run_cli, target_of

FIXTURES = Path(__file__).parents[1] / "fixtures" / "audit"
FORMATS = {"har", "mockoon", "ndjson", "vcrpy", "wiremock"}


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One audit of the fixtures' folder, in every report format."""
    folder = tmp_path_factory.mktemp("audit")
    shutil.copytree(FIXTURES, folder / "recordings")
    outputs: dict[str, Any] = {}
    for suffix in (".json", ".md", ".html"):
        result = run_cli("audit", "recordings", "--report", f"report{suffix}", "--junitxml", "junit.xml", cwd=folder)
        outputs[suffix] = (folder / f"report{suffix}").read_text()
        outputs["result"] = result
    outputs["junit"] = ElementTree.parse(folder / "junit.xml").getroot()
    return outputs


def test_every_format_in_one_folder_gives_one_verdict(audited: dict[str, Any]) -> None:
    result, report = audited["result"], json.loads(audited[".json"])
    assert result.returncode == 1 and report["verdict"]["name"] == "VIOLATES" and "Traceback" not in result.stderr
    sources = {judged["label"].split("/")[1] for judged in report["audit"]["judged"]}
    assert sources == FORMATS and report["audit"]["files"] == 7
    assert "Audited:  7 files, 27 exchanges: 27 on this endpoint" in result.stdout


def test_each_impossible_exchange_is_named_with_its_file_location_and_fake_line_in_every_format(audited: dict[str, Any]) -> None:
    report = json.loads(audited[".json"])
    impossible = [j for j in report["audit"]["judged"] if j["verdict"] == "impossible in production"]
    assert impossible and all(j["fake"].startswith("fake.") for j in impossible)
    revoked = next(j for j in impossible if "revoked-token.json: mapping c4a1e7b2" in j["label"])
    assert revoked["failed"] == ["errors.failure-body"] and revoked["fake"] == 'fake.fail_next("invalid-token")'
    junit = {case.get("name"): case for case in audited["junit"].iter("testcase")}
    for judged in impossible:
        line = f"- IMPOSSIBLE IN PRODUCTION: {judged['label']}: {', '.join(judged['failed'])}; on the fake: {judged['fake']}"
        assert line in audited["result"].stdout
        assert f"| {judged['label']} | impossible in production |" in audited[".md"]
        assert judged["fake"].replace('"', "&quot;") in audited[".html"]
        assert junit[judged["label"]].find("failure") is not None


def test_a_recording_of_the_reference_mock_conforms(tmp_path: Path) -> None:
    result = run_cli("audit", str(ROOT / "cassettes" / "reference-mock.yaml"), cwd=tmp_path)
    assert result.returncode == 0 and "Verdict: CONFORMS" in result.stdout and "impossible in production)" in result.stdout


@pytest.mark.parametrize("mutant", ["status-paused", "long-account-accepted", "html-error-page"])
def test_an_audit_of_a_runs_recording_fails_the_checks_the_run_failed(mutant: str, serve: Any, data: MockData, tmp_path: Path) -> None:
    """Every MUST check the run failed that judges what an exchange shows: the checks that need the run's own
    arrangement (that a session exists, that an id at its limit names none) are not an audit's."""
    from conformance.audit.judge import NEEDS_THE_RUNS_ARRANGEMENT

    args, env = target_of(serve(MUTANTS[mutant].build(data)), data)
    run_cli("run", *args, "--cassette", "run.yaml", "--record-mode", "once", "--report", "run.json", env=env, cwd=tmp_path)
    result = run_cli("audit", "run.yaml", "--report", "audit.json", cwd=tmp_path)
    ran, audited = (json.loads((tmp_path / name).read_text()) for name in ("run.json", "audit.json"))
    must = [{b["check"] for b in report["failures"] if b["group"] == "MUST"} - set(NEEDS_THE_RUNS_ARRANGEMENT) for report in (ran, audited)]
    assert must[0] == must[1] and must[0] and result.returncode == 1


def test_an_exchange_on_another_endpoint_is_counted_and_left_alone(tmp_path: Path) -> None:
    lines = [
        {
            "request": {"method": "GET", "url": "https://api.cloudflare.com/client/v4/user/tokens/verify"},
            "response": {"status": 500, "body": ""},
        },
    ]
    (tmp_path / "other.ndjson").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = run_cli("audit", "other.ndjson", cwd=tmp_path)
    assert "Audited:  1 file, 1 exchange: 0 on this endpoint" in result.stdout and "1 on others, left alone" in result.stdout
    assert result.returncode == 1 and "INCONCLUSIVE" in result.stdout  # nothing on this endpoint: nothing concluded


def test_a_file_that_cannot_be_read_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "broken.har").write_text('{"log": {"entries": [{"request": {}}]}}')
    result = run_cli("audit", "broken.har", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("rtk-conformance: error: broken.har")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
