"""The GitHub Action at the repository's root (action.yml), its steps run as GitHub's runner runs them
(tests/e2e/composite.py), in a pull request's job whose checkout holds this repository: against the embedded mock, a
broken mock and the shipped cassette, what the run's page shows (the annotations at the contract's lines, the step
summary), the action's outputs, the reports it uploads, and its exit status.

The suite is not installed by the action here (`install: none`): the runs use this environment's, through its python."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.contract import BASE_PATH
from conformance.mock import MockData
from conformance.selftest.mutants import MUTANTS
from tests.conftest import ROOT, clean_env
from tests.e2e.composite import Ran, run_action

INSTALLED = {"install": "none", "python": sys.executable}
ANNOTATION = re.compile(r"^::(error|warning|notice)(?: (.*?))?::(.*)$", re.MULTILINE)
DEFAULT_REPORTS = ["rtk-conformance-reports/report.json", "rtk-conformance-reports/report.html", "rtk-conformance-reports/junit.xml"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout of this repository, as far as a run reads it: the contract and the shipped cassette."""
    checkout = tmp_path / "workspace"
    shutil.copytree(ROOT / "openapi", checkout / "openapi")
    (checkout / "cassettes").mkdir()
    shutil.copy(ROOT / "cassettes" / "reference-mock.yaml", checkout / "cassettes")
    return checkout


def act(workspace: Path, inputs: dict[str, str], env: dict[str, str] | None = None) -> Ran:
    temp = workspace.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return run_action(ROOT, {**INSTALLED, **inputs}, {**clean_env(), "PATH": path, **(env or {})}, workspace, temp)


def unescaped(text: str) -> str:
    for escaped, character in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, character)
    return text


