"""Editions through rtk-conformance: a run detects, asks for or is served an edition, and judges each body by it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from conformance.mock import MockData, ReferenceMock
from conformance.selftest.mutants import drop, set_to
from conformance.selftest.mutants.kinds import SessionEdit
from tests.conftest import run_cli, target_of
from tests.unit.test_editions import UUID_APP


def test_an_unknown_app_of_the_embedded_target_is_one_line(tmp_path: Path) -> None:
    result = run_cli("run", "--app-id", "no-such-app", cwd=tmp_path)
    assert result.returncode == 2
    apps = f"rtk-reference-mock-app-01, {UUID_APP}"
    assert result.stderr.strip().splitlines() == [
        f"ERROR: the mock has no app no-such-app; its apps: {apps}: leave --app-id out, or give a URL --target"
    ]


@pytest.mark.parametrize("edition", ["documented", "current"])
def test_a_uuid_app_passes_a_default_run_in_both_editions(serve: Any, data: MockData, tmp_path: Path, edition: str) -> None:
    uuid_data = data.for_app(UUID_APP)
    args, env = target_of(serve(ReferenceMock(uuid_data, edition=edition)), uuid_data)
    result = run_cli("run", *args, "--junitxml", str(tmp_path / "out.xml"), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"Edition:  {edition} (detected)" in result.stdout
    assert f"- app_id {UUID_APP} breaks the documented maxLength 32" in result.stdout
    assert "Verdict: CONFORMS WITH ADVISORIES: every MUST check holds; 1 documented contradiction(s), never a failure" in result.stdout
    suite = ElementTree.parse(tmp_path / "out.xml").getroot().find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property") if p.get("name", "").startswith("edition")}
    assert properties == {"edition": edition, "edition_source": "detected"}


@pytest.mark.parametrize(
    ("broken", "failed"), [(set_to("type", "webinar"), "[enums.type]"), (drop("started_at"), "  - required field started_at is missing")]
)
def test_the_current_edition_still_fails_broken_bodies(serve: Any, data: MockData, tmp_path: Path, broken: Any, failed: str) -> None:
    args, env = target_of(serve(SessionEdit(data, broken, edition="current")), data)
    result = run_cli("run", *args, "--", "-m", "not property", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "Edition:  current (detected)" in result.stdout and failed in result.stdout


def test_asking_for_the_wrong_edition_gives_one_failure_per_body(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(ReferenceMock(data, edition="current")), data)
    result = run_cli("run", *args, "--edition", "documented", "--", "-m", "not property", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "Edition:  documented (asked)" in result.stdout
    assert re.findall(r"^\[([\w.-]+)\]", result.stdout, re.M) == ["schema.envelope"]  # one block: no failure per missing field
    assert "\n  failed on 8 probes (" in result.stdout  # each session body, explained once


def test_the_embedded_target_serves_the_asked_edition(tmp_path: Path) -> None:
    result = run_cli("run", "--edition", "current", "--", "-m", "not property", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Target:   embedded reference mock (current edition)" in result.stdout
    assert "Edition:  current (asked)" in result.stdout
