"""The run's configuration file: `rtk-conformance.toml` (its keys at the top level) or the `[tool.rtk-conformance]`
table of a `pyproject.toml`, looked for in the current directory, then in each of its parents.

The file is input from outside (a checkout, a CI cache): read no further than MAX_CONFIG_BYTES, refused when nested
deeper than the one nesting limit before it is parsed, and checked against `config.schema.json` (the run's options,
spelled as their flags: `max-requests`). The token is never read from it. Any problem is one ConfigError line naming
the file, the key and its line: TOML parsers give no line per key, so the key's line is found in the file's text.
Paths in the file are relative to its directory. The values' own limits (a timeout of a day at most) are the
settings' own, checked in `conformance.run.settings.resolve` like those of any other source.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from conformance.files import TooLarge, read_at_most
from conformance.nesting import MAX_DEPTH, TooDeep
from conformance.printable import printable

CONFIG_FILE = "rtk-conformance.toml"
PYPROJECT = "pyproject.toml"
TABLE = "tool.rtk-conformance"  # in a pyproject.toml
MAX_CONFIG_BYTES = 1024 * 1024  # a configuration is a few hundred bytes, a large pyproject.toml some ten thousand
SCHEMA_PATH = Path(__file__).with_name("config.schema.json")
# Keys that would carry a secret: the token is read from the environment only.
SECRET_WORDS = ("token", "secret", "password", "passwd", "apikey", "api-key", "authorization", "bearer", "credential")
TOKEN_ENV_KEY = "token-env"  # the name of the variable that holds the token, which the file may give
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_TYPES = {"string": "a string", "boolean": "true or false", "integer": "an integer", "number": "a number"}


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says where and what, in one line."""


@dataclass(frozen=True)
class ConfigFile:
    """The run's options a configuration file gives, each as TOML typed it (checked against the schema), by the
    setting's name (`max_requests`), and the line each key is on."""

    path: Path
    shown: str  # how messages name the file
    values: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        """What a relative path in the file is relative to."""
        return self.path.parent

    def where(self, name: str) -> str:
        """'rtk-conformance.toml, line 3': where the setting `name` (or a key as written) is in the file."""
        line = self.lines.get(name) or self.lines.get(name.replace("_", "-"))
        return f"{self.shown}, line {line}" if line else self.shown


