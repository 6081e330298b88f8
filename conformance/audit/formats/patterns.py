"""Regular expressions from a file (a WireMock urlPathPattern, a Mockoon rule), which are untrusted: Python's `re`
has no timeout, and a pattern such as `(.+)+X` or `(.|.)*X` backtracks for seconds on 28 characters and for ever on a
URL, `.*.*.*.*.*.*X` for 39 s on one (measured). So a pattern is refused when it is long, when a repeated group holds a
repetition or an alternation (the shapes that backtrack exponentially), or when it repeats more than MAX_REPEATS
times (polynomially: five cost about a second on a 164-character URL, four 0.03 s); and patterns only ever match
the few short strings of the requests the audit makes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.audit.formats.fields import Broken, shown

MAX_PATTERN = 2000  # characters of a pattern; a vendor's URL pattern has a hundred or so
MAX_SUBJECT = 1000  # characters a pattern is matched against: the audit's requests have about 150
MAX_REPEATS = 5  # repetitions in one pattern; a URL pattern has one per id, three or four
_COUNTED = re.compile(r"\{\d*(,?)\d*\}")  # {n} repeats a fixed number of times; {n,} and {n,m} repeat a varying one


@dataclass(frozen=True)
class Pattern:
    """A pattern from a file, compiled, matched only against strings no longer than MAX_SUBJECT."""

    compiled: re.Pattern[str]

    def full(self, text: str) -> bool:
        """The whole text matches (Java's String.matches, as WireMock uses it)."""
        return self.whole(text) is not None

    def whole(self, text: str) -> re.Match[str] | None:
        """The match of the whole text, with its groups; None for a text longer than MAX_SUBJECT."""
        return self.compiled.fullmatch(text) if len(text) <= MAX_SUBJECT else None

    def found(self, text: str) -> bool:
        """Some part of the text matches (JavaScript's RegExp.test, as Mockoon uses it)."""
        return len(text) <= MAX_SUBJECT and self.compiled.search(text) is not None


def pattern(text: object, where: str, ignore_case: bool = False) -> Pattern:
    """`text` compiled; Broken (one line) when it is no text, too long, nests repetition, or is no valid regex."""
    if not isinstance(text, str):
        raise Broken(f"{where} is not a regular expression: {shown(text)}")
    if len(text) > MAX_PATTERN:
        raise Broken(f"{where} is a regular expression longer than {MAX_PATTERN} characters")
    risk = _backtracking(text)
    if risk:
        raise Broken(f"{where} {risk} ({shown(text)}), which can make matching take minutes: refused")
    try:
        return Pattern(re.compile(text, re.IGNORECASE if ignore_case else 0))
    except (re.error, OverflowError, RecursionError) as error:
        raise Broken(f"{where} is not a valid regular expression ({shown(text)}): {error}") from None


def _backtracking(text: str) -> str:
    """What makes the pattern backtrack for ever, or '': a repeated group that holds a repetition or an alternation
    (`(a+)+`, `(.|.)*`, `((a*))+`), or more than MAX_REPEATS repetitions. Read from the text (escapes and character
    classes skipped), so that it works alike on every Python."""
    holds: list[bool] = []  # per open group: whether a repetition or an alternation is inside it
    closed_holding = False  # the token just read closed a group that holds one
    at, class_from, repeats = 0, -1, 0  # class_from: where the character class being read began its members (-1: none)
    while at < len(text):
        char = text[at]
        step, now_closed = (2 if char == "\\" else 1), False
        if class_from >= 0:
            class_from = -1 if char == "]" and at > class_from else class_from  # a first `]` is a member: []a]
        elif char == "[":
            class_from = at + 1 + (text[at + 1 : at + 2] == "^")
        elif char == "(":
            holds.append(False)
        elif char == ")":
            now_closed = holds.pop() if holds else False
        elif char in "*+{|":
            counted = _COUNTED.match(text, at) if char == "{" else None
            if char == "{" and (counted is None or not counted.group(1)):  # a literal brace, or a fixed count
                step = counted.end() - at if counted else 1
            else:
                if char != "|" and closed_holding:
                    return "repeats a group that repeats or alternates inside"
                repeats += char != "|" and text[at - 1 : at] not in ("*", "+", "?", "}")  # a*? and a*+ count once
                holds = [True] * len(holds)
                step = counted.end() - at if counted else 1
        closed_holding = now_closed
        at += step
    return f"repeats more than {MAX_REPEATS} times" if repeats > MAX_REPEATS else ""
