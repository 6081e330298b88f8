"""Which of a Mockoon route's responses a request gets. Mockoon answers with the first response whose rules the
request fulfils (each response's rules joined by its rulesOperator, AND or OR), else the default response (or the
first); responseMode changes that (RANDOM, SEQUENTIAL, DISABLE_RULES, FALLBACK). Rules on the request's headers,
query, route parameters, method and path are read; a rule on anything else (the body, a cookie, the request's number,
a data bucket, a templated value) leaves the choice unsure: the default response is taken, and the note says so."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from conformance.audit.formats.asking import Asked
from conformance.audit.formats.fields import Broken, shown
from conformance.audit.formats.patterns import Pattern, pattern

READ_TARGETS = ("header", "query", "params", "method", "path")
READ_OPERATORS = ("equals", "regex", "regex_i", "null", "empty_array", "array_includes")


@dataclass(frozen=True)
class Rule:
    target: str
    modifier: str
    value: str
    operator: str
    invert: bool
    compiled: Pattern | None = None  # the value of a regex rule, compiled as it was read

    @property
    def unread(self) -> str:
        """Why this audit cannot tell whether the rule holds; '' when it can."""
        if self.target not in READ_TARGETS:
            return f"a rule on the request's {shown(self.target)}"
        if self.operator not in READ_OPERATORS:
            return f"a rule with the operator {shown(self.operator)}"
        if "{{" in self.modifier or "{{" in self.value:
            return "a rule with a templated value"
        if self.target == "query" and (not self.modifier or any(c in self.modifier for c in ".[")):
            return "a rule on the query as an object"
        return ""

    def holds(self, asked: Asked, params: dict[str, str]) -> bool:
        """Whether the request fulfils the rule (its `unread` being ''), as Mockoon compares: text with text."""
        actual = self._actual(asked, params)
        if self.operator == "null":
            found = actual is None or actual == ""
        elif self.operator == "empty_array":
            found = actual == []
        elif actual is None:
            found = False
        elif self.operator == "array_includes":
            found = isinstance(actual, list) and self.value in actual
        elif self.compiled is not None:
            found = any(self.compiled.found(one) for one in (actual if isinstance(actual, list) else [actual]))
        else:
            found = self.value in actual if isinstance(actual, list) else actual == self.value
        return found != self.invert

    def _actual(self, asked: Asked, params: dict[str, str]) -> str | list[str] | None:
        if self.target == "header":
            return asked.headers.get(self.modifier.lower()) if self.modifier else ""
        if self.target == "query":
            values = [value for name, value in asked.query if name == self.modifier]
            return None if not values else values[0] if len(values) == 1 else values
        if self.target == "params":
            return params.get(self.modifier)
        return asked.method.lower() if self.target == "method" else [asked.url, asked.path]


def rule_of(spec: Any, where: str) -> Rule:
    if not isinstance(spec, dict):
        raise Broken(f"{where} is not a rule")
    target, modifier, value, operator = (_text(spec.get(key)) for key in ("target", "modifier", "value", "operator"))
    rule = Rule(target, modifier, value, operator, spec.get("invert") is True)
    if operator.startswith("regex") and not rule.unread:
        return replace(rule, compiled=pattern(value, f"{where}.value", operator == "regex_i"))
    return rule


def _text(value: Any) -> str:
    """A rule's field as Mockoon compares it: text (a number as its digits), null as empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else "" if value is None or isinstance(value, (dict, list)) else str(value)


@dataclass(frozen=True)
class Choice:
    index: int | None  # the response's index in the route; None: the route answers nothing (FALLBACK, no rule held)
    why: str = ""  # said in the exchange's note when the route has rules or a response mode


def choose(responses: list[tuple[list[Rule], str, bool]], mode: Any, asked: Asked, params: dict[str, str]) -> Choice:
    """The response Mockoon sends: `responses` are each response's rules, rulesOperator and default flag."""
    default = next((index for index, (_, _, is_default) in enumerate(responses) if is_default), 0)
    if mode == "RANDOM":
        return Choice(default, "Mockoon sends any response of the route at random (RANDOM): the default one is judged")
    if mode == "SEQUENTIAL":
        return Choice(0, "Mockoon sends the route's responses in turn (SEQUENTIAL): the first is judged")
    if mode == "DISABLE_RULES":
        return Choice(default, "the default response: the route's rules are disabled")
    for index, (rules, operator, _) in enumerate(responses):
        unread = next((rule.unread for rule in rules if rule.unread), "")
        if unread:
            return Choice(default, f"response {index} has {unread}, not read by this audit: the default response is judged")
        verdicts = [rule.holds(asked, params) for rule in rules]
        if verdicts and (all(verdicts) if operator == "AND" else any(verdicts)):
            return Choice(index, f"response {index}: its rules hold for this request")
    if mode == "FALLBACK":
        return Choice(None)
    ruled = any(rules for rules, _, _ in responses)
    return Choice(default, "the default response: no rule sends another" if ruled else "")