def schema() -> dict[str, Any]:
    """The shipped JSON Schema of the file's keys."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def find(start: Path) -> ConfigFile | None:
    """The configuration nearest `start`: in `start`, then each parent, the first directory that holds a
    rtk-conformance.toml (first) or a pyproject.toml with a [tool.rtk-conformance] table. A pyproject.toml without
    the table is passed over, as ruff and pytest pass over one without theirs. None when there is none."""
    for directory in [start, *start.parents]:
        for name in (CONFIG_FILE, PYPROJECT):
            path = directory / name
            if path.is_file():
                found = read(path, _shown(path, start))
                if found is not None:
                    return found
    return None


def read(path: Path, shown: str = "") -> ConfigFile | None:
    """The options in the file at `path` (None for a pyproject.toml without the table); ConfigError otherwise."""
    shown = shown or str(path)
    pyproject = path.name == PYPROJECT
    try:
        raw = read_at_most(path, MAX_CONFIG_BYTES)
    except TooLarge:
        raise ConfigError(f"{shown} is larger than {MAX_CONFIG_BYTES} bytes: not read as a configuration") from None
    except OSError as exc:
        raise ConfigError(f"{shown} cannot be read: {exc.strerror or exc}") from None
    if pyproject and b"rtk-conformance" not in raw:
        return None  # no table of ours, without parsing what belongs to other tools
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{shown} is not UTF-8 text, which TOML is") from None
    data = parse(text, shown)
    table: Any = data
    if pyproject:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "rtk-conformance" not in tool:
            return None
        table = tool["rtk-conformance"]
    lines = key_lines(text, TABLE if pyproject else "")
    if not isinstance(table, dict):
        where = f"{shown}, line {lines['']}" if lines.get("") else shown
        raise ConfigError(f"{where}: [{TABLE}] must be a table of the run's options, got {_type_name(table)}")
    found = ConfigFile(path, shown, {}, {key: line for key, line in lines.items() if key})
    return ConfigFile(path, shown, check(table, found), found.lines)


def parse(text: str, shown: str) -> dict[str, Any]:
    """The TOML document, refused in one line when it is nested too deep (before it is parsed) or is not TOML."""
    if not toml_within(text):
        raise ConfigError(str(TooDeep(shown)))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown} is not TOML: {printable(str(exc))}") from None
    except RecursionError:  # nesting the depth check did not see: refused all the same
        raise ConfigError(str(TooDeep(shown))) from None


def check(table: Mapping[str, Any], file: ConfigFile) -> dict[str, Any]:
    """The table's values by setting name, once every key is an option and every value of its type; the first problem
    as a ConfigError, a key that would hold a secret first of all. No value is ever echoed."""
    properties = schema()["properties"]
    for key in table:
        normal = key.lower().replace("_", "-")
        if normal != TOKEN_ENV_KEY and any(word in normal for word in SECRET_WORDS):
            raise ConfigError(
                f"{file.where(key)}: {_key(key)} would hold a secret, which is never read from a file: the API token comes from"
                " the environment only (CLOUDFLARE_API_TOKEN, or the variable token-env names)"
            )
    for key in table:
        if key not in properties:
            raise ConfigError(f"{file.where(key)}: unknown key {_key(key)}{_hint(key, properties)}")
    values = {}
    for key, value in table.items():
        expected = properties[key]
        if not _fits(value, expected):
            raise ConfigError(f"{file.where(key)}: {key}: expected {_expected(expected)}, got {_type_name(value)}")
        if key == TOKEN_ENV_KEY and (not _VARIABLE_NAME.fullmatch(value) or _like_a_token(value)):
            raise ConfigError(
                f"{file.where(key)}: {key} is the name of the environment variable that holds the API token (letters, digits"
                " and _), not the token, which is never read from a file"
            )
        values[key.replace("-", "_")] = value
    return values


def key_lines(text: str, table: str) -> dict[str, int]:
    """The line each key of `table` ('' for the top level, or 'tool.rtk-conformance') is first written on: `key = ...`
    under the table's header, a dotted key from above it (`[tool]` then `rtk-conformance.seed = 7`), a sub-table's
    header (`[tool.rtk-conformance.key]`), or inside an inline table. Under '' is the line that opens the table."""
    lines: dict[str, int] = {}
    current, inside = "", ""  # the table the line is in; the delimiter of the multi-line string it is in
    for number, line in enumerate(text.split("\n"), 1):
        if inside:
            inside = "" if line.count(inside) % 2 else inside
            continue
        header, key = _HEADER.match(line), _KEY.match(line)
        if header:
            current = path = _joined("", header.group(1))
        elif key:
            path = _joined(current, key.group(1))
            inline = line[key.end() :].lstrip()
            if path == table and inline.startswith("{"):
                for inner in re.finditer(_KEY_PART + r"\s*=", inline):
                    lines.setdefault(_unquoted(inner.group(1)), number)
        else:
            path = ""
        if path and (not table or path == table or path.startswith(table + ".")):
            rest = path.removeprefix(table).removeprefix(".") if table else path
            lines.setdefault(_parts(rest)[0] if rest else "", number)
        inside = next((quotes for quotes in ('"""', "'''") if line.count(quotes) % 2), "")
    return lines