def annotated(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """(kind, properties, message) of each workflow command that annotates, unescaped."""
    found = []
    for kind, properties, message in ANNOTATION.findall(stdout):
        pairs = [pair.split("=", 1) for pair in properties.split(",")] if properties else []
        found.append((kind, {name: unescaped(value) for name, value in pairs}, unescaped(message)))
    return found


def holds_the_pointed_key(annotation: dict[str, str], message: str, workspace: Path) -> bool:
    """The annotation's file and line hold the key its Contract: pointer ends with."""
    pointer = next(line.split("#", 1)[1] for line in message.splitlines() if line.strip().startswith("Contract: "))
    key = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    line = (workspace / annotation["file"]).read_text().splitlines()[int(annotation["line"]) - 1].strip()
    return line.startswith(f'"{key}":') if annotation["file"].endswith(".json") else line.lstrip("'\"").startswith(key)


def uploaded(ran: Ran) -> list[str]:
    """The paths the upload step is given; it is there, and runs whatever the run's outcome."""
    ((step, given),) = [(step, given) for step, given in ran.uses if step["uses"].startswith("actions/upload-artifact@")]
    assert step["uses"] == "actions/upload-artifact@v4" and str(step["if"]).startswith("always()")
    assert given["if-no-files-found"] == "ignore" and given["name"]
    return given["path"].splitlines()


def test_the_embedded_mock_conforms(workspace: Path) -> None:
    ran = act(workspace, {})
    assert ran.exit_code == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert ran.outputs == {"verdict": "CONFORMS", "verdict-line": "Verdict: CONFORMS: every check holds", "exit-code": "0"}
    assert [kind for kind, _, _ in annotated(ran.stdout)] == []
    assert ran.summary.startswith("# RealtimeKit conformance: CONFORMS\n")
    assert uploaded(ran) == DEFAULT_REPORTS and all((workspace / path).is_file() for path in DEFAULT_REPORTS)
    report = json.loads((workspace / DEFAULT_REPORTS[0]).read_text())
    assert report["verdict"]["name"] == "CONFORMS" and "<html" in (workspace / DEFAULT_REPORTS[1]).read_text()
    assert ran.ran[-1] == "End with the run's exit code"
    assert command_line(ran) == f"rtk-conformance run --report {DEFAULT_REPORTS[0]} --junitxml {DEFAULT_REPORTS[2]}"


def test_a_broken_mock_fails_with_an_error_at_the_enum_it_breaks(serve: Any, data: MockData, workspace: Path) -> None:
    url = serve(MUTANTS["status-paused"].build(data))
    inputs = {"target": url + BASE_PATH, "account-id": data.account_id, "app-id": data.app_id, "session-id": "\n".join(data.session_ids)}
    ran = act(workspace, {**inputs, "report-md": "out/report.md", "junit": ""}, env={"CLOUDFLARE_API_TOKEN": data.token})
    assert ran.exit_code == 1 and ran.ran[-1] == "End with the run's exit code"
    assert ran.outputs["verdict"] == "VIOLATES" and ran.outputs["exit-code"] == "1"
    assert ran.outputs["verdict-line"].startswith("Verdict: VIOLATES: 1 check failed on ")
    found = annotated(ran.stdout)
    errors = [properties for kind, properties, _ in found if kind == "error"]
    (status,) = [properties for properties in errors if properties["title"] == "RealtimeKit conformance: enums.status (MUST)"]
    assert status["file"] == "openapi/schemas/session.schema.json"  # the repository's own contract
    schema = (workspace / status["file"]).read_text().splitlines()
    assert schema[int(status["line"]) - 1].strip() == '"enum": ["LIVE", "ENDED"],'  # status's: the enum the mock breaks
    assert "semantics.present-only-when" in " ".join(p["title"] for kind, p, _ in found if kind == "warning")  # a SHOULD
    assert all(holds_the_pointed_key(properties, message, workspace) for _, properties, message in found)
    assert ran.summary.startswith("# RealtimeKit conformance: VIOLATES\n")
    assert (workspace / "out/report.md").read_text() + "\n" == ran.summary  # rendered from the same JSON report
    assert uploaded(ran) == [*DEFAULT_REPORTS[:2], "out/report.md"]
    assert data.token not in ran.stdout + ran.stderr + ran.summary


@pytest.mark.workflow  # run by .ci/run in the newest environment: the shipped cassette replays only with its generator's versions
def test_the_shipped_cassette_replays(workspace: Path) -> None:
    inputs = {"cassette": "cassettes/reference-mock.yaml", "report-json": "", "junit": "", "report-html": "reports/replay.html"}
    ran = act(workspace, {**inputs, "artifact-name": "conformance-replay"})
    assert ran.exit_code == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert ran.outputs["verdict"] == "CONFORMS" and ran.outputs["exit-code"] == "0"
    assert "answered from the cassette" in ran.summary and [kind for kind, _, _ in annotated(ran.stdout)] == []
    assert uploaded(ran) == ["reports/replay.html"] and (workspace / "reports/replay.html").is_file()
    assert (workspace.parent / "runner-temp" / "rtk-conformance" / "report.json").is_file()  # read, kept out of the artifact


def test_a_run_that_ends_before_a_verdict_says_so_and_fails_with_its_code(workspace: Path) -> None:
    ran = act(workspace, {"cassette": "cassettes/missing.yaml"})
    assert ran.exit_code == 2 and ran.outputs == {
        "verdict": "",
        "verdict-line": "rtk-conformance ended with exit code 2 before a verdict",
        "exit-code": "2",
    }
    assert [(kind, p["title"]) for kind, p, _ in annotated(ran.stdout)] == [("error", "RealtimeKit conformance")]
    assert "no verdict" in ran.summary and uploaded(ran) == DEFAULT_REPORTS  # none there: the upload ignores them


def test_an_install_it_cannot_do_fails_before_the_run(workspace: Path) -> None:
    ran = act(workspace, {"install": "latest; rm -rf /"})
    assert ran.exit_code == 2 and ran.ran == ["Install the suite"] and ran.outputs["exit-code"] == ""
    said = "install is action, none or a version of realtimekit-conformance (e.g. 0.1.0), got: latest; rm -rf /"
    assert annotated(ran.stdout) == [("error", {"title": "RealtimeKit conformance"}, said)]


def test_options_reach_the_run_only_when_set(workspace: Path) -> None:
    """--baseline and --coverage-min (options of later versions) are passed when given, and only then; the extra args
    are split as a shell splits them, after the action's."""
    ran = act(workspace, {"baseline": "known failures.json", "coverage-min": "50", "args": "--seed 3 -- -k 'not property'"})
    assert command_line(ran) == (
        "rtk-conformance run --report rtk-conformance-reports/report.json --baseline known\\ failures.json --coverage-min 50"
        " --junitxml rtk-conformance-reports/junit.xml --seed 3 -- -k not\\ property"
    )


def command_line(ran: Ran) -> str:
    """The command the action printed before it ran it."""
    return next(line for line in ran.stdout.splitlines() if line.startswith("rtk-conformance run "))
