"""GitHub Actions annotations of a run: one workflow command per failing check, pointing at the file and line of the
contract that states its rule. The run prints them when GITHUB_ACTIONS=true; GitHub shows them on the run's page,
and beside the line in a pull request's diff when that file is the repository's own.

A failure that fails the run (MUST, or any with --strict) is an `::error`; an advisory (SHOULD, differs from
production) a `::warning`; a failure the baseline knows (never fatal) a `::notice`. What a target sent reaches a
message only escaped (GitHub's rules: %, CR, LF; in properties also : and ,), so no answer can end an annotation or
start a workflow command of its own.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from conformance.contract import contract_dir
from conformance.reports.blocks import block_lines
from conformance.secret import hide_known

ACTIONS = "GITHUB_ACTIONS"  # "true" on GitHub's runners
WORKSPACE = "GITHUB_WORKSPACE"  # the checkout of the repository whose workflow runs
CONTRACT = "openapi/"  # how a failure's contract pointer names its file
IN_PACKAGE = "conformance/openapi/"  # where the contract lives inside the installed package
TITLE = "RealtimeKit conformance"
_DECODER = json.JSONDecoder()
_SPACE = (" ", "\t", "\n", "\r")  # JSON's white space


def on_actions() -> bool:
    return os.environ.get(ACTIONS) == "true"


def print_annotations(data: dict[str, Any], strict: bool) -> None:
    """The run's annotations on standard output, from a line of their own whatever pytest's progress left on the last."""
    workspace = os.environ.get(WORKSPACE)
    lines = annotation_lines(data, strict, workspace=Path(workspace) if workspace else None)
    if lines:
        print("", *lines, sep="\n", flush=True)


def annotation_lines(data: dict[str, Any], strict: bool = False, root: Path | None = None, workspace: Path | None = None) -> list[str]:
    """One workflow command per failing check of the report data, in the order to fix them; then, for a run that
    exits non-zero with no failure that fails it (an inconclusive run), one error that says why. `root` is the
    contract's folder (the installed one by default), `workspace` the repository's checkout."""
    root = root or contract_dir()
    lines = []
    for block in data["failures"]:
        kind = "notice" if block["group"] == "known" else "error" if block["level"] == "MUST" or strict else "warning"
        properties = {"title": f"{TITLE}: {block['check']} ({block['group']})"}
        where = location(block["contract"], root, workspace)
        if where is not None:
            properties = {"file": where[0], "line": str(where[1]), **properties}
        lines.append(command(kind, "\n".join(block_lines(block, reproduce=False)), properties))
    verdict = data["verdict"]
    if verdict["exit_code"] and not any(line.startswith("::error") for line in lines):
        lines.append(command("error", f"Verdict: {verdict['name']}: {verdict['reason']}", {"title": f"{TITLE}: {verdict['name']}"}))
    return [hide_known(line)[0] for line in lines]


def command(kind: str, message: str, properties: dict[str, str]) -> str:
    """`::kind file=...,line=...,title=...::message`, escaped: one line, whatever the message holds."""
    shown = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    return f"::{kind} {shown}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def location(contract: str, root: Path, workspace: Path | None) -> tuple[str, int] | None:
    """(the file as the annotation names it, the line) of a contract pointer `openapi/<file>#/json/pointer`, or None
    when it names no file of the contract."""
    name, _, fragment = contract.partition("#")
    relative = name.removeprefix(CONTRACT)
    path = root / relative
    if not name.startswith(CONTRACT) or ".." in Path(relative).parts or not path.is_file():
        return None
    try:
        line = pointer_line(path.read_text(encoding="utf-8"), path.suffix, unquote(fragment))
    except (OSError, ValueError, yaml.YAMLError):  # an unreadable file is still named, at its top
        line = 1
    return shown_path(path, relative, workspace), line


def shown_path(path: Path, relative: str, workspace: Path | None) -> str:
    """The contract file relative to the repository, when the repository holds it (an editable install in the
    checkout, or this repository's own openapi/ with the same bytes); else its path inside the installed package."""
    if workspace is not None:
        checkout, resolved = workspace.resolve(), path.resolve()
        if resolved.is_relative_to(checkout):
            return resolved.relative_to(checkout).as_posix()
        own = checkout / CONTRACT / relative
        if own.is_file() and own.read_bytes() == path.read_bytes():
            return CONTRACT + relative
    return IN_PACKAGE + relative


def pointer_line(text: str, suffix: str, pointer: str) -> int:
    """The line (from 1) of the deepest part of a JSON pointer that the document holds: the key of an object's
    member, or the start of an array's element. JSON is walked with json's own decoder; YAML by PyYAML's node marks."""
    tokens = [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]
    if suffix == ".json":
        return text.count("\n", 0, json_offset(text, tokens)) + 1
    return yaml_line(text, tokens) + 1


def json_offset(text: str, tokens: list[str]) -> int:
    at = found = _skip(text, 0)
    for token in tokens:
        member = _member(text, at, token)
        if member is None:
            break
        found, at = member
    return found


def _member(text: str, at: int, token: str) -> tuple[int, int] | None:
    """(where the member named `token` begins, where its value begins) in the object or array at `at`, or None."""
    opening = text[at : at + 1]
    if opening not in ("{", "["):
        return None
    i, index = _skip(text, at + 1), 0
    while text[i : i + 1] not in ("}", "]", ""):
        start = i
        if opening == "{":
            key, i = _DECODER.raw_decode(text, i)
            i = _skip(text, _skip(text, i) + 1)  # past the colon
        else:
            key, index = str(index), index + 1
        if key == token:
            return start, i
        i = _skip(text, _DECODER.raw_decode(text, i)[1])  # past the value
        i = _skip(text, i + 1) if text[i : i + 1] == "," else i
    return None


def _skip(text: str, i: int) -> int:
    """Past JSON's white space at `i`."""
    while text[i : i + 1] in _SPACE:
        i += 1
    return i


def yaml_line(text: str, tokens: list[str]) -> int:
    """The line (from 0) by the marks of the composed YAML nodes: the key's, or the sequence element's."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = node.start_mark.line if node is not None else 0
    for token in tokens:
        if isinstance(node, yaml.MappingNode):
            pair = next(((key, value) for key, value in node.value if key.value == token), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line, pair[1]
        elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
            line = node.start_mark.line
        else:
            break
    return int(line)
