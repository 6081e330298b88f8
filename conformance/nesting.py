"""One nesting limit for everything parsed from outside (a target's body, a cassette, seed data, a kept case): a
document nested deeper is refused before it is parsed, in one line, instead of exhausting the stack (a 2 KB body nested
900 deep) or the time and memory of a validator walking it (seed data whose breakout rooms nest 450 deep)."""

from __future__ import annotations

import json
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64  # a session with breakout rooms three levels down nests about 12 deep; nothing real comes near
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
# What is no bracket, to delete; and what each bracket adds to the depth.
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


class TooDeep(ValueError):
    """The document nests deeper than MAX_DEPTH."""

    def __init__(self, what: str = "the document") -> None:
        super().__init__(f"{what} is {TOO_DEEP}")


def json_within(data: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests `limit` levels or fewer; text that is no JSON passes (its parse says what it is)."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual case, at the pace of a byte count
        return True
    # Escapes pair up from the left, as a parser reads them: once they are gone, each quote opens or closes a string,
    # and what lies outside strings is every other piece between quotes. Each step runs in C: a 500 KB corpus cache
    # takes 3 ms, where matching its strings one by one took 18.
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.split(b'"')[::2]).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) <= limit


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
