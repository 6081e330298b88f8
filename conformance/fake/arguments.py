"""What a test hands the fake, checked before anything is arranged: a refusal is an ArrangementError naming the
argument and what was given, never a TypeError from deep inside, nor an arrangement no request can reach."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlsplit

from conformance.contract import Contract
from conformance.printable import has_control, printable
from conformance.secret import sendable

RETRY_AFTER_SECONDS = range(0, 86_401)  # the contract's Retry-After is an integer >= 0; a day is the most a test waits
# A character that ends a path segment, starts the query or the fragment, or escapes a byte: an id holding one is not
# the id the fake receives. So are "." and "..", which clients resolve away, and the empty segment.
NOT_IN_A_SEGMENT = ("/", "?", "#", "%")
DOT_SEGMENTS = ("", ".", "..")
SHOWN = 80  # characters of a given value an error shows
# Lists and dicts in a field's value, and breakout rooms in breakout rooms: far deeper than any meeting's (rooms three
# levels down are rare), while a whole answer stays about 50 levels deep, within what clients and checks parse.
MAX_NESTING = 16


class ArrangementError(ValueError):
    """What a test arranged breaks the contract (or names what the fake does not have)."""


def shown(value: Any) -> str:
    """A given value as its repr, escaped and cut short: an error is one line, whatever was given."""
    try:
        text = printable(repr(value))
    except Exception:  # a repr that recurses too deep, or one of the test's own that raises
        text = f"a {type(value).__name__}"
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


def named(name: Any) -> str:
    """A field's name as given: a string as it is (its control characters escaped), anything else as its repr."""
    return printable(name) if isinstance(name, str) else shown(name)


def refused(argument: str, requirement: str, value: Any) -> ArrangementError:
    return ArrangementError(f"{argument} {requirement}; got {shown(value)}")


def a_bool(argument: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise refused(argument, "is True or False", value)
    return value


def a_string(argument: str, value: Any) -> str:
    if not isinstance(value, str):
        raise refused(argument, "is a string", value)
    return value


def one_of(argument: str, value: Any, choices: list[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise refused(argument, f"is one of {', '.join(choices)}", value)
    return value


def a_count(argument: str, value: Any) -> int:
    """A whole number of requests, 1 or more: 1.5 or "3" would fail for ever, or for no request at all."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise refused(argument, "is an int, 1 or more", value)
    return value


def retry_after_seconds(value: Any) -> int:
    """Seconds a 429's Retry-After says, sent as they are: an int of RETRY_AFTER_SECONDS."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in RETRY_AFTER_SECONDS:
        raise refused("retry_after", f"is an int of seconds from {RETRY_AFTER_SECONDS[0]} to {RETRY_AFTER_SECONDS[-1]}", value)
    return value


def an_id(contract: Contract, argument: str, value: Any, parameter: str = "") -> str:
    """An id the contract's schema for the path parameter allows, and that reaches the fake as it is in a URL path."""
    parameter = parameter or argument
    a_string(argument, value)
    broken = contract.validate_parameter(parameter, value)
    if broken:
        reason = printable(f"{broken[0].message} ({broken[0].contract})")[:200]
        raise ArrangementError(f"{argument} breaks the contract's schema for {parameter}: {reason}")
    if value in DOT_SEGMENTS or has_control(value) or any(c in value for c in NOT_IN_A_SEGMENT):
        raise refused(argument, "is a URL path segment: not empty, '.' or '..', without '/', '?', '#', '%' or a control character", value)
    return str(value)


def a_json_value(argument: str, value: Any) -> None:
    """A field's value as a body carries it: JSON, without NaN or infinity (which are not JSON), nested at most
    MAX_NESTING deep."""
    if too_deep(value):
        raise refused(argument, f"nests lists and dicts at most {MAX_NESTING} deep", value)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise refused(
            argument, "is a JSON value (str, int, float, bool, None, list, dict of str keys; no NaN or infinity)", value
        ) from None


def too_deep(value: Any) -> bool:
    """Whether lists and dicts nest in `value` past MAX_NESTING (a list holding itself does): without recursing."""
    stack = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (list, tuple, dict)):
            if level == MAX_NESTING:
                return True
            stack += [(child, level + 1) for child in (node.values() if isinstance(node, dict) else node)]
    return False


def a_base_url(value: Any) -> str:
    """Where httpx clients are to reach the fake: an absolute http(s) URL, no query or fragment."""
    try:
        parts = urlsplit(value) if isinstance(value, str) and not has_control(value) else None
    except ValueError:  # an unclosed IPv6 bracket
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise refused("base_url", "is an http(s) URL without query or fragment, e.g. https://api.cloudflare.com/client/v4", value)
    return str(value)


def finite_seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise refused("seconds", "is a finite number (int or float)", value)
    return value


def a_token(value: Any) -> str:
    if not isinstance(value, str) or not sendable(value):
        raise refused("token", "is printable ASCII without spaces, as the Authorization header carries it", value)
    return value
