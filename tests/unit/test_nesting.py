"""The nesting limit on JSON from outside: json_within agrees with the depth of the parsed document, whatever its
strings hold (brackets, quotes, backslashes), and refuses what nests too deep before anything parses it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.nesting import MAX_DEPTH, TooDeep, json_within, loads

# Strings made of what a bracket counter could mistake for structure.
TRICKY_TEXT = st.text(alphabet='[]{}"\\/:,ab\u00e9\U0001f600', max_size=8)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY_TEXT, inner, max_size=3),
    max_leaves=25,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.integers(min_value=0, max_value=6), st.booleans())
def test_json_within_agrees_with_the_parsed_depth(value: Any, limit: int, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert json_within(text, limit) == (depth(value) <= limit)
    assert json_within(text.encode(), limit) == (depth(value) <= limit)


@pytest.mark.parametrize(
    ("text", "within"),
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, True),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), False),
        ('["' + "[" * 100 + '"]', True),  # brackets in a string are text
        ('["\\"' + "[" * 100 + '"]', True),  # an escaped quote does not end the string
        ('["\\\\", ' + "[" * 100 + "]" * 100 + "]", False),  # an escaped backslash does not escape the quote after it
        ('["\\\\\\"' + "[" * 100 + '"]', True),  # three backslashes: one escaped, then an escaped quote
        ('["' + "[" * 100, True),  # a string never closed: its parse fails there, before any bracket in it
        ("[" * 100 + '"', False),  # brackets before it still count
    ],
)
def test_json_within_reads_strings_and_escapes_as_a_parser_does(text: str, within: bool) -> None:
    assert json_within(text) is within


def test_loads_refuses_a_document_nested_too_deep_before_parsing_it() -> None:
    with pytest.raises(TooDeep, match=f"^the body is nested deeper than {MAX_DEPTH} levels$"):
        loads("[" * 900 + "]" * 900, "the body")
    assert loads('{"a": [1, {"b": []}]}') == {"a": [1, {"b": []}]}
