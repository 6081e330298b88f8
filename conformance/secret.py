"""The API token, held so that it cannot be shown by accident: its repr and str are redacted, so a traceback, pytest's
-l locals, a --showlocals JUnit file, a log line or a report that formats it shows `Secret('***')`. Its value is
taken with reveal(), only where a request's header is built and where the token is looked for to redact it."""

from __future__ import annotations

from typing import Any

REDACTED = "Secret('***')"


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
