"""Sessions arranged for a test, made from the contract: what a field may hold, and what it holds by default, is read
from the session schema (its required fields, types, formats, enums and x-semantics), never written here."""

from __future__ import annotations

import copy
import itertools
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from conformance.contract import Contract

NAMESPACE = uuid.UUID("6f1d0c1e-8f37-4a47-9c1b-3f2d7d0a5e11")  # the fake's ids: the same in every run of a test


class Clock:
    """The time a test sets: every timestamp the fake writes is this clock's, in RFC 3339 with milliseconds, as
    Cloudflare writes them (2022-01-12T14:21:34.398Z)."""

    def __init__(self, now: datetime | str = "2026-01-05T09:00:00.000Z") -> None:
        self.now = _parsed(now)

    def set(self, now: datetime | str) -> None:
        self.now = _parsed(now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def stamp(self) -> str:
        return self.now.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parsed(moment: datetime | str) -> datetime:
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00")) if isinstance(moment, str) else moment
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class SessionMaker:
    """New sessions of one app, each field given by the test or by default, the way the contract says it may be."""

    def __init__(self, contract: Contract, app_id: str, clock: Clock) -> None:
        self.contract, self.app_id, self.clock = contract, app_id, clock
        self.fields = contract.session["properties"]
        self._numbers = itertools.count(1)

    def new_id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{self.app_id}/{next(self._numbers)}"))

    def make(self, given: dict[str, Any]) -> dict[str, Any]:
        """The session: what is given, every other required field by default, and whatever the given values make
        present (an ENDED session's ended_at); breakout rooms are sessions made the same way."""
        rooms = self.contract.nested_sessions_field
        session = {name: value for name, value in given.items() if name != rooms}
        for name, bound in self._rules("at-most"):  # a bound left to its default holds what is given under it
            if name in given and bound not in given:
                session[bound] = given[name]
        for name in self.contract.session["required"]:
            session.setdefault(name, self.default(name))
        for name, condition in self._present_only_when():
            if all(session.get(field) == value for field, value in condition.items()):
                session.setdefault(name, self.default(name))
        if rooms in given:
            session[rooms] = [self.make(dict(room)) for room in given[rooms]]
        return session

    def ended(self, session: dict[str, Any]) -> dict[str, Any]:
        """The session as it is once it has ended: the status and end time its x-semantics name, updated now."""
        changed = copy.deepcopy(session)
        for name, condition in self._present_only_when():
            changed.update(condition)
            changed[name] = self.clock.stamp()
        for name in self._timestamps_updated():
            changed[name] = self.clock.stamp()
        return changed

    def default(self, name: str) -> Any:
        """What a field holds unless the test says otherwise, from its schema: the path parameter it echoes, now for
        a timestamp, the first value of an enum, 0 for a count, else a new id."""
        schema = self.fields[name]
        echoed = schema.get("x-semantics", {}).get("equals-path-parameter")
        if echoed == "app_id":
            return self.app_id
        if echoed == "session_id":
            return self.new_id()
        if schema.get("format") == "date-time":
            return self.clock.stamp()
        if "enum" in schema:
            return schema["enum"][0]
        if schema.get("type") == "number":
            return 0
        return self.new_id()

    def _rules(self, name: str) -> list[tuple[str, Any]]:
        """(field, argument) of each session field with the x-semantics rule `name`."""
        return [(field, rules[name]) for field, rules in self.contract.field_semantics().items() if name in rules]

    def _present_only_when(self) -> list[tuple[str, dict[str, Any]]]:
        return self._rules("present-only-when")

    def _timestamps_updated(self) -> list[str]:
        """The timestamps an end moves to now: those the contract orders after another (the end, the last update)."""
        return [field for field, _ in self._rules("not-before")]
