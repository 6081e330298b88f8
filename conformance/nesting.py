"""One nesting limit for everything parsed from outside (a target's body, a cassette, seed data, a kept case): a
document nested deeper is refused before it is parsed, in one line, instead of exhausting the stack (a 2 KB body nested
900 deep) or the time and memory of a validator walking it (seed data whose breakout rooms nest 450 deep)."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # a session with breakout rooms three levels down nests about 12 deep; nothing real comes near
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
# A JSON string (skipped whole: a bracket inside one is text) or a bracket that opens or closes a level.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class TooDeep(ValueError):
    """The document nests deeper than MAX_DEPTH."""

    def __init__(self, what: str = "the document") -> None:
        super().__init__(f"{what} is {TOO_DEEP}")


def json_within(data: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests `limit` levels or fewer; text that is no JSON passes (its parse says what it is)."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual case, at the pace of a byte count
        return True
    depth = 0
    for token in _JSON_TOKENS.finditer(raw):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return False
        elif bracket in (b"]", b"}"):
            depth -= 1
    return True


def loads(data: bytes | str, what: str = "the document") -> Any:
    """json.loads, refusing a document nested deeper than MAX_DEPTH with TooDeep (a ValueError) before parsing it."""
    if not json_within(data):
        raise TooDeep(what)
    return json.loads(data)


def tree_within(root: Any, children: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a tree (a YAML node tree, say) nests `limit` levels or fewer; `children(node)` lists a node's children.
    Walked with a stack of its own, so that no depth exhausts Python's; a node met again (a YAML alias: an alias bomb
    is a few nodes met billions of times) is walked once."""
    stack, seen = [(root, 1)], set()
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if id(node) not in seen:
            seen.add(id(node))
            stack += [(child, depth + 1) for child in children(node)]
    return True
