"""Reading a cassette, which is untrusted input (a restored CI cache, a file from elsewhere): bounded in size, its YAML
aliases refused (a 950-byte alias bomb grew to 5.5 GB once its values were turned into text), and checked against the
schema of the cassette format (`cassette.schema.json`), so that vcrpy, the replay server and the run only ever see
well-formed interactions. Any deviation is one CassetteError line that names the file, the interaction and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from conformance.cassettes import MAX_CASSETTE_BYTES
from conformance.files import TooLarge, read_at_most
from conformance.nesting import TOO_DEEP, tree_within
from conformance.printable import printable


class _WithoutAliases(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml's, where PyYAML has it
    """YAML as vcrpy writes it, which has no alias: each alias may multiply the document. An alias is a node that is
    met a second time, which is refused before its value is built again."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise yaml.constructor.ConstructorError(None, None, "a YAML alias, which cassettes never have", node.start_mark)
        return super().construct_object(node, deep)

    def construct_document(self, node: Any) -> Any:
        """Nothing nested past the one nesting limit is built (or walked by anything after): vcrpy's cassettes nest a
        handful of levels."""
        if not tree_within(node, _children):
            raise yaml.constructor.ConstructorError(None, None, f"a document {TOO_DEEP}", node.start_mark)
        return super().construct_document(node)


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


_FORMAT = jsonschema_rs.validator_for(json.loads((Path(__file__).parent / "cassette.schema.json").read_text()))


def load_yaml(text: str) -> Any:
    """YAML from outside (a cassette of another tool, say) as plain data, loaded as cassettes are: safely, with no
    alias and nothing nested past the one limit. Raises yaml.YAMLError."""
    return yaml.load(text, Loader=_WithoutAliases)


class CassetteError(Exception):
    """The cassette cannot be used; the message says what and how to fix it, in one line."""


def read_cassette(path: Path, limit: int = MAX_CASSETTE_BYTES) -> dict[str, Any]:
    """The cassette at `path` as plain data, in the cassette format; CassetteError otherwise."""
    if not path.is_file():
        if path.exists():
            raise CassetteError(f"cassette {path} is not a file: give the path of a cassette (vcrpy YAML)")
        raise CassetteError(f"cassette {path} does not exist: record it first with --target URL --record-mode once")
    try:
        raw = read_at_most(path, limit)
        data: dict[str, Any] = yaml.load(raw.decode("utf-8"), Loader=_WithoutAliases)
    except TooLarge:
        raise CassetteError(f"cassette {path} is larger than {limit} bytes (--max-cassette BYTES raises the limit)") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CassetteError(f"cassette {path} is not a readable cassette ({printable(_first_line(exc))}): re-record it") from None
    _check_format(path, data)
    return _ascii_headers(data)


def _ascii_headers(data: dict[str, Any]) -> dict[str, Any]:
    """Recorded header values as HTTP lets a client rebuild them: a byte that is not ASCII (a target's `X-Note: \\xb2`,
    recorded as it came) is kept as its escape, which vcrpy's replay can hand to httpx."""
    for interaction in data["interactions"]:
        for message in (interaction["request"], interaction["response"]):
            headers = message.get("headers") or {}
            for name, values in headers.items():
                headers[name] = [v if v.isascii() else v.encode("unicode_escape").decode("ascii") for v in values]
    return data


def _check_format(path: Path, data: Any) -> None:
    error = next(_FORMAT.iter_errors(_as_json(data)), None)
    if error is not None:
        where = list(error.instance_path)
        if where[:1] == ["interactions"] and len(where) > 1:
            place = f"interaction {where[1]}" + (f", {'.'.join(map(str, where[2:]))}" if len(where) > 2 else "")
        else:
            place = ".".join(map(str, where)) or "the top level"
        message = printable(str(error.message))
        message = message if len(message) <= 200 else message[:200] + "..."
        raise CassetteError(f"cassette {path} is not in the cassette format: {place}: {message}: re-record it")


def _as_json(value: Any) -> Any:
    """The loaded YAML as JSON values, for the schema: bytes (vcrpy's !!binary bodies) as text, any other YAML type
    (a timestamp, a set) as a value no JSON type in the schema accepts."""
    if isinstance(value, dict):
        return {str(key): _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return {"a YAML value that is not JSON": type(value).__name__}


def _first_line(exc: Exception) -> str:
    """What went wrong, in a few words: YAML's problem and its line, or the error's first line."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem:
        mark = exc.problem_mark
        return exc.problem + (f", line {mark.line + 1}" if mark is not None else "")
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
