"""A composite action's steps run as GitHub's runner runs them, without GitHub: its inputs (with their defaults), the
`${{ }}` expressions its steps use, each `shell: bash` step as `bash --noprofile --norc -eo pipefail` with a file of its
own for GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STEP_SUMMARY, the conditions `if:` sets, and its outputs. A `uses:` step
is not run: it is kept, its `with:` evaluated, for the test to look at.

The expressions understood are the few an action needs (contexts inputs, github, runner, steps; literals; == != && ||;
always() success() failure()); any other fails the test, so that the action cannot outgrow what is tested here."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import OUTER_BOUND

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TOKEN = re.compile(r"\s*(\|\||&&|==|!=|!|\(|\)|(?:always|success|failure|cancelled)\(\)|'(?:[^']|'')*'|[A-Za-z_][\w.-]*)")
STATUS_FUNCTIONS = ("always()", "success()", "failure()", "cancelled()")


@dataclass
class Ran:
    """What the action did: its exit status (that of its first failed step, else 0), its outputs, what its steps
    printed, the step summary, and the `uses:` steps it would have run, their `with:` evaluated."""

    exit_code: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    summary: str = ""
    uses: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # the names of the steps that ran, `uses:` ones included


@dataclass
class Contexts:
    inputs: dict[str, str]
    github: dict[str, str]
    runner: dict[str, str]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    failed: bool = False

    def lookup(self, path: str) -> str:
        head, *rest = path.split(".")
        if head == "inputs":
            return self.inputs[rest[0]]  # a KeyError: the action uses an input it does not declare
        if head in ("github", "runner"):
            return {"github": self.github, "runner": self.runner}[head][rest[0]]
        if head == "steps" and len(rest) == 3 and rest[1] == "outputs":
            return str(self.steps.get(rest[0], {}).get("outputs", {}).get(rest[2], ""))  # GitHub: '' when not set
        raise AssertionError(f"an expression this runner does not know: {path}")


def evaluate(expression: str, contexts: Contexts) -> Any:
    """The value of one expression (without its ${{ }})."""
    tokens = TOKEN.findall(expression)
    assert "".join(tokens).replace(" ", "") == expression.replace(" ", ""), f"cannot read the expression {expression!r}"
    value, rest = _either(tokens, contexts)
    assert not rest, f"cannot read the expression {expression!r}"
    return value


def _either(tokens: list[str], contexts: Contexts) -> tuple[Any, list[str]]:
    value, tokens = _both(tokens, contexts)
    while tokens[:1] == ["||"]:
        other, tokens = _both(tokens[1:], contexts)
        value = value or other
    return value, tokens


def _both(tokens: list[str], contexts: Contexts) -> tuple[Any, list[str]]:
    value, tokens = _compared(tokens, contexts)
    while tokens[:1] == ["&&"]:
        other, tokens = _compared(tokens[1:], contexts)
        value = value and other
    return value, tokens


def _compared(tokens: list[str], contexts: Contexts) -> tuple[Any, list[str]]:
    value, tokens = _term(tokens, contexts)
    if tokens[:1] in (["=="], ["!="]):
        other, rest = _term(tokens[1:], contexts)
        return (str(value) == str(other)) == (tokens[0] == "=="), rest
    return value, tokens


def _term(tokens: list[str], contexts: Contexts) -> tuple[Any, list[str]]:
    token, rest = tokens[0], tokens[1:]
    if token == "!":
        value, rest = _term(rest, contexts)
        return not value, rest
    if token == "(":
        value, rest = _either(rest, contexts)
        assert rest[:1] == [")"]
        return value, rest[1:]
    if token in STATUS_FUNCTIONS:
        return {"always()": True, "success()": not contexts.failed, "failure()": contexts.failed, "cancelled()": False}[token], rest
    if token.startswith("'"):
        return token[1:-1].replace("''", "'"), rest
    return contexts.lookup(token), rest


def substituted(text: Any, contexts: Contexts) -> str:
    """A value with each ${{ }} replaced by its value, as text (true and false as GitHub writes them)."""
    return EXPRESSION.sub(lambda found: _text(evaluate(found.group(1), contexts)), str(text))


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def runs(condition: Any, contexts: Contexts) -> bool:
    """Whether a step runs: `if:` with or without ${{ }}; without a status function, success() is implied."""
    expression = EXPRESSION.sub(lambda found: found.group(1), str(condition or "success()"))
    if not any(function in expression for function in STATUS_FUNCTIONS):
        expression = f"success() && ({expression})"
    return bool(evaluate(expression, contexts))


def file_commands(path: Path) -> dict[str, str]:
    """What a step wrote to GITHUB_OUTPUT or GITHUB_ENV: name=value lines and name<<DELIMITER blocks."""
    found: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines()) if path.exists() else iter([])
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            found[name] = "\n".join(iter(lambda: next(lines), delimiter))
        elif line:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def run_action(action: Path, inputs: dict[str, str], env: dict[str, str], workspace: Path, temp: Path) -> Ran:
    """The action at `action` (its action.yml), as a step `uses:` it `with: inputs`, `env: env` would run it, in a job
    whose checkout is `workspace`; `env` is the whole environment its steps get, besides what a runner sets."""
    spec = yaml.safe_load((action / "action.yml").read_text())
    declared = spec["inputs"]
    assert set(inputs) <= set(declared), f"inputs the action does not declare: {set(inputs) - set(declared)}"
    values = {name: str(inputs.get(name, declared[name].get("default", ""))) for name in declared}
    contexts = Contexts(values, {"action_path": str(action), "workspace": str(workspace)}, {"temp": str(temp)})
    ran, added_env = Ran(), dict[str, str]()
    event = temp / "event.json"  # what a pull request's run gets: a few of its fields
    event.write_text(json.dumps({"action": "opened", "number": 1, "pull_request": {"number": 1, "head": {"sha": "0" * 40}}}))
    runner_env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "RUNNER_TEMP": str(temp),
    }
    for number, step in enumerate(spec["runs"]["steps"]):
        if not runs(step.get("if"), contexts):
            continue
        ran.ran.append(step.get("name", step.get("uses", "")))
        if "uses" in step:
            ran.uses.append((step, {name: substituted(value, contexts) for name, value in step.get("with", {}).items()}))
            continue
        assert step.get("shell") == "bash", f"step {step.get('name')}: only shell: bash steps are run here"
        files = {name: temp / f"step-{number}.{name.lower()}" for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            path.write_text("")
        script = temp / f"step-{number}.sh"
        script.write_text(substituted(step["run"], contexts))
        step_env = {name: substituted(value, contexts) for name, value in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env={**env, **added_env, **runner_env, **{name: str(path) for name, path in files.items()}, **step_env},
            cwd=workspace,
            capture_output=True,
            text=True,
            timeout=OUTER_BOUND,
        )
        ran.stdout, ran.stderr = ran.stdout + done.stdout, ran.stderr + done.stderr
        ran.summary += files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
        added_env.update(file_commands(files["GITHUB_ENV"]))
        if "id" in step:
            contexts.steps[step["id"]] = {"outputs": file_commands(files["GITHUB_OUTPUT"])}
        if done.returncode and not contexts.failed:
            contexts.failed, ran.exit_code = True, done.returncode
    ran.outputs = {name: substituted(output["value"], contexts) for name, output in spec.get("outputs", {}).items()}
    return ran
