"""WireMock's value matchers (of a header, a query parameter, a path parameter), read from a mapping: whether one
matches a value, and which value to send so that it does. A matcher this audit does not read leaves its stub
unasked, with a note, rather than guessed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.audit.formats.fields import Broken, shown
from conformance.audit.formats.patterns import Pattern, pattern

_TEXT_KINDS = ("equalTo", "contains", "doesNotContain")
_PATTERN_KINDS = ("matches", "doesNotMatch")


@dataclass(frozen=True)
class Matcher:
    kind: str  # equalTo, contains, doesNotContain, matches, doesNotMatch, absent, and, or; or one not read
    text: str = ""
    compiled: Pattern | None = None
    ignore_case: bool = False
    absent: bool = False
    parts: tuple[Matcher, ...] = ()

    @property
    def unread(self) -> str:
        """The kind of a matcher this audit does not read, inside this one too; '' when every part is read."""
        if self.kind not in (*_TEXT_KINDS, *_PATTERN_KINDS, "absent", "and", "or"):
            return self.kind
        return next((part.unread for part in self.parts if part.unread), "")

    def matches(self, value: str | None) -> bool:
        """Whether the matcher accepts the value (None: the header or parameter is not sent at all). As in WireMock,
        an absent value matches only `absent: true`."""
        if self.kind in ("and", "or"):
            verdicts = (part.matches(value) for part in self.parts)
            return all(verdicts) if self.kind == "and" else any(verdicts)
        if self.kind == "absent":
            return (value is None) == self.absent
        if value is None:
            return False
        if self.compiled is not None:
            return self.compiled.full(value) == (self.kind == "matches")
        have, want = (value.casefold(), self.text.casefold()) if self.ignore_case else (value, self.text)
        return {"equalTo": have == want, "contains": want in have, "doesNotContain": want not in have}[self.kind]

    def value_for(self, defaults: list[str]) -> str | None:
        """A value this matcher accepts: its own text, or the first default it accepts; None when only no value does
        (`absent: true`). LookupError when none is found."""
        if self.matches(None):
            return None
        tries = [self.text] if self.kind in ("equalTo", "contains") else []
        tries += [part.text for part in self.parts if part.kind in ("equalTo", "contains")]
        found = next((value for value in [*tries, *defaults, "x"] if self.matches(value)), None)
        if found is None:
            raise LookupError(self.kind)
        return found


def matcher(spec: Any, where: str) -> Matcher:
    """A matcher as a mapping writes it: {"equalTo": "x"}, {"matches": "re"}, {"absent": true}, {"and": [...]}; a plain
    string means equalTo. A matcher WireMock has and this audit does not read is kept as its kind."""
    if isinstance(spec, str):
        return Matcher("equalTo", spec)
    if not isinstance(spec, dict) or not spec:
        raise Broken(f"{where} is not a matcher: {shown(spec)}")
    ignore_case = spec.get("caseInsensitive") is True
    for kind in _TEXT_KINDS:
        if kind in spec:
            return Matcher(kind, _text(spec[kind], f"{where}.{kind}"), ignore_case=ignore_case)
    for kind in _PATTERN_KINDS:
        if kind in spec:
            return Matcher(kind, compiled=pattern(spec[kind], f"{where}.{kind}"))
    if "absent" in spec:
        return Matcher("absent", absent=spec["absent"] is not False)
    for kind in ("and", "or"):
        if kind in spec:
            parts = spec[kind] if isinstance(spec[kind], list) else []
            return Matcher(kind, parts=tuple(matcher(p, f"{where}.{kind}[{i}]") for i, p in enumerate(parts)))
    return Matcher(shown(next(iter(spec))))


def matchers(specs: Any, where: str, lower: bool = False) -> dict[str, Matcher]:
    """Each name's matcher, from an object of them (headers: names in lower case, as WireMock compares them)."""
    if specs is None:
        return {}
    if not isinstance(specs, dict):
        raise Broken(f"{where} is not an object of matchers")
    return {(name.lower() if lower else name): matcher(spec, f"{where}.{shown(name)}") for name, spec in specs.items()}


def _text(value: Any, where: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise Broken(f"{where} is not text: {shown(value)}")
    return value
