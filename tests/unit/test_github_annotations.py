"""GitHub Actions annotations of a run (conformance/reports/github.py): the line a contract pointer names in a JSON
or YAML file, the file as the annotation names it, GitHub's escaping, and which failures are errors or warnings."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from conformance.contract import Contract, contract_dir
from conformance.reports import github

JSON = """{
  "required": ["status", "id"],
  "properties": {
    "status": {"type": "string",
      "enum": ["LIVE", "ENDED"]},
    "a/b": {"~tilde": [
      {"x": 1},
      {"x": 2}
    ]}
  }
}
"""

YAML = """openapi: 3.1.0
paths:
  /accounts/{id}:
    get:
      responses:
        '200':
          description: ok
        "404": {description: missing}
      tags:
        - one
        - two
"""


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("", 1),
        ("/required", 2),
        ("/required/1", 2),
        ("/properties/status", 4),  # the member's key, not the "status" of the required list above it
        ("/properties/status/enum", 5),
        ("/properties/a~1b/~0tilde", 6),
        ("/properties/a~1b/~0tilde/1", 8),
        ("/properties/a~1b/~0tilde/1/x", 8),
        ("/properties/status/minimum", 4),  # not in the file: its deepest part that is
        ("/nowhere/at/all", 1),
    ],
)
def test_a_json_pointer_names_the_line_of_its_key(pointer: str, line: int) -> None:
    assert github.pointer_line(JSON, ".json", pointer) == line


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("", 1),
        ("/paths/~1accounts~1{id}/get", 4),
        ("/paths/~1accounts~1{id}/get/responses/200/description", 7),
        ("/paths/~1accounts~1{id}/get/responses/404", 8),
        ("/paths/~1accounts~1{id}/get/tags/1", 11),
        ("/paths/~1accounts~1{id}/get/tags/7", 9),
        ("/paths/~1accounts~1{id}/post", 3),
    ],
)
def test_a_yaml_pointer_names_the_line_of_its_key(pointer: str, line: int) -> None:
    assert github.pointer_line(YAML, ".yaml", pointer) == line


def test_every_pointer_into_the_shipped_contract_lands_on_its_key(contract: Contract) -> None:
    pointers = [
        contract.session_property_pointer("status", "enum"),
        contract.session_property_pointer("ended_at", "x-semantics"),
        contract.operation_pointer,
        contract.security_pointer,
        *(failure.pointer for failure in contract.recorded_failures.values()),
    ]
    for pointer in pointers:
        where = github.location(pointer, contract_dir(), None)
        assert where is not None, pointer
        name, line = where
        assert name == "conformance/" + pointer.split("#")[0]
        key = pointer.rsplit("/", 1)[-1]
        text = (contract_dir() / pointer.split("#")[0].removeprefix("openapi/")).read_text().splitlines()[line - 1].strip()
        assert text.startswith((f'"{key}":', f"{key}:")), (pointer, line, text)


def test_a_pointer_without_a_file_of_the_contract_has_no_location() -> None:
    root = contract_dir()
    assert github.location("", root, None) is None
    assert github.location("openapi/schemas/nothing.schema.json#/type", root, None) is None
    assert github.location("openapi/../pyproject.toml", root, None) is None
    assert github.location("elsewhere/session.schema.json#/type", root, None) is None
    assert github.location("openapi/schemas/session.schema.json", root, None) == ("conformance/openapi/schemas/session.schema.json", 1)


def test_the_file_is_the_repositorys_own_when_it_holds_the_same_contract(tmp_path: Path) -> None:
    relative = "schemas/session.schema.json"
    installed = contract_dir() / relative
    assert github.shown_path(installed, relative, None) == "conformance/openapi/" + relative  # not on GitHub
    assert github.shown_path(installed, relative, tmp_path) == "conformance/openapi/" + relative  # another repository
    shutil.copytree(contract_dir(), tmp_path / "openapi")
    assert github.shown_path(installed, relative, tmp_path) == "openapi/" + relative  # this one, installed from it
    assert github.shown_path(tmp_path / "openapi" / relative, relative, tmp_path) == "openapi/" + relative  # editable
    (tmp_path / "openapi" / relative).write_text("{}")
    assert github.shown_path(installed, relative, tmp_path) == "conformance/openapi/" + relative  # changed: lines differ


def test_annotation_data_and_properties_are_escaped() -> None:
    assert github.escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github.escape_property("a: b, c%") == "a%3A b%2C c%25"
    line = github.command("error", 'Received: "x\n::add-mask::y"', {"file": "o,dd:name.json", "line": "3", "title": "t: t"})
    assert line == '::error file=o%2Cdd%3Aname.json,line=3,title=t%3A t::Received: "x%0A::add-mask::y"'
    assert "\n" not in line  # what a target sent cannot start a workflow command of its own


STATUS_ENUM = "openapi/schemas/session.schema.json#/properties/status/enum"


def block(check: str, level: str, group: str, contract: str = STATUS_ENUM) -> dict[str, Any]:
    """A failure block as reports.blocks makes it; what else a later version adds to one is empty here."""
    return defaultdict(
        str,
        {
            "check": check,
            "level": level,
            "group": group,
            "rule": f"the rule of {check}",
            "probes": ["session:s1"],
            "probes_failed": 1,
            "cases_failed": 0,
            "errors": ["an error"],
            "more_errors": 0,
            "received": '"PAUSED"',
            "documented": "one of LIVE, ENDED",
            "contract": contract,
            "request": "curl -sS -X GET 'http://127.0.0.1:8787/x'",
            "reproduce": "",
        },
    )


def report(*blocks: dict[str, Any], name: str = "VIOLATES", reason: str = "1 check failed", exit_code: int = 1) -> dict[str, Any]:
    return {"verdict": {"name": name, "reason": reason, "exit_code": exit_code}, "failures": list(blocks)}


def kinds(lines: list[str]) -> list[str]:
    return [line.split(" ", 1)[0] for line in lines]


def test_must_failures_are_errors_and_advisories_warnings() -> None:
    blocks = [block("enums.status", "MUST", "MUST"), block("semantics.x", "SHOULD", "SHOULD")]
    blocks += [block("production.y", "SHOULD", "production"), block("enums.type", "MUST", "known")]  # named by a baseline: fails no run
    lines = github.annotation_lines(report(*blocks))
    assert kinds(lines) == ["::error", "::warning", "::warning", "::notice"]
    assert kinds(github.annotation_lines(report(*blocks), strict=True)) == ["::error", "::error", "::error", "::notice"]
    schema = (contract_dir() / "schemas" / "session.schema.json").read_text().splitlines()
    status = schema.index('    "status": {')
    line = next(n for n in range(status, len(schema)) if schema[n].strip().startswith('"enum":')) + 1
    assert lines[0] == (
        f"::error file=conformance/openapi/schemas/session.schema.json,line={line},title=RealtimeKit conformance%3A enums.status (MUST)::"
        "[enums.status] the rule of enums.status%0A  failed on 1 probe (session:s1)%0A  - an error%0A"
        '  Received: "PAUSED"%0A  Documented: one of LIVE, ENDED%0A'
        "  Contract: openapi/schemas/session.schema.json#/properties/status/enum%0A  Request: curl -sS -X GET 'http://127.0.0.1:8787/x'"
    )


def test_a_run_without_failures_has_no_annotation_unless_it_fails_anyway() -> None:
    assert github.annotation_lines(report(name="CONFORMS", reason="every check holds", exit_code=0)) == []
    advisory = block("semantics.x", "SHOULD", "SHOULD", contract="")
    reason = "no 200 response was seen, so no session body could be checked"
    assert github.annotation_lines(report(advisory, name="INCONCLUSIVE", reason=reason)) == [
        "::warning title=RealtimeKit conformance%3A semantics.x (SHOULD)::[semantics.x] the rule of semantics.x%0A"
        '  failed on 1 probe (session:s1)%0A  - an error%0A  Received: "PAUSED"%0A  Documented: one of LIVE, ENDED%0A'
        "  Request: curl -sS -X GET 'http://127.0.0.1:8787/x'",
        f"::error title=RealtimeKit conformance%3A INCONCLUSIVE::Verdict: INCONCLUSIVE: {reason}",
    ]


def test_annotations_are_printed_on_lines_of_their_own(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(github.WORKSPACE, raising=False)
    github.print_annotations(report(name="CONFORMS", reason="every check holds", exit_code=0), strict=False)
    assert capsys.readouterr().out == ""
    github.print_annotations(report(block("enums.status", "MUST", "MUST")), strict=False)
    out = capsys.readouterr().out
    assert out.startswith("\n::error file=conformance/openapi/") and out.count("\n") == 2


def test_only_github_actions_turns_them_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(github.ACTIONS, "true")
    assert github.on_actions()
    monkeypatch.setenv(github.ACTIONS, "false")
    assert not github.on_actions()
    monkeypatch.delenv(github.ACTIONS)
    assert not github.on_actions()
