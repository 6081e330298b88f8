"""Every argument of the fake is checked before anything is arranged: a bad one is an ArrangementError naming it and
what was given (never a TypeError from deep inside, nor an arrangement no request reaches), and a refusal changes
nothing. Ids are the contract's path parameters, so its schemas judge them; and each is a session's own."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.contract import load_contract
from conformance.fake import ArrangementError, RealtimeKitFake
from conformance.fake.arguments import RETRY_AFTER_SECONDS
from conformance.mock import load_data

SEGMENT = "is a URL path segment: not empty, '.' or '..', without '/', '?', '#', '%' or a control character"
JSON = "is a JSON value (str, int, float, bool, None, list, dict of str keys; no NaN or infinity)"
RETRY = "retry_after is an int of seconds from 0 to 86400"
A_UUID = "3f2b9a1e-5c4d-4e8f-9a0b-1c2d3e4f5a6b"
NOW = "now is a datetime or an ISO 8601 time such as 2026-01-05T09:00:00Z, within the years 1 to 9999"
ROOMS = "breakout_rooms is a list of breakout rooms, each a dict of its fields"
BASE_URL = "base_url is an http(s) URL without query or fragment, e.g. https://api.cloudflare.com/client/v4"
ROOM_ID = "0e6f4a52-52b5-4b8e-8d38-3f1c8f7b2a10"


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def fetch(fake: RealtimeKitFake, session_id: str) -> httpx.Response:
    url = f"{fake.base_url}/accounts/{fake.account_id}/realtime/kit/{fake.app_id}/sessions/{session_id}"
    return httpx.get(url, headers={"Authorization": f"Bearer {fake.token}"})


@pytest.fixture
def fake() -> Iterator[RealtimeKitFake]:
    made = RealtimeKitFake()
    made.add_session(id=A_UUID, breakout_rooms=[{}])
    with made.mocked():
        yield made


CONSTRUCTED = [
    ({"edition": "latest"}, "edition is one of documented, current; got 'latest'"),
    ({"edition": None}, "edition is one of documented, current; got None"),
    ({"account_id": "a/b"}, f"account_id {SEGMENT}; got 'a/b'"),
    ({"account_id": ""}, f"account_id {SEGMENT}; got ''"),
    ({"account_id": ".."}, f"account_id {SEGMENT}; got '..'"),
    ({"account_id": "a?b"}, f"account_id {SEGMENT}; got 'a?b'"),
    ({"account_id": "a#b"}, f"account_id {SEGMENT}; got 'a#b'"),
    ({"account_id": "a%2Fb"}, f"account_id {SEGMENT}; got 'a%2Fb'"),
    ({"account_id": "a\nb"}, f"account_id {SEGMENT}; got 'a\\nb'"),
    ({"account_id": "a\x85b"}, f"account_id {SEGMENT}; got 'a\\x85b'"),
    ({"account_id": 12}, "account_id is a string; got 12"),
    (
        {"account_id": "f" * 33},
        "account_id breaks the contract's schema for account_id: "
        f'"{"f" * 33}" is longer than 32 characters (openapi/schemas/account-id.schema.json#/maxLength)',
    ),
    (
        {"app_id": "a" * 33},
        "app_id breaks the contract's schema for app_id: "
        f"\"{'a' * 33}\" is not valid under any of the schemas listed in the 'anyOf' keyword (openapi/schemas/app-id.schema.json#/anyOf)",
    ),
    ({"app_id": "my app/1"}, f"app_id {SEGMENT}; got 'my app/1'"),
    ({"app_id": b"app"}, "app_id is a string; got b'app'"),
    ({"token": 5}, "token is printable ASCII without spaces, as the Authorization header carries it; got 5"),
    ({"token": ""}, "token is printable ASCII without spaces, as the Authorization header carries it; got ''"),
    ({"token": "tok\u00e9n"}, "token is printable ASCII without spaces, as the Authorization header carries it; got 'tokén'"),
    ({"now": "yesterday"}, f"{NOW}; got 'yesterday'"),
    ({"now": 1767603600}, f"{NOW}; got 1767603600"),
    ({"now": "9999-12-31T23:00:00-05:00"}, f"{NOW}; got '9999-12-31T23:00:00-05:00'"),
    ({"seeded": "yes"}, "seeded is True or False; got 'yes'"),
]


@pytest.mark.parametrize(("arguments", "message"), CONSTRUCTED)
def test_a_bad_argument_of_the_fake_is_refused_by_name(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ArrangementError) as refused:
        RealtimeKitFake(**arguments)
    assert str(refused.value) == message


ARRANGED: list[tuple[Callable[[RealtimeKitFake], Any], str]] = [
    (lambda fake: fake.add_session(broken="yes"), "broken is True or False; got 'yes'"),
    (lambda fake: fake.add_session(id=7), "id is a string; got 7"),
    (
        lambda fake: fake.add_session(id="s-1"),
        'id breaks the contract\'s schema for session_id: "s-1" is not a "uuid" (openapi/schemas/session-id.current.schema.json#/format)',
    ),
    (lambda fake: fake.add_session(minutes_consumed=float("nan")), f"minutes_consumed {JSON}; got nan"),
    (lambda fake: fake.add_session(live_participants=float("inf")), f"live_participants {JSON}; got inf"),
    (lambda fake: fake.add_session(meeting_display_name={1, 2}), f"meeting_display_name {JSON}; got {{1, 2}}"),
    (lambda fake: fake.add_session(meta=nested(17)), f"meta nests lists and dicts at most 16 deep; got {nested(17)!r}"),
    (lambda fake: fake.add_session(breakout_rooms=5), f"{ROOMS}; got 5"),
    (lambda fake: fake.add_session(breakout_rooms=["Room 1"]), f"{ROOMS}; got ['Room 1']"),
    (lambda fake: fake.add_session(breakout_rooms=[{"colour": "red"}]), "not a field of the contract's session: breakout_rooms[0].colour"),
    (lambda fake: fake.add_session(breakout_rooms=[{}, {"id": None}]), "breakout_rooms[1].id is a string; got None"),
    (
        lambda fake: fake.add_session(breakout_rooms=[{"breakout_rooms": [{"status": float("nan")}]}]),
        f"breakout_rooms[0].breakout_rooms[0].status {JSON}; got nan",
    ),
    (lambda fake: fake.end_session(5), "session_id is a string; got 5"),
    (lambda fake: fake.end_session(A_UUID, broken=None), "broken is True or False; got None"),
    (lambda fake: fake.end_session(A_UUID, id="another"), f"id stays '{A_UUID}' when the session ends; got 'another'"),
    (lambda fake: fake.end_session(A_UUID, breakout_rooms=[]), "breakout_rooms are sessions of their own: end each by its id; got []"),
    (lambda fake: fake.end_session(A_UUID, live_participants=float("nan")), f"live_participants {JSON}; got nan"),
    (lambda fake: fake.end_session(A_UUID, colour="red"), "not a field of the contract's session: colour"),
    (lambda fake: fake.session(["a"]), "session_id is a string; got ['a']"),
    (lambda fake: fake.fail_next("rate-limited", times=1.5), "times is an int, 1 or more; got 1.5"),
    (lambda fake: fake.fail_next("rate-limited", times="3"), "times is an int, 1 or more; got '3'"),
    (lambda fake: fake.fail_next("rate-limited", times=True), "times is an int, 1 or more; got True"),
    (lambda fake: fake.fail_next("rate-limited", times=-2), "times is an int, 1 or more; got -2"),
    (lambda fake: fake.fail_next("rate-limited", retry_after=-5), f"{RETRY}; got -5"),
    (lambda fake: fake.fail_next("rate-limited", retry_after="abc"), f"{RETRY}; got 'abc'"),
    (lambda fake: fake.fail_next("rate-limited", retry_after=float("nan")), f"{RETRY}; got nan"),
    (lambda fake: fake.fail_next("rate-limited", retry_after=10**30), f"{RETRY}; got {10**30}"),
    (lambda fake: fake.fail_next("rate-limited", retry_after=86_401), f"{RETRY}; got 86401"),
    (lambda fake: fake.fail_next("rate-limited", retry_after=2.0), f"{RETRY}; got 2.0"),
    (lambda fake: fake.fail_all("rate-limited", retry_after=False), f"{RETRY}; got False"),
    (lambda fake: fake.fail_all(429), f"situation is one of {', '.join(RealtimeKitFake().situations)}; got 429"),
    (lambda fake: fake.clock.set("soon"), f"{NOW}; got 'soon'"),
    (lambda fake: fake.clock.advance("60"), "seconds is a finite number (int or float); got '60'"),
    (lambda fake: fake.clock.advance(float("-inf")), "seconds is a finite number (int or float); got -inf"),
    (lambda fake: fake.clock.advance(True), "seconds is a finite number (int or float); got True"),
    (lambda fake: fake.clock.advance(10**12), f"seconds keeps the clock within the years 1 to 9999; got {10**12}"),
    (lambda fake: fake.mocked("api.cloudflare.com"), f"{BASE_URL}; got 'api.cloudflare.com'"),
    (lambda fake: fake.mocked("https://x.test", "https://y.test/?v=4"), f"{BASE_URL}; got 'https://y.test/?v=4'"),
    (lambda fake: fake.route(None), "router is a respx router (respx.mock(), or the respx_mock fixture); got None"),
]


@pytest.mark.parametrize(("arrange", "message"), ARRANGED)
def test_a_bad_argument_of_an_arrangement_is_refused_by_name_and_changes_nothing(
    fake: RealtimeKitFake, arrange: Callable[[RealtimeKitFake], Any], message: str
) -> None:
    before = (copy.deepcopy(fake.app.sessions), list(fake.app.failing), fake.clock.now)
    with pytest.raises(ArrangementError) as refused:
        arrange(fake)
    assert str(refused.value) == message
    assert (fake.app.sessions, fake.app.failing, fake.clock.now) == before


def test_retry_after_spans_the_stated_range_from_the_contracts_minimum() -> None:
    header = load_contract().operation["responses"]["429"]["headers"]["Retry-After"]["schema"]
    assert (header["type"], header["minimum"]) == ("integer", RETRY_AFTER_SECONDS[0])
    fake = RealtimeKitFake()
    session = fake.add_session()
    fake.fail_next("rate-limited", retry_after=0)
    fake.fail_next("rate-limited", retry_after=86_400)
    with fake.mocked():
        assert [fetch(fake, session["id"]).headers["retry-after"] for _ in range(2)] == ["0", "86400"]


def test_breakout_rooms_and_values_nest_at_most_16_deep() -> None:
    fake = RealtimeKitFake(edition="documented")
    room: dict[str, Any] = {"meta": nested(16)}
    for _ in range(16):
        room = {"breakout_rooms": [room]}
    fake.add_session(**room)  # the deepest answer there is, and the suite's checks pass it
    with pytest.raises(ArrangementError, match=r"^(breakout_rooms\[0\]\.){16}breakout_rooms nests breakout rooms at most 16 deep; got "):
        fake.add_session(breakout_rooms=[room])


DUPLICATE = "is already another session's: each session and breakout room has an id of its own; got "


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (lambda fake: fake.add_session(id=A_UUID), f"id {DUPLICATE}'{A_UUID}'"),
        (lambda fake: fake.add_session(breakout_rooms=[{}, {"id": A_UUID}]), f"breakout_rooms[1].id {DUPLICATE}'{A_UUID}'"),
        (lambda fake: fake.add_session(id=ROOM_ID, breakout_rooms=[{"id": ROOM_ID}]), f"breakout_rooms[0].id {DUPLICATE}'{ROOM_ID}'"),
        (lambda fake: fake.add_session(breakout_rooms=[{"id": ROOM_ID}, {"id": ROOM_ID}]), f"breakout_rooms[1].id {DUPLICATE}'{ROOM_ID}'"),
        (lambda fake: fake.add_session(id=fake.session(A_UUID)["breakout_rooms"][0]["id"]), f"id {DUPLICATE}'"),
    ],
)
def test_an_id_is_a_sessions_own(fake: RealtimeKitFake, arrange: Callable[[RealtimeKitFake], Any], message: str) -> None:
    before = copy.deepcopy(fake.app.sessions)
    with pytest.raises(ArrangementError) as refused:
        arrange(fake)
    assert str(refused.value).startswith(message)
    assert fake.app.sessions == before
    assert fetch(fake, ROOM_ID).status_code == 404  # no part of a refusal is kept


def test_a_seeded_sessions_id_is_taken_too() -> None:
    fake = RealtimeKitFake(edition="documented", seeded=True)
    seeded = load_data().session_ids[0]
    with pytest.raises(ArrangementError, match=f"^id {DUPLICATE}'{seeded}'$"):
        fake.add_session(id=seeded)


def test_the_fakes_own_ids_pass_over_one_a_test_took() -> None:
    first = RealtimeKitFake().add_session()["id"]
    fake = RealtimeKitFake()
    fake.add_session(id=first)
    assert fake.add_session()["id"] not in (first, None)


def test_ending_a_breakout_room_ends_it_in_its_parents_answer_too(fake: RealtimeKitFake) -> None:
    (room,) = fake.session(A_UUID)["breakout_rooms"]
    ended = fake.end_session(room["id"])
    assert fake.session(A_UUID)["breakout_rooms"] == [ended] and ended["status"] == "ENDED"


# Ids from anywhere in Unicode, the characters a path cannot carry as they are among them.
ANY_ID = st.text(st.characters(codec="utf-8") | st.sampled_from("/?#%.\x00\x85\u2028 "), max_size=12)


@settings(max_examples=150, deadline=None)
@given(account_id=ANY_ID, session_id=ANY_ID)
def test_an_id_the_fake_takes_reaches_it_through_httpx_as_it_is(account_id: str, session_id: str) -> None:
    """Whatever the fake takes as an id, a client puts in its URL and the fake answers for it."""
    try:
        fake = RealtimeKitFake(edition="documented", account_id=account_id)
        fake.add_session(id=session_id)
    except ArrangementError:
        return
    with fake.mocked():
        answer = fetch(fake, session_id)
    assert (answer.status_code, answer.json()["data"]["session"]["id"]) == (200, session_id)


def test_what_a_test_changes_after_arranging_is_not_the_fakes() -> None:
    fake = RealtimeKitFake(edition="documented")
    meta: dict[str, Any] = {"tags": ["a"]}
    rooms: list[dict[str, Any]] = [{"meta": meta}]
    session = fake.add_session(meta=meta, breakout_rooms=rooms)
    meta["tags"].append("b")
    rooms.append({})
    assert fake.session(session["id"]) == session and session["meta"] == {"tags": ["a"]}
