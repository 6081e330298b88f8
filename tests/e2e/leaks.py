"""Finds a token in what a run printed and wrote, in every form a target can echo it in: as it is; with JSON, Python,
percent, or HTML/XML escapes for any of its characters (decoded first, however often they were escaped again); inside a
base64 blob (standard or URL-safe, at each of the three byte alignments); wrapped across lines; in a gzip or zlib
stream a cassette keeps; in the strings of a JSON report, a YAML cassette or a JUnit file, as their parsers read them.

Written apart from the product's own `conformance.secret`: the oracle must not share the bugs of what it judges."""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

# One escaped character, however many times its backslash was escaped again: \u0042, \\u0042, \x42, %42, &#66;, &#x42;
# and JSON's own short escapes (\/ above all: a JSON encoder may write every / of a base64 blob so).
_ESCAPE = re.compile(
    r"\\+u([0-9a-fA-F]{4})|\\+x([0-9a-fA-F]{2})|%([0-9a-fA-F]{2})|&#([0-9]{1,7});|&#[xX]([0-9a-fA-F]{1,6});|\\+([/\"bfnrt])"
)
_SHORT = {"/": "/", '"': '"', "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SPACE = re.compile(r"\s+")
INFLATED_AT_MOST = 16 * 1024 * 1024  # bytes a compressed string in an output is inflated to, to be searched
COMPRESSED = ("\x1f\x8b", "x\x01", "x^", "x\x9c", "x\xda")  # how a gzip or a zlib stream begins


@dataclass(frozen=True)
class Leak:
    """The token found: where (stdout, stderr or a file, and the path inside it), in which form, and around it."""

    where: str
    form: str
    context: str

    def __str__(self) -> str:
        return f"{self.where}: the token {self.form}: ...{self.context}..."


def forms_of(token: str) -> dict[str, str]:
    """Each literal form a plain search finds: the token, and the part of its base64 that does not depend on the
    bytes around it, at each byte alignment, standard and URL-safe."""
    forms = {"as it is": token}
    raw = token.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        first = {0: 0, 1: 2, 2: 3}[offset]  # characters that hold bits of the bytes before the token
        whole_groups = (offset + len(raw)) // 3 * 4  # a last partial group holds bits of the bytes after it
        stable = encoded[first:whole_groups]
        forms[f"in base64 at byte alignment {offset}"] = stable
        forms[f"in URL-safe base64 at byte alignment {offset}"] = stable.replace("+", "-").replace("/", "_")
    return forms


def decoded(text: str) -> str:
    """`text` with every escape decoded, again while a decoding reveals another (at most four times)."""
    for _ in range(4):
        again = _ESCAPE.sub(_character, text)
        if again == text:
            break
        text = again
    return text


def _character(escape: re.Match[str]) -> str:
    group = next(i for i, g in enumerate(escape.groups()) if g)
    if group == 5:
        return _SHORT[escape.groups()[group]]
    value = int(escape.groups()[group], 10 if group == 3 else 16)
    return chr(value) if value < 0x110000 else escape.group(0)


def find_in_text(token: str, text: str, where: str) -> list[Leak]:
    """The token in `text`, if it is there in any form: as written, decoded, with whitespace (a wrapped line) taken out."""
    decoded_text = decoded(text)
    readings = {
        "": text,
        " (escaped)": decoded_text,
        " (wrapped)": _SPACE.sub("", text),
        " (escaped, wrapped)": _SPACE.sub("", decoded_text),
    }
    for how, reading in readings.items():
        for form, literal in forms_of(token).items():
            at = reading.find(literal)
            if at >= 0:
                return [Leak(where, form + how, reading[max(at - 60, 0) : at + len(literal) + 60])]
    return []


def find_in_outputs(token: str, stdout: str, stderr: str, folder: Path) -> list[Leak]:
    """The token in what a command printed and in every file under `folder`: one leak for each place it is in."""
    found = find_in_text(token, stdout, "stdout") + find_in_text(token, stderr, "stderr")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found += find_in_file(token, path, str(path.relative_to(folder)))
    return found


def find_in_file(token: str, path: Path, where: str) -> list[Leak]:
    """The token in the file as its bytes are, or else in a string its parser reads: the first place found."""
    raw = path.read_bytes()
    found = find_in_text(token, raw.decode("latin-1"), where)
    strings = strings_in(raw, path.suffix)
    while not found and (string := next(strings, None)) is not None:
        found = find_in_text(token, string[1], f"{where} {string[0]}")
    return found


def strings_in(raw: bytes, suffix: str) -> Iterator[tuple[str, str]]:
    """(where inside, text) of each string the file's parser reads: JSON's unescaped, YAML's unfolded and its !!binary
    decoded, XML's entities resolved; a compressed string inflated too."""
    try:
        if suffix == ".json":
            yield from _walk(json.loads(raw), "")
        elif suffix in (".yaml", ".yml"):
            yield from _walk(yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), "")
        elif suffix == ".xml":
            for element in ElementTree.fromstring(raw).iter():
                yield f"<{element.tag}>", " ".join([element.text or "", element.tail or "", *element.attrib.values()])
    except (ValueError, yaml.YAMLError, ElementTree.ParseError, RecursionError):
        return  # not what its name says: searched as it is, above


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + "/" + str(key), str(key)
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}/{index}")
    elif isinstance(value, bytes):
        yield path, value.decode("latin-1")
        yield from ((f"{path} (inflated)", text) for text in _inflated(value))
    elif isinstance(value, str):
        yield path, value
        if value.startswith(COMPRESSED):  # a compressed body kept as text, each byte one character
            yield from ((f"{path} (inflated)", text) for text in _inflated(value.encode("latin-1", "replace")))


def _inflated(data: bytes, layers: int = 3) -> Iterator[str]:
    """A gzip or zlib stream (a recorded body still compressed), inflated, and its own inner layers."""
    for wbits in (47, -15):  # gzip or zlib by their header; raw deflate
        if layers == 0:
            return
        try:
            inflated = zlib.decompressobj(wbits).decompress(data, INFLATED_AT_MOST)
        except zlib.error:
            continue
        if inflated:
            yield inflated.decode("latin-1")
            yield from _inflated(inflated, layers - 1)
            return
