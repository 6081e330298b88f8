"""Text from outside (an id, a target's body or header, a cassette's field) made safe to print: every control
character is written as its escape, so such text can neither start a line of its own that looks like the tool's
(`Verdict: CONFORMS`) nor move the cursor or retitle the terminal (ESC, OSC)."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    r"""`text` with each control character as its Python escape: a newline as \n, ESC as \x1b."""
    return _CONTROL.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None
