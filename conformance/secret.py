"""The API token, held so that it cannot be shown by accident: its repr and str are redacted, so a traceback, pytest's
-l locals, a --showlocals JUnit file, a log line or a report that formats it shows `Secret('***')`. Its value is
taken with reveal(), only where a request's header is built and where the token is looked for to redact it.

`hide` finds the token in any text in every form a target could echo it back in: as sent; with any of its characters
escaped (JSON's `\\u0042` and `\\/`, a percent-encoding, Python's `\\x42`, an HTML character reference), in either case;
base64-encoded (standard or URL-safe, at any byte offset of a longer blob, its lines wrapped or not). The transport
hides the run's token where a target's bytes enter the run; every output is scanned once more before it is kept
(`hide_known`)."""

from __future__ import annotations

import base64
import re
from functools import cache
from typing import Any

REDACTED = "Secret('***')"
HIDDEN = "[REDACTED]"
SHORTEST_SECRET = 8  # a shorter "token" (a test's "t") is in every word: hiding it would garble all text, and hide nothing
# How a target may write a character of the token, or break a line inside base64 (the line break then stands for nothing).
_ESCAPE = re.compile(
    r"\\u(?P<u>[0-9a-fA-F]{4})|%(?P<percent>[0-9a-fA-F]{2})|\\x(?P<x>[0-9a-fA-F]{2})"  # JSON, a URL, Python
    r"|&#(?P<decimal>[0-9]{1,7});|&#[xX](?P<hex>[0-9a-fA-F]{1,6});|&(?P<named>amp|lt|gt|quot|apos);"  # HTML
    r'|\\(?P<short>["\\/])'  # JSON's short escapes of the characters a token may hold
    r"|(?P<wrap>\r?\n)"  # a wrapped line (MIME's base64)
)
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_remembered: set[str] = set()  # the secrets of this process that every output is scanned for


def sendable(token: str) -> bool:
    """Whether a token can be sent as it is in an Authorization header: printable ASCII, no whitespace."""
    return bool(token) and all(33 <= ord(c) <= 126 for c in token)


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


NO_SECRET = Secret("")


def hide(text: str, secret: Secret) -> str:
    """`text` without the secret, in any form it was found in."""
    value = secret.reveal()
    if len(value) < SHORTEST_SECRET:
        return text
    forms = _literal_forms(value)
    for form in forms:
        text = text.replace(form, HIDDEN)
    return _hide_escaped(text, forms) if _ESCAPE.search(text) else text


def hide_bytes(data: bytes, secret: Secret) -> bytes:
    """`data` without the secret: the same search, each byte taken as one character (latin-1), so that what is no text
    (a gzip body, an invalid UTF-8 sequence) goes through unchanged but for the secret."""
    if len(secret.reveal()) < SHORTEST_SECRET:
        return data
    text = data.decode("latin-1")
    hidden = hide(text, secret)
    return data if hidden == text else hidden.encode("latin-1")


def remember(secret: Secret) -> None:
    """Scan every output of this process for `secret` before it is kept (the run's token, once read)."""
    if len(secret.reveal()) >= SHORTEST_SECRET:
        _remembered.add(secret.reveal())


def hide_known(text: str) -> tuple[str, bool]:
    """`text` without any remembered secret, and whether one was there: the last scan of an output before it is kept."""
    hidden = text
    for value in _remembered:
        hidden = hide(hidden, Secret(value))
    return hidden, hidden != text


@cache
def _literal_forms(value: str) -> tuple[str, ...]:
    """The forms of the secret a plain search finds: as it is, and its base64 at each of the three byte alignments
    (the part that does not depend on the bytes around it), standard and URL-safe, longest first."""
    forms = {value}
    raw = value.encode()
    for offset in range(3):
        aligned = raw[offset : offset + (len(raw) - offset) // 3 * 3]
        if len(aligned) >= 6:
            forms |= {base64.b64encode(aligned).decode(), base64.urlsafe_b64encode(aligned).decode()}
    return tuple(sorted(forms, key=len, reverse=True))


def _hide_escaped(text: str, forms: tuple[str, ...]) -> str:
    """The secret (or its base64) written with escapes for some or all of its characters, or its lines wrapped: the text
    is read with its escapes decoded, remembering where each character began, and each span that decodes to a form of
    the secret is hidden."""
    plain = _ESCAPE.sub(_character, text)  # most texts: decoded once, at the regex engine's pace
    if not any(form in plain for form in forms):
        return text
    decoded, starts = _decoded(text)
    spans = sorted((starts[m.start()], starts[m.start() + len(form)]) for form in forms for m in re.finditer(re.escape(form), decoded))
    pieces, last = [], 0
    for begin, end in spans:
        if begin >= last:
            pieces += [text[last:begin], HIDDEN]
            last = end
    return "".join(pieces) + text[last:]


def _character(escape: re.Match[str]) -> str:
    """What an escape stands for ('' for a wrapped line)."""
    found = {name: value for name, value in escape.groupdict().items() if value is not None}
    if "wrap" in found:
        return ""
    if "named" in found:
        return _NAMED[found["named"]]
    if "short" in found:
        return found["short"]
    if "decimal" in found:
        return chr(min(int(found["decimal"]), 0x10FFFF))
    return chr(min(int(next(iter(found.values())), 16), 0x10FFFF))


def _decoded(text: str) -> tuple[str, list[int]]:
    """`text` with its escapes decoded, and for each decoded character (and the end) the offset where it begins."""
    chars: list[str] = []
    starts: list[int] = []
    position = 0
    for escape in _ESCAPE.finditer(text):
        for offset in range(position, escape.start()):
            chars.append(text[offset])
            starts.append(offset)
        for character in _character(escape):  # a wrapped line stands for nothing
            chars.append(character)
            starts.append(escape.start())
        position = escape.end()
    for offset in range(position, len(text)):
        chars.append(text[offset])
        starts.append(offset)
    starts.append(len(text))
    return "".join(chars), starts
