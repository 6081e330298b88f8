"""Known failures with an expiry: a baselined failure passes the gate and shows as known; a new one fails it; an
expired one fails it; one that passes now is to prune. Each said in one line; every report keeps known and new apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from conformance.mock import MockData
from conformance.run.baseline import signature
from conformance.selftest.mutants import MUTANTS
from tests.conftest import run_cli, target_of


def gate(root: str, data: MockData, tmp_path: Path, *extra: str) -> tuple[Any, dict[str, Any]]:
    """A run against `root` with the baseline known.json: its process and its JSON report."""
    args, env = target_of(root, data)
    result = run_cli("run", *args, "--baseline", "known.json", "--report", "report.json", *extra, env=env, cwd=tmp_path)
    return result, json.loads((tmp_path / "report.json").read_text())


def entries(tmp_path: Path) -> list[dict[str, str]]:
    return list(json.loads((tmp_path / "known.json").read_text())["known_failures"])


def test_a_baselined_failure_passes_the_gate_and_shows_as_known(serve: Any, data: MockData, tmp_path: Path) -> None:
    paused = serve(MUTANTS["status-paused"].build(data))
    result, report = gate(paused, data, tmp_path, "--baseline-update")
    assert "rtk-conformance: baseline known.json: wrote 1 known failure(s): 1 added, 0 removed" in result.stderr
    (entry,) = entries(tmp_path)
    assert entry["check"] == "enums.status" and entry["reason"].startswith("added by --baseline-update")

    result, report = gate(paused, data, tmp_path, "--junitxml", "junit.xml")
    assert result.returncode == 0, result.stdout
    assert "Verdict: VIOLATES: 1 known failure (baseline), no new ones" in result.stdout
    assert f"- known: [enums.status] {entry['reason']} (first seen {entry['first_seen']}, expires {entry['expires']})" in result.stdout
    verdict = report["verdict"]
    assert (verdict["name"], verdict["exit_code"]) == ("VIOLATES", 0) and verdict["reason"].startswith(
        "1 known failure (baseline), no new ones"
    )
    assert [b["check"] for b in report["failures"] if b["group"] in ("MUST", "known")] == ["enums.status"]
    assert report["failed"]["known"]["checks"] == 1 and report["failed"]["MUST"]["checks"] == 0
    assert report["baseline"]["new"] == [] and report["baseline"]["prune"] == []
    known = [
        case for case in ElementTree.parse(tmp_path / "junit.xml").iter("testcase") if case.get("name", "").startswith("enums.status@")
    ]
    assert known and all(case.find("skipped") is not None and case.find("failure") is None for case in known)


def test_a_new_failure_fails_the_gate_and_a_fixed_one_is_to_prune(serve: Any, data: MockData, tmp_path: Path) -> None:
    gate(serve(MUTANTS["status-paused"].build(data)), data, tmp_path, "--baseline-update")
    result, report = gate(serve(MUTANTS["drop-id"].build(data)), data, tmp_path)
    assert result.returncode == 1
    assert "- new: [schema.required-fields] fails and is not in known.json: fatal (--baseline-update adds it)" in result.stdout
    assert "- to prune: [enums.status] " in result.stdout and "its check ran and passed: remove it" in result.stdout
    assert report["verdict"]["name"] == "VIOLATES" and "known" not in {b["group"] for b in report["failures"]}

    gate(serve(MUTANTS["drop-id"].build(data)), data, tmp_path, "--baseline-update")  # accepts the new, prunes the fixed
    assert [e["check"] for e in entries(tmp_path)] == ["schema.required-fields"]


def test_an_expired_entry_fails_the_gate_again(serve: Any, data: MockData, tmp_path: Path) -> None:
    paused = serve(MUTANTS["status-paused"].build(data))
    gate(paused, data, tmp_path, "--baseline-update")
    (entry,) = entries(tmp_path)
    (tmp_path / "known.json").write_text(json.dumps({"known_failures": [{**entry, "expires": "2020-01-31"}]}))
    result, report = gate(paused, data, tmp_path)
    assert result.returncode == 1
    assert "past its day, fatal again; fix it, or move its expires" in result.stdout
    assert report["verdict"]["reason"].startswith("1 check failed on ")
    (block,) = [b for b in report["failures"] if b["check"] == "enums.status"]
    assert block["group"] == "MUST" and block["baseline"].startswith("EXPIRED: [enums.status]")
    gate(paused, data, tmp_path, "--baseline-update")
    assert entries(tmp_path)[0]["expires"] == "2020-01-31"  # an update never moves an expiry


def test_the_signature_is_the_contract_fact_not_the_bytes() -> None:
    fact = {"contract": "openapi/schemas/session.schema.json#/properties/status", "documented": "LIVE or ENDED"}
    assert signature("enums.status", {**fact, "received": "PAUSED"}) == signature("enums.status", {**fact, "received": "paused"})
    assert signature("enums.status", fact) != signature("enums.type", fact)
    assert signature("enums.status", fact) != signature("enums.status", {**fact, "contract": "elsewhere"})


def test_a_baseline_that_cannot_be_used_is_one_line_before_anything_is_sent(tmp_path: Path) -> None:
    cases = {
        "missing.json": "baseline missing.json: No such file or directory (--baseline-update creates it)",
        "broken.json": "baseline broken.json: not JSON: ",
        "shape.json": 'baseline shape.json: /known_failures/0: "signature" is a required property',
        "check.json": "baseline check.json: /known_failures/0/check: no check 'enums.nothing' (`rtk-conformance checks` lists them)",
        "day.json": "baseline day.json: /known_failures/0/expires: '2026-02-30' is no day (YYYY-MM-DD)",
    }
    entry = {"check": "enums.status", "signature": "0123456789abcdef", "reason": "r", "first_seen": "2026-01-01", "expires": "2026-02-01"}
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "shape.json").write_text(json.dumps({"known_failures": [{"check": "enums.status"}]}))
    (tmp_path / "check.json").write_text(json.dumps({"known_failures": [{**entry, "check": "enums.nothing"}]}))
    (tmp_path / "day.json").write_text(json.dumps({"known_failures": [{**entry, "expires": "2026-02-30"}]}))
    for name, said in cases.items():
        result = run_cli("run", "--baseline", name, cwd=tmp_path)
        assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr, (name, result.stderr)
        assert "Requests:" not in result.stdout


def test_baseline_update_needs_a_baseline(tmp_path: Path) -> None:
    result = run_cli("run", "--baseline-update", cwd=tmp_path)
    assert result.returncode == 2 and "--baseline-update needs --baseline PATH: the file to write" in result.stderr
