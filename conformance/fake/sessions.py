"""Sessions arranged for a test, made from the contract: what a field may hold, and what it holds by default, is read
from the session schema (its required fields, types, formats, enums and x-semantics), never written here."""

from __future__ import annotations

import copy
import itertools
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from conformance.contract import Contract
from conformance.fake.arguments import finite_seconds, refused

NAMESPACE = uuid.UUID("6f1d0c1e-8f37-4a47-9c1b-3f2d7d0a5e11")  # the fake's ids: the same in every run of a test
Taken = Callable[[str], bool]  # whether an id is already a session's


class Clock:
    """The time a test sets: every timestamp the fake writes is this clock's, in RFC 3339 with milliseconds, as
    Cloudflare writes them (2022-01-12T14:21:34.398Z). Threads may set it while others arrange: it has a lock."""

    def __init__(self, now: datetime | str = "2026-01-05T09:00:00.000Z") -> None:
        self._lock = threading.Lock()
        self.now = _parsed(now)

    def set(self, now: datetime | str) -> None:
        """The clock at `now`: a datetime (naive is UTC) or an ISO 8601 time such as 2026-01-05T09:00:00Z."""
        parsed = _parsed(now)
        with self._lock:
            self.now = parsed

    def advance(self, seconds: float) -> None:
        """The clock `seconds` later (earlier when negative), within the years 1 to 9999."""
        step = finite_seconds(seconds)
        with self._lock:
            try:
                self.now += timedelta(seconds=step)
            except OverflowError:
                raise refused("seconds", "keeps the clock within the years 1 to 9999", seconds) from None

    def stamp(self) -> str:
        with self._lock:
            now = self.now
        return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parsed(moment: Any) -> datetime:
    """`moment` in UTC, or a refusal naming `now`."""
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00")) if isinstance(moment, str) else moment
        if not isinstance(parsed, datetime):
            raise TypeError(moment)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    except (TypeError, ValueError, OverflowError):  # not a time, or one in UTC before the year 1 or after 9999
        raise refused("now", "is a datetime or an ISO 8601 time such as 2026-01-05T09:00:00Z, within the years 1 to 9999", moment) from None


class SessionMaker:
    """New sessions of one app, each field given by the test or by default, the way the contract says it may be."""

    def __init__(self, contract: Contract, app_id: str, clock: Clock) -> None:
        self.contract, self.app_id, self.clock = contract, app_id, clock
        self.fields = contract.session["properties"]
        self._numbers = itertools.count(1)

    def new_id(self, taken: Taken) -> str:
        """The next id of the fake's own series, past any a test gave a session of its own."""
        while True:
            made = str(uuid.uuid5(NAMESPACE, f"{self.app_id}/{next(self._numbers)}"))
            if not taken(made):
                return made

    def make(self, given: dict[str, Any], taken: Taken = lambda _: False) -> dict[str, Any]:
        """The session: what is given, every other required field by default, and whatever the given values make
        present (an ENDED session's ended_at); breakout rooms are sessions made the same way, at the same moment."""
        return self._made(given, self.clock.stamp(), taken)

    def _made(self, given: dict[str, Any], now: str, taken: Taken) -> dict[str, Any]:
        rooms = self.contract.nested_sessions_field
        session = {name: value for name, value in given.items() if name != rooms}
        for name, bound in self._rules("at-most"):  # a bound left to its default holds what is given under it
            if name in given and bound not in given:
                session[bound] = given[name]
        for name in self.contract.session["required"]:
            session.setdefault(name, self.default(name, now, taken))
        for name, condition in self._present_only_when():
            if all(session.get(field) == value for field, value in condition.items()):
                session.setdefault(name, self.default(name, now, taken))
        if rooms in given:
            session[rooms] = [self._made(room, now, taken) for room in given[rooms]]
        return session

    def ended(self, session: dict[str, Any]) -> dict[str, Any]:
        """The session as it is once it has ended: the status and end time its x-semantics name, updated now."""
        changed, now = copy.deepcopy(session), self.clock.stamp()
        for name, condition in self._present_only_when():
            changed.update(condition)
            changed[name] = now
        for name in self._timestamps_updated():
            changed[name] = now
        return changed

    def default(self, name: str, now: str, taken: Taken) -> Any:
        """What a field holds unless the test says otherwise, from its schema: the path parameter it echoes, now for
        a timestamp, the first value of an enum, 0 for a count, else a new id."""
        schema = self.fields[name]
        echoed = schema.get("x-semantics", {}).get("equals-path-parameter")
        if echoed == "app_id":
            return self.app_id
        if schema.get("format") == "date-time":
            return now
        if "enum" in schema:
            return schema["enum"][0]
        if schema.get("type") == "number":
            return 0
        return self.new_id(taken)  # the session's own id, and any other id it holds

    def _rules(self, name: str) -> list[tuple[str, Any]]:
        """(field, argument) of each session field with the x-semantics rule `name`."""
        return [(field, rules[name]) for field, rules in self.contract.field_semantics().items() if name in rules]

    def _present_only_when(self) -> list[tuple[str, dict[str, Any]]]:
        return self._rules("present-only-when")

    def _timestamps_updated(self) -> list[str]:
        """The timestamps an end moves to now: those the contract orders after another (the end, the last update)."""
        return [field for field, _ in self._rules("not-before")]
