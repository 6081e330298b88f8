"""The API token, held so that it cannot be shown by accident: its repr and str are redacted, so a traceback, pytest's
-l locals, a --showlocals JUnit file, a log line or a report that formats it shows `Secret('***')`. Its value is
taken with reveal(), only where a request's header is built and where the token is looked for to redact it.

`hide` finds the token in any text in every form a target could echo it back in: as sent, percent-encoded or JSON
`\\u`-escaped (any of its characters, in either case), or base64-encoded (standard or URL-safe, at any byte offset of a
longer blob). The transport hides the run's token where a target's bytes enter the run; every output is scanned once
more before it is kept (`hide_known`)."""

from __future__ import annotations

import base64
import re
from functools import cache
from typing import Any

REDACTED = "Secret('***')"
HIDDEN = "[REDACTED]"
SHORTEST_SECRET = 8  # a shorter "token" (a test's "t") is in every word: hiding it would garble all text, and hide nothing
# An escape a target may write a character of the token as: JSON's \uXXXX, a percent-encoding, Python's \xXX.
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})|\\x([0-9a-fA-F]{2})")
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
    for form in _literal_forms(value):
        text = text.replace(form, HIDDEN)
    return _hide_escaped(text, value) if ("\\" in text or "%" in text) else text


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


def _hide_escaped(text: str, value: str) -> str:
    """The secret written with escapes for some or all of its characters: the text is read with its escapes decoded,
    remembering where each character began, and each span that decodes to the secret is hidden."""
    if value not in _ESCAPE.sub(_character, text):  # most texts: decoded once, at the regex engine's pace
        return text
    decoded, starts = _decoded(text)
    found = [m.start() for m in re.finditer(re.escape(value), decoded)]
    spans = [(starts[at], starts[at + len(value)]) for at in found]
    pieces, last = [], 0
    for begin, end in spans:
        if begin >= last:
            pieces += [text[last:begin], HIDDEN]
            last = end
    return "".join(pieces) + text[last:]


def _character(escape: re.Match[str]) -> str:
    return chr(int(next(group for group in escape.groups() if group), 16))


def _decoded(text: str) -> tuple[str, list[int]]:
    """`text` with its escapes decoded, and for each decoded character (and the end) the offset where it begins."""
    chars: list[str] = []
    starts: list[int] = []
    position = 0
    for escape in _ESCAPE.finditer(text):
        for offset in range(position, escape.start()):
            chars.append(text[offset])
            starts.append(offset)
        chars.append(_character(escape))
        starts.append(escape.start())
        position = escape.end()
    for offset in range(position, len(text)):
        chars.append(text[offset])
        starts.append(offset)
    starts.append(len(text))
    return "".join(chars), starts
