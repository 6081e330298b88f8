"""Situation coverage: the embedded mock shows every situation a run can provoke; a mock that only ever answers one
LIVE session fails --coverage-min 80, each situation it never showed named; the rows come from the contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.checks.situations import situations
from conformance.contract import load_contract
from conformance.mock import MockData, ReferenceMock, Reply, Request
from tests.conftest import run_cli, target_of


def report_of(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Any, dict[str, Any]]:
    result = run_cli("run", *args, "--report", "report.json", env=env, cwd=tmp_path)
    return result, json.loads((tmp_path / "report.json").read_text())


def test_the_embedded_mock_shows_every_situation_a_run_provokes(tmp_path: Path) -> None:
    result, report = report_of(tmp_path, "--coverage-min", "100")
    table = report["coverage"]
    counted = [row for row in table["rows"] if not row["left_out"]]
    assert result.returncode == 0 and all(row["seen"] for row in counted), [r["id"] for r in counted if not r["seen"]]
    assert table["from"] == "the embedded mock" and table["percent"] == 100
    left_out = {row["id"]: row["left_out"] for row in table["rows"] if row["left_out"]}
    assert set(left_out) == {"failure:429:971", "failure:404:7000", "edition:current"}
    assert left_out["edition:current"] == "a target serves one edition; this run's is documented"
    assert f"Coverage: {len(counted)} of {len(counted)} situations seen (100%), from the embedded mock; 3 not counted" in result.stdout


class OneLiveSession(ReferenceMock):
    """A vendor's quick stub: whatever is asked, the same LIVE meeting session, 200."""

    def respond(self, request: Request) -> Reply:
        (session,) = [s for s in self.data.sessions if s["status"] == "LIVE" and s["type"] == "meeting"]
        return Reply(200, {"success": True, "data": {"session": {**session, "breakout_rooms": []}}})


def test_a_mock_answering_one_live_session_fails_coverage_min_with_each_missing_situation_named(
    serve: Any, data: MockData, tmp_path: Path
) -> None:
    args, env = target_of(serve(OneLiveSession(data)), data)
    result, report = report_of(tmp_path, *args, "--coverage-min", "80", env=env)
    table = report["coverage"]
    missing = [row["id"] for row in table["rows"] if not row["left_out"] and not row["seen"]]
    assert result.returncode == 1 and table["percent"] < 80
    assert {"session:ENDED:meeting", "breakout-rooms:listed", "failure:403:9109", "failure:404:404"} <= set(missing)
    reason = f"the run saw {table['percent']}% of the situations, below --coverage-min 80; never seen: {', '.join(missing)}"
    assert reason in report["verdict"]["reason"]
    for situation in missing:
        assert f"- never seen: {situation}: " in result.stdout


def test_a_target_that_conforms_on_what_it_showed_is_inconclusive_below_the_minimum(tmp_path: Path) -> None:
    """Two sessions of the embedded mock show too few situations for --coverage-min 100: not CONFORMS."""
    result, report = report_of(tmp_path, "--session-id", "90c192cf-d3ac-44af-8f21-ddb66cad4a26", "--coverage-min", "100")
    assert result.returncode == 1 and report["verdict"]["name"] == "INCONCLUSIVE"
    assert report["verdict"]["reason"].startswith("the run saw ") and "session:LIVE:meeting" in report["verdict"]["reason"]


def test_a_situation_marked_unreachable_is_not_counted(tmp_path: Path) -> None:
    (tmp_path / "rtk-conformance.toml").write_text('unreachable = ["session:LIVE:livestream"]\n')
    _, report = report_of(tmp_path)
    (row,) = [row for row in report["coverage"]["rows"] if row["id"] == "session:LIVE:livestream"]
    assert row["left_out"] == "marked unreachable (--unreachable)"
    result = run_cli("run", "--unreachable", "session:PAUSED:meeting", cwd=tmp_path)
    assert result.returncode == 2 and "unreachable: no situation 'session:PAUSED:meeting'" in result.stderr


@pytest.mark.parametrize("edition", ["documented", "current"])
def test_the_situations_are_the_contracts_facts(edition: str) -> None:
    contract = load_contract(edition)
    ids = {s.id for s in situations(edition)}
    enums = contract.enum_fields()
    assert {f"session:{status}:{kind}" for status in enums["status"] for kind in enums["type"]} <= ids
    assert {f"edition:{name}" for name in contract.editions} <= ids
    codes = {f.status for f in contract.recorded_failures.values()}
    assert codes == {int(i.split(":")[1]) for i in ids if i.startswith("failure:")}
    assert {f"parameter:{name}:{where}" for name in contract.max_lengths() for where in ("at-limit", "past-limit")} <= ids
    assert all(s.source in ("observed", "documented", "inferred") and s.contract.startswith("openapi/") for s in situations(edition))