def toml_within(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the TOML text nests arrays and inline tables `limit` levels or fewer (strings and comments skipped)."""
    if text.count("[") + text.count("{") <= limit:  # the usual case, at the pace of a count
        return True
    depth = 0
    for token in _tokens(text):
        if token in "[{":
            depth += 1
            if depth > limit:
                return False
        else:
            depth = max(depth - 1, 0)
    return True


def _tokens(text: str) -> Iterator[str]:
    """The brackets of `text`, outside strings and comments, walked once from start to end."""
    at = 0
    while True:
        found = _SPECIAL.search(text, at)
        if found is None:
            return
        token, at = found.group(), found.end()
        if token in ('"""', "'''"):
            end = _MULTILINE_END[token].search(text, at)
            at = end.end() if end else len(text)
        elif token in ('"', "'"):
            end = _LINE_END[token].match(text, at)
            at = end.end() if end else at
        elif token == "#":
            newline = text.find("\n", at)
            at = newline if newline >= 0 else len(text)
        else:
            yield token


_SPECIAL = re.compile(r"\"\"\"|'''|[\"'#\[\]{}]")
_MULTILINE_END = {'"""': re.compile(r'(?:[^"\\]|\\[\s\S]|"(?!""))*"""'), "'''": re.compile(r"[\s\S]*?'''")}
_LINE_END = {'"': re.compile(r'(?:[^"\\\n]|\\.)*"?'), "'": re.compile(r"[^'\n]*'?")}
_KEY_PART = r"(\"(?:[^\"\\]|\\.)*\"|'[^'\n]*'|[A-Za-z0-9_-]+)"
_DOTTED = _KEY_PART.replace("(", "(?:", 1) + r"(?:\s*\.\s*" + _KEY_PART.replace("(", "(?:", 1) + ")*"
_HEADER = re.compile(r"\s*\[\[?\s*(" + _DOTTED + r")\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"\s*(" + _DOTTED + r")\s*=")


def _parts(name: str) -> list[str]:
    """A dotted name's parts, unquoted: `tool."rtk-conformance" . seed` is tool, rtk-conformance, seed."""
    return [_unquoted(part) for part in re.findall(_KEY_PART, name)]


def _joined(table: str, name: str) -> str:
    return ".".join([*([table] if table else []), *_parts(name)])


def _unquoted(key: str) -> str:
    if len(key) >= 2 and key[0] == key[-1] == "'":
        return key[1:-1]
    if len(key) >= 2 and key[0] == key[-1] == '"':
        try:
            return str(json.loads(key))
        except ValueError:
            return key[1:-1]
    return key


def _shown(path: Path, start: Path) -> str:
    """The file as messages name it: its name when it is in the current directory, else its whole path."""
    return path.name if path.parent == start else str(path)


def _key(key: str) -> str:
    return repr(printable(key[:80]))


def _hint(key: str, properties: Mapping[str, Any]) -> str:
    if key.replace("_", "-") in properties:
        return f": keys are spelled as the flags are, with dashes: {key.replace('_', '-')!r}"
    close = difflib.get_close_matches(key, list(properties), n=1)
    return f" (did you mean {close[0]!r}?)" if close else " (the keys are the options of rtk-conformance run, without their --)"


def _fits(value: Any, expected: Mapping[str, Any]) -> bool:
    kind = expected["type"]
    if kind == "array":
        return isinstance(value, list) and all(_fits(item, expected["items"]) for item in value)
    if kind == "string":
        return isinstance(value, str) and len(value) >= expected.get("minLength", 0)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)  # number


def _expected(expected: Mapping[str, Any]) -> str:
    if expected["type"] == "array":
        return "an array of non-empty strings"
    return _TYPES[expected["type"]]


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        inner = sorted({_type_name(item) for item in value})
        return "an array" + (f" holding {' and '.join(inner)}" if inner else "")
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    names = {bool: "a boolean", int: "an integer", float: "a number", dict: "a table"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a date or time")


def _like_a_token(value: str) -> bool:
    """A pasted API token rather than a variable's name: long, with lower-case letters, upper-case letters and digits."""
    return len(value) >= 32 and any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value)
