"""The fake's arrange API driven by Hypothesis, step after step, as tests arrange it: sessions added with fields valid
and not, ended, failures arranged and recovered from, the clock moved, fakes made with bad arguments, requests through
httpx in-process (`mocked()`), and arrangements from several threads at once. After every step, against a model:

- every answer passes the suite's own checks for what it answers, unless broken=True made it so;
- every bad argument is an ArrangementError naming it, and changes nothing;
- nothing arranged is lost: every session is stored, and answered, as the model says, and nothing else is.

The default budget runs with the other tests in a few seconds; `pytest -m fuzz` runs a long one and prints its steps.
"""

from __future__ import annotations

import itertools
import math
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from jsonpointer import resolve_pointer

from conformance.contract import load_contract
from conformance.fake import ArrangementError, RealtimeKitFake
from conformance.fake.checked import failures_in
from conformance.transport.exchange import Received
from conformance.transport.probes import UNKNOWN_SESSION_ID

CONTRACT = load_contract()
ROOMS = CONTRACT.nested_sessions_field
ENUMS = CONTRACT.enum_fields()
STEPS = itertools.count()  # steps run in this process, every machine's: what the fuzz budget reports
SERVER_ERROR_BODY = {"success": False, "error": {"code": 500, "message": "Internal server error"}}

# What the fake takes: ids a URL path segment carries as they are, within the contract's 32 characters.
SEGMENT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters="/?#%\u2028\u2029"), min_size=1, max_size=32
).filter(lambda text: text not in (".", ".."))
UUIDS = st.uuids().map(str).filter(lambda made: made != UNKNOWN_SESSION_ID)
COUNTS = st.integers(0, 10**6) | st.floats(0, 1e6)
OPTIONAL = {
    "meeting_display_name": st.text(max_size=20),
    "associated_id": st.text(max_size=20),
    "minutes_consumed": COUNTS,
    **{name: st.sampled_from(values) for name, values in ENUMS.items()},
}
# What it refuses: as an argument, whatever else is arranged, or as a session the contract does not allow.
BAD_SEGMENTS = st.sampled_from(["", ".", "..", "a/b", "a?b", "a#b", "100%", "a\tb", "\x85", "a\u2028b"]) | st.sampled_from([7, None, ["x"]])
NOT_JSON = st.sampled_from([math.nan, math.inf, -math.inf, {1, 2}, b"bytes", object()])
BAD_ROOMS = st.sampled_from([5, "rooms", [1], [None], {"id": "x"}])
BREAKING = st.sampled_from(
    [
        ("live_participants", -1),
        ("live_participants", "3"),
        ("max_concurrent_participants", -0.5),
        ("minutes_consumed", -2),
        ("status", "PAUSED"),
        ("type", "conference"),
        ("created_at", "yesterday"),
        ("updated_at", "2000-01-01T00:00:00.000Z"),
        ("meeting_display_name", 7),
        ("associated_id", None),
        ("organization_id", "another-app"),
    ]
)
BAD_TIMES = st.sampled_from([0, -1, 1.5, "3", True, None])
BAD_RETRY_AFTER = st.sampled_from([-1, 86_401, 10**30, "1", 1.0, math.nan, False, None])
BAD_SECONDS = st.sampled_from(["60", math.nan, math.inf, True, None, 10**12, [1]])
BAD_SITUATIONS = st.sampled_from(["gremlins", "", 429, None])
BAD_ENDINGS = {  # what end_session is given, and the argument its refusal names
    "id": ("id", {"id": "another"}),
    "rooms": (ROOMS, {ROOMS: []}),
    "not-json": ("minutes_consumed", {"minutes_consumed": math.nan}),
}
BAD_CONSTRUCTION = st.sampled_from(["edition", "account_id", "app_id", "token", "now", "seeded"]).flatmap(
    lambda name: st.tuples(
        st.just(name), BAD_SEGMENTS | st.just("f" * 33) if name.endswith("_id") else st.sampled_from(["latest", "", 5, None, "a b"])
    )
)
TAKEN_AS_GOOD = [("account_id", None), ("app_id", None), ("token", None), ("token", "latest")]  # the defaults, and a token


def ids_of(edition: str) -> st.SearchStrategy[str]:
    """Session ids the edition's contract allows: UUIDs in the current one, any path segment in the documented one."""
    return UUIDS if edition == "current" else SEGMENT | UUIDS


