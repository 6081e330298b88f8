"""rtk-conformance drift as users run it: the official spec's known differences, new ones in synthetic upstream
documents, and documents it cannot use."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import OFFICIAL, run_cli
from tests.unit.test_drift import KNOWN, PATH


def test_the_official_excerpt_has_only_known_differences(tmp_path: Path) -> None:
    result = run_cli("drift", str(OFFICIAL), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert [line.split(None, 1)[1] for line in result.stdout.splitlines() if line.startswith("known ")] == KNOWN
    assert result.stdout.splitlines()[-1] == "8 difference(s): 8 known, 0 new"
    assert "why:      Real app ids are 36-character UUIDs" in result.stdout


def session_schema(document: dict[str, Any]) -> Any:
    return document["components"]["schemas"]["realtimekit_ActiveSession"]


def operation(document: dict[str, Any]) -> Any:
    return document["paths"][PATH]["get"]


def add_required_field(document: dict[str, Any]) -> None:
    session = session_schema(document)
    session["properties"]["recording_id"] = {"type": "string"}
    session["required"].append("recording_id")


def change_enum(document: dict[str, Any]) -> None:
    session_schema(document)["properties"]["status"]["enum"].append("PAUSED")


def remove_parameter(document: dict[str, Any]) -> None:
    get = operation(document)
    get["parameters"] = [p for p in get["parameters"] if p["name"] != "include_breakout_rooms"]


def another_security_scheme(document: dict[str, Any]) -> None:
    operation(document)["security"] = [{"api_email": [], "api_key": []}, {"api_token": []}]


def change_a_type(document: dict[str, Any]) -> None:
    session_schema(document)["properties"]["live_participants"]["type"] = "string"


@pytest.mark.parametrize(
    ("edit", "facts"),
    [
        (add_required_field, ["session required", "session field recording_id"]),
        (change_enum, ["session field status"]),
        (remove_parameter, ["parameter include_breakout_rooms"]),
        (another_security_scheme, ["security"]),
        (change_a_type, ["session field live_participants"]),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_a_new_difference_exits_1(official: dict[str, Any], tmp_path: Path, edit: Callable[[Any], None], facts: list[str]) -> None:
    changed = copy.deepcopy(official)
    edit(changed)
    upstream = tmp_path / "upstream.json"
    upstream.write_text(json.dumps(changed))
    result = run_cli("drift", str(upstream), cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert [line.split(None, 1)[1] for line in result.stdout.splitlines() if line.startswith("NEW ")] == facts
    assert result.stdout.splitlines()[-1] == f"{8 + len(facts)} difference(s): 8 known, {len(facts)} new"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "cannot read {path} as an OpenAPI document (JSONDecodeError)"),
        ('{"openapi": "3.1.0"}', "{path} is not an OpenAPI document: it has no paths"),
        ('{"openapi": "3.1.0", "paths": {}}', "{path} has no GET " + PATH.replace("{", "{{").replace("}", "}}")),
    ],
)
def test_an_unusable_document_is_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    upstream = tmp_path / "upstream.json"
    upstream.write_text(content)
    result = run_cli("drift", str(upstream), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["rtk-conformance: error: " + message.format(path=upstream)]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "#/components/schemas/Nowhere",
            "cannot follow $ref #/components/schemas/Nowhere from https://upstream.invalid/spec: PointerToNowhere",
        ),
        ("other.yaml#/Session", "only local $refs can be followed, not other.yaml#/Session"),
    ],
)
def test_a_ref_that_cannot_be_followed_is_one_line_and_exit_2(official: dict[str, Any], tmp_path: Path, ref: str, message: str) -> None:
    broken = copy.deepcopy(official)
    (operation,) = (methods["get"] for methods in broken["paths"].values())
    operation["responses"]["200"] = {"$ref": ref}
    upstream = tmp_path / "upstream.json"
    upstream.write_text(json.dumps(broken))
    result = run_cli("drift", str(upstream), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["rtk-conformance: error: " + message]
