"""The contract, rendered into the HTML report so that a failure's pointer (openapi/file#/json/pointer) is a link to the
very part of the contract it names, with no file beside the report and no network: each file as indented JSON, each
value with the id of its pointer."""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from jsonpointer import JsonPointer

from conformance.contract import contract_dir
from conformance.contract.reading import read_yaml

PREFIX = "contract:"


def anchor(pointer: str) -> str:
    """The id of what `openapi/<file>#<pointer>` names in the rendered contract."""
    file, _, path = pointer.partition("#")
    return f"{PREFIX}{file}:{path}"


@cache
def contract_section() -> str:
    """Every file of the contract, each as it reads, every part addressable."""
    root = contract_dir()
    files = sorted(p for p in root.rglob("*") if p.suffix in (".json", ".yaml"))
    rendered = "".join(_file(path, root) for path in files)
    return f'<h2 id="contract">The contract</h2><p class="note">as this run checked it; each pointer above links here</p>{rendered}'


def _file(path: Path, root: Path) -> str:
    name = "openapi/" + path.relative_to(root).as_posix()
    document = read_yaml(path) if path.suffix == ".yaml" else json.loads(path.read_text())
    body = _value(document, [], name, 0)
    return f'<details><summary><code>{escape(name)}</code></summary><pre id="{escape(anchor(name + "#"))}">{body}</pre></details>'


def _value(value: Any, parts: list[str | int], name: str, depth: int) -> str:
    """`value` as indented JSON, each member and item wrapped in a span with the id of its pointer."""
    indent = "  " * (depth + 1)
    if isinstance(value, dict) and value:
        members = [f"{indent}{_span(name, [*parts, k], _member(k, v, [*parts, k], name, depth))}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value:
        items = [f"{indent}{_span(name, [*parts, n], _value(v, [*parts, n], name, depth + 1))}" for n, v in enumerate(value)]
        return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"
    return escape(json.dumps(value, default=str))


def _member(key: str, value: Any, parts: list[str | int], name: str, depth: int) -> str:
    return escape(json.dumps(str(key))) + ": " + _value(value, parts, name, depth + 1)


def _span(name: str, parts: list[str | int], inner: str) -> str:
    pointer = JsonPointer.from_parts(parts).path
    return f'<span id="{escape(anchor(name + "#" + pointer))}">{inner}</span>'