@st.composite
def valid_fields(draw: st.DrawFn, ids: st.SearchStrategy[str] | None, depth: int = 0) -> dict[str, Any]:
    """Fields every rule of the contract allows together; explicit ids drawn from `ids` (none when None)."""
    fields: dict[str, Any] = {"id": draw(ids)} if ids is not None and draw(st.booleans()) else {}
    if draw(st.booleans()):
        fields["max_concurrent_participants"] = maximum = draw(COUNTS)
        fields["live_participants"] = draw(st.integers(0, int(maximum)))
    elif draw(st.booleans()):
        fields["live_participants"] = draw(COUNTS)  # the fake makes its maximum the same
    fields.update({name: draw(strategy) for name, strategy in OPTIONAL.items() if draw(st.booleans())})
    if depth < 2 and draw(st.booleans()):
        fields[ROOMS] = draw(st.lists(valid_fields(ids, depth + 1), max_size=2))
    return fields


def places(fields: dict[str, Any], where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Each session of an arrangement with where it is given: ("", top), ("breakout_rooms[0].", room), ..."""
    found = [(where, fields)]
    for number, room in enumerate(fields.get(ROOMS, [])):
        found += places(room, f"{where}{ROOMS}[{number}].")
    return found


@dataclass
class Model:
    """What the test arranged, as it expects the fake to hold it."""

    own: dict[str, dict[str, Any]] = field(default_factory=dict)  # each session's own fields, by id
    rooms: dict[str, list[str] | None] = field(default_factory=dict)  # its breakout rooms' ids; None: no such field
    broken: set[str] = field(default_factory=set)  # sessions that break the contract, arranged so with broken=True
    failing: list[list[Any]] = field(default_factory=list)  # [situation, requests left (None: all), retry_after]
    requests: int = 0

    def keep(self, session: dict[str, Any]) -> None:
        self.own[session["id"]] = {name: value for name, value in session.items() if name != ROOMS}
        self.rooms[session["id"]] = [room["id"] for room in session[ROOMS]] if ROOMS in session else None
        for room in session.get(ROOMS, []):
            self.keep(room)

    def tree(self, session_id: str) -> dict[str, Any]:
        """The session as stored: its own fields, and its breakout rooms as they are now."""
        rooms = self.rooms[session_id]
        return {**self.own[session_id], **({} if rooms is None else {ROOMS: [self.tree(room) for room in rooms]})}

    def breaks(self, session_id: str, with_rooms: bool) -> bool:
        below = (self.rooms[session_id] or []) if with_rooms else []
        return session_id in self.broken or any(self.breaks(room, True) for room in below)

    def next_failure(self) -> tuple[str, int] | None:
        """The failure the next request gets, if any, counted as the fake counts it."""
        if not self.failing:
            return None
        situation, left, retry_after = head = self.failing[0]
        if left is not None:
            head[1] -= 1
            if head[1] == 0:
                self.failing.pop(0)
        return situation, retry_after


def at_once(threads: list[threading.Thread]) -> None:
    """The threads started together and joined, switching every 10 microseconds instead of 5 ms: a race shows."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(before)


def refused(call: Callable[[], Any], naming: str, exactly_at_start: bool = True) -> str:
    """The ArrangementError `call` raises, which names `naming` (at its start: '{argument} is ...; got ...')."""
    with pytest.raises(ArrangementError) as error:
        call()
    message = str(error.value)
    assert message.startswith(naming + " ") if exactly_at_start else naming in message, message
    return message


class FakeMachine(RuleBasedStateMachine):
    """One fake, arranged and asked step after step; the model says what every answer must be."""

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.exits = ExitStack()

    @initialize(edition=st.sampled_from(["current", "documented"]), account=st.none() | SEGMENT, app=st.none() | SEGMENT | UUIDS)
    def start(self, edition: str, account: str | None, app: str | None) -> None:
        self.fake = RealtimeKitFake(edition=edition, account_id=account, app_id=app)
        self.contract = load_contract(edition)
        self.ids = ids_of(edition)
        self.exits.enter_context(self.fake.mocked())
        self.client = self.exits.enter_context(httpx.Client())

    def teardown(self) -> None:
        self.exits.close()

    @rule(data=st.data(), broken=st.booleans())
    def add_a_session(self, data: st.DataObject, broken: bool) -> None:
        fields = data.draw(valid_fields(self.ids))
        taken = self.taken_at(fields)
        if taken:
            refused(lambda: self.fake.add_session(broken=broken, **fields), taken)
            return
        self.model.keep(self.fake.add_session(broken=broken, **fields))

    @rule(data=st.data(), broken=st.booleans(), kind=st.sampled_from(["id", "duplicate", "not-json", "unknown", "rooms"]))
    def add_a_session_with_a_bad_argument(self, data: st.DataObject, broken: bool, kind: str) -> None:
        """Refused whatever broken says: an argument no session can have."""
        fields = data.draw(valid_fields(None))
        where, place = data.draw(st.sampled_from(places(fields)))
        if kind == "duplicate" and not self.model.own:
            kind = "id"
        naming, place_it = self.bad_argument(data, kind, where)
        place_it(place)
        refused(lambda: self.fake.add_session(broken=broken, **fields), naming, exactly_at_start=kind != "unknown")

    def bad_argument(self, data: st.DataObject, kind: str, where: str) -> tuple[str, Callable[[dict[str, Any]], None]]:
        """What the error is to name, and how to put the bad argument in place."""
        if kind == "id":
            bad = data.draw(BAD_SEGMENTS | (st.just("not-a-uuid") if self.fake.edition == "current" else st.nothing()))
            return f"{where}id", lambda place: place.update(id=bad)
        if kind == "duplicate":
            taken = data.draw(st.sampled_from(sorted(self.model.own)))
            return f"{where}id", lambda place: place.update(id=taken)
        if kind == "not-json":
            name, bad = data.draw(st.sampled_from(sorted(OPTIONAL))), data.draw(NOT_JSON)
            return f"{where}{name}", lambda place: place.update({name: bad})
        if kind == "unknown":
            return f"{where}colour", lambda place: place.update(colour="red")
        bad = data.draw(BAD_ROOMS)
        return f"{where}{ROOMS}", lambda place: place.update({ROOMS: bad})

    @rule(data=st.data(), broken=st.booleans(), breaking=BREAKING)
    def add_a_session_the_contract_does_not_allow(self, data: st.DataObject, broken: bool, breaking: tuple[str, Any]) -> None:
        """Refused with the suite's own failure, which names the field; served as it is with broken=True."""
        fields = data.draw(valid_fields(None))
        number = data.draw(st.integers(0, len(places(fields)) - 1))
        places(fields)[number][1][breaking[0]] = breaking[1]
        if not broken:
            message = refused(lambda: self.fake.add_session(**fields), "the arranged session breaks the contract", exactly_at_start=False)
            assert breaking[0] in message, message
            return
        session = self.fake.add_session(broken=True, **fields)
        self.model.keep(session)
        self.model.broken.add(places(session)[number][1]["id"])  # the session made where the field was given

    @rule(data=st.data(), broken=st.booleans(), change=st.sampled_from([{}, {"live_participants": 0}, {"meeting_display_name": "over"}]))
    def end_a_session(self, data: st.DataObject, broken: bool, change: dict[str, Any]) -> None:
        if not self.model.own:
            return
        session_id = data.draw(st.sampled_from(sorted(self.model.own)))
        breaks = self.model.breaks(session_id, with_rooms=True)  # its answers may break whatever the end changes
        ended = self.fake.end_session(session_id, broken=broken or breaks, **change)
        assert (ended["status"], ended["ended_at"], ended["updated_at"]) == ("ENDED", self.fake.clock.stamp(), self.fake.clock.stamp())
        assert ended == {**self.model.tree(session_id), **{name: ended[name] for name in ("status", "ended_at", "updated_at")}, **change}
        self.model.keep(ended)

    @rule(data=st.data(), kind=st.sampled_from(["unknown", "breaking", *BAD_ENDINGS]))
    def end_a_session_with_a_bad_argument(self, data: st.DataObject, kind: str) -> None:
        if kind == "unknown" or not self.model.own:
            refused(lambda: self.fake.end_session(UNKNOWN_SESSION_ID), "session_id")
            return
        session_id = data.draw(st.sampled_from(sorted(self.model.own)))
        if kind == "breaking" and not self.model.breaks(session_id, with_rooms=True):
            message = refused(lambda: self.fake.end_session(session_id, live_participants=-1), "the arranged", exactly_at_start=False)
            assert "live_participants" in message
            return
        naming, change = BAD_ENDINGS.get(kind, BAD_ENDINGS["not-json"])
        refused(lambda: self.fake.end_session(session_id, **change), naming)

    @rule(situation=st.sampled_from(RealtimeKitFake().situations), times=st.none() | st.integers(1, 3), retry_after=st.integers(0, 86_400))
    def arrange_a_failure(self, situation: str, times: int | None, retry_after: int) -> None:
        if times is None:
            self.fake.fail_all(situation, retry_after=retry_after)
        else:
            self.fake.fail_next(situation, times, retry_after=retry_after)
        self.model.failing.append([situation, times, retry_after])

    @rule(argument=st.sampled_from(["situation", "times", "retry_after"]), data=st.data())
    def arrange_a_failure_with_a_bad_argument(self, argument: str, data: st.DataObject) -> None:
        bad = data.draw({"situation": BAD_SITUATIONS, "times": BAD_TIMES, "retry_after": BAD_RETRY_AFTER}[argument])
        arguments: dict[str, Any] = {"situation": "rate-limited", argument: bad}
        every_request = argument != "times" and data.draw(st.booleans())  # fail_all has no times
        refused(lambda: (self.fake.fail_all if every_request else self.fake.fail_next)(**arguments), argument)

    @rule()
    def recover(self) -> None:
        self.fake.recover()
        self.model.failing.clear()

    @rule(seconds=st.integers(0, 30 * 86_400) | st.floats(0, 1e6))
    def advance_the_clock(self, seconds: float) -> None:
        self.fake.clock.advance(seconds)

    @rule(seconds=BAD_SECONDS)
    def advance_the_clock_by_a_bad_argument(self, seconds: Any) -> None:
        before = self.fake.clock.now
        refused(lambda: self.fake.clock.advance(seconds), "seconds")
        assert self.fake.clock.now == before

    @rule(bad=BAD_CONSTRUCTION)
    def make_a_fake_with_a_bad_argument(self, bad: tuple[str, Any]) -> None:
        if bad in TAKEN_AS_GOOD:
            RealtimeKitFake(**dict([bad]))
        else:
            refused(lambda: RealtimeKitFake(**dict([bad])), bad[0])

    @rule(data=st.data(), with_rooms=st.booleans())
    def fetch(self, data: st.DataObject, with_rooms: bool) -> None:
        session_id = data.draw(st.sampled_from([UNKNOWN_SESSION_ID, *sorted(self.model.own)]))
        query = {CONTRACT.breakout_rooms_parameter: "true"} if with_rooms else {}
        answer = self.client.get(self.url(session_id), params=query, headers={"Authorization": f"Bearer {self.fake.token}"})
        self.model.requests += 1
        failure = self.model.next_failure()
        if failure is not None:
            self.answers_the_failure(answer, session_id, *failure)
        elif session_id == UNKNOWN_SESSION_ID:
            assert answer.status_code == 404 and self.failures(answer, session_id, "unknown-session") == []
        else:
            self.answers_the_session(answer, session_id, query)

    @rule(data=st.data())
    def arrange_from_threads(self, data: st.DataObject) -> None:
        """Four threads at once, each adding sessions, fetching them, and trying one the contract refuses and one
        that reuses an id of its own: each of those refused, every other kept."""
        plans = [data.draw(st.lists(valid_fields(None), min_size=1, max_size=3)) for _ in range(4)]
        fetching = not self.model.failing  # an arranged failure would answer whichever thread came first
        done: list[list[dict[str, Any]]] = [[] for _ in plans]
        raised: list[BaseException] = []
        at_once([threading.Thread(target=self.arranging, args=(plan, done[n], raised, fetching)) for n, plan in enumerate(plans)])
        assert raised == []
        for session in itertools.chain.from_iterable(done):
            self.model.keep(session)
        self.model.requests += sum(map(len, plans)) if fetching else 0

    def arranging(self, plan: list[dict[str, Any]], done: list[dict[str, Any]], raised: list[BaseException], fetching: bool) -> None:
        try:
            for fields in plan:
                done.append(self.fake.add_session(**fields))
                if fetching:
                    answer = self.client.get(self.url(done[-1]["id"]), headers={"Authorization": f"Bearer {self.fake.token}"})
                    assert resolve_pointer(answer.json(), self.contract.session_pointer)["id"] == done[-1]["id"]
            refused(lambda: self.fake.add_session(live_participants=-1), "the arranged session breaks", exactly_at_start=True)
            refused(lambda: self.fake.add_session(id=done[0]["id"]), "id")
        except BaseException as error:
            raised.append(error)

    @invariant()
    def nothing_arranged_is_lost(self) -> None:
        next(STEPS)
        assert set(self.fake.app.sessions[self.fake.app_id]) == set(self.model.own)  # and no part of a refusal kept
        assert all(self.fake.session(session_id) == self.model.tree(session_id) for session_id in self.model.own)
        assert [[f.situation, f.times, f.retry_after] for f in self.fake.app.failing] == self.model.failing
        assert len(self.fake.requests) == self.model.requests

    def taken_at(self, fields: dict[str, Any]) -> str:
        """Where the first id of the arrangement that is already another session's is given ('' when none is)."""
        seen = set(self.model.own)
        for where, place in places(fields):
            if "id" in place and place["id"] in seen:
                return f"{where}id"
            seen.update([place["id"]] if "id" in place else [])
        return ""

    def url(self, session_id: str) -> str:
        return f"{self.fake.base_url}/accounts/{self.fake.account_id}/realtime/kit/{self.fake.app_id}/sessions/{session_id}"

    def failures(self, answer: httpx.Response, session_id: str, kind: str, query: dict[str, str] | None = None) -> list[str]:
        """What the suite's checks for a probe of `kind` find in the answer: the fake's own way of checking one."""
        params = {"account_id": self.fake.account_id, "app_id": self.fake.app_id, "session_id": session_id}
        received = Received(answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, answer.content)
        return failures_in(self.contract, kind, params, query or {}, received)

    def answers_the_session(self, answer: httpx.Response, session_id: str, query: dict[str, str]) -> None:
        assert answer.status_code == 200, answer.text
        expected = self.model.tree(session_id)
        for name in self.contract.other_edition_fields():
            expected.pop(name, None)
        expected = {**expected, ROOMS: expected.get(ROOMS, [])} if query else {k: v for k, v in expected.items() if k != ROOMS}
        assert resolve_pointer(answer.json(), self.contract.session_pointer) == expected
        if not self.model.breaks(session_id, with_rooms=bool(query)):
            assert self.failures(answer, session_id, "breakout" if query else "session", query) == []

    def answers_the_failure(self, answer: httpx.Response, session_id: str, situation: str, retry_after: int) -> None:
        """The answer the contract records for the situation (a 500 in RealtimeKit's own shape for a server error),
        which the suite's checks of any answer pass: all but the one that fails a 5xx, asked for here on purpose."""
        if situation == "server-error":
            assert (answer.status_code, answer.json()) == (500, SERVER_ERROR_BODY)
            return
        recorded = self.contract.recorded_failures[situation]
        assert (answer.status_code, answer.json()) == (recorded.status, recorded.body)
        assert answer.headers.get("retry-after") == (str(retry_after) if recorded.status == 429 else None)
        assert self.failures(answer, session_id, "property") == []


BUDGET = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SHORT = settings(BUDGET, max_examples=25, stateful_step_count=25, derandomize=True)  # the same steps in every run, a few seconds
LONG = settings(BUDGET, max_examples=300, stateful_step_count=50)  # new steps in every run
FUZZ_STEPS = 2_000  # at least, in the long budget


def test_the_arrange_api_keeps_its_promises() -> None:
    run_state_machine_as_test(FakeMachine, settings=SHORT)


@pytest.mark.fuzz
def test_the_arrange_api_keeps_its_promises_for_thousands_of_steps(
    capsys: pytest.CaptureFixture[str], record_property: Callable[[str, object], None]
) -> None:
    first, began = next(STEPS), time.perf_counter()
    run_state_machine_as_test(FakeMachine, settings=LONG)
    steps, seconds = next(STEPS) - first - 1, time.perf_counter() - began
    with capsys.disabled():  # the steps and the time, to be quoted
        print(f"\nthe fake's state machine: {steps} steps in {seconds:.1f} s, {LONG.max_examples} runs of up to {LONG.stateful_step_count}")
    record_property("steps", steps)
    assert steps >= FUZZ_STEPS
