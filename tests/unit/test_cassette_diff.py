"""`rtk-conformance diff`: what production answers that changed between two recordings, as facts, not bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from conformance.cassettes.diff import changes, recorded
from tests.conftest import ROOT

SHIPPED = ROOT / "cassettes" / "reference-mock.yaml"


def edited(tmp_path: Path, edit: Any) -> Path:
    """The shipped cassette with each interaction edited (the request and the response, as plain data)."""
    cassette = yaml.safe_load(SHIPPED.read_text())
    for interaction in cassette["interactions"]:
        edit(interaction["response"])
    path = tmp_path / "new.yaml"
    path.write_text(yaml.safe_dump(cassette))
    return path


def revoked_token_answers_10000(response: dict[str, Any]) -> None:
    body = json.loads(response["body"]["string"])
    if response["status"]["code"] == 403 and body["errors"][0]["code"] == 9109:
        body["errors"][0].update(code=10000, message="Authentication error")
        response["body"]["string"] = json.dumps(body)


def meta_reappears_and_the_edition_changes(response: dict[str, Any]) -> None:
    body = json.loads(response["body"]["string"])
    if response["status"]["code"] == 200 and "session" in body.get("data", {}):
        response["body"]["string"] = json.dumps({"success": True, "data": {**body["data"]["session"], "meta": {}}})


def facts_changed(tmp_path: Path, edit: Any) -> list[str]:
    return [line.split(": ")[0] for line in changes(recorded(SHIPPED, 1 << 24), recorded(edited(tmp_path, edit), 1 << 24))]


def test_the_same_recording_has_the_same_facts() -> None:
    assert changes(recorded(SHIPPED, 1 << 24), recorded(SHIPPED, 1 << 24)) == []


def test_a_revoked_token_that_answers_another_code_is_one_fact(tmp_path: Path) -> None:
    assert facts_changed(tmp_path, revoked_token_answers_10000) == ["answered 403 with code 9109, now 403 with code 10000"]


def test_meta_back_and_another_edition_are_said_once_each_however_many_answers(tmp_path: Path) -> None:
    assert facts_changed(tmp_path, meta_reappears_and_the_edition_changes) == [
        "the 200 body was in the documented edition, now the current",
        "session field meta appeared",  # the sessions that had none; three of the seeded ones have one
    ]
