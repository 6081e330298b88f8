"""The fields every format has, read the same way: a status, headers, text. A file from elsewhere may put anything
anywhere (a number for a header, bytes, a list), so each is checked or escaped here, and a field that cannot be used
is one `Broken` line saying where it is."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance.printable import printable

MAX_SHOWN = 80  # characters of a value from the file quoted in a message


class Broken(ValueError):
    """What is wrong in a file that looks like a format, in a few words: the reader adds the file's name."""


def shown(value: Any) -> str:
    """A value from the file as a message may quote it: control characters and bytes that are not text escaped, and
    cut short."""
    text = value if isinstance(value, str) else json.dumps(value, default=repr) if not isinstance(value, bytes) else repr(value)
    text = printable(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


def path_shown(path: Path) -> str:
    """A file's name as found, safe to print: a name's bytes that are not UTF-8 and its control characters escaped."""
    try:
        raw = str(path).encode("utf-8", "surrogateescape")  # the bytes the file system gave, for a name it listed
    except UnicodeEncodeError:  # a name made in Python with a lone surrogate no file system gave
        raw = str(path).encode("utf-8", "backslashreplace")
    return printable(raw.decode("utf-8", "backslashreplace"))


def header_text(value: Any) -> str:
    """A header's value as text: several values joined as HTTP joins them, bytes that are not ASCII and control
    characters escaped, anything else (a number, null, an object) written as JSON."""
    if isinstance(value, list):
        return ", ".join(header_text(item) for item in value)
    if isinstance(value, bytes):
        value = value.decode("ascii", "backslashreplace")
    elif not isinstance(value, str):
        value = "" if value is None else json.dumps(value, default=repr)
    return printable(value.encode("utf-8", "backslashreplace").decode("utf-8"))


def header_name(name: Any) -> str:
    return header_text(name).lower()


def headers_of(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Headers with lower-case names; a name met twice gets both values, joined."""
    found: dict[str, str] = {}
    for name, value in pairs:
        key, text = header_name(name), header_text(value)
        found[key] = f"{found[key]}, {text}" if key in found else text
    return found


def mapping_headers(value: Any, where: str) -> dict[str, str]:
    """Headers written as an object, name -> value or list of values (vcrpy, WireMock, NDJSON)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Broken(f"{where} is not an object of headers")
    return headers_of(value.items())


def status_of(value: Any, where: str) -> int:
    """An HTTP status: an integer from 100 to 999 (a string of digits, as some tools write it, too)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 999:
        raise Broken(f"{where} is not an HTTP status: {shown(value)}")
    return value


def text_of(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise Broken(f"{where} is not text: {shown(value)}")
    return value


def utf8(text: str) -> bytes:
    """Text as bytes; a lone surrogate (JSON lets `\\ud800` through) kept as its bytes rather than failing."""
    return text.encode("utf-8", "surrogatepass")


def object_at(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise Broken(f"{where} has no {key}" if value is None else f"{where}: {key} is not an object")
    return value
