"""One fake arranged from many threads at once, as a test's own threads or a served fake's do: nothing arranged is lost,
and a refused arrangement takes back nothing of anyone else's."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from conformance.fake import ArrangementError, RealtimeKitFake

THREADS = 16


@pytest.fixture(autouse=True)
def switching_often() -> Iterator[None]:
    """Threads switch every 100 microseconds instead of 5 milliseconds: a race shows in every run, not one in many."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """One client for every request: a client of its own each would load the certificate store again."""
    with httpx.Client() as made:
        yield made


def fetch(client: httpx.Client, fake: RealtimeKitFake, session_id: str, **params: str) -> httpx.Response:
    url = f"{fake.base_url}/accounts/{fake.account_id}/realtime/kit/{fake.app_id}/sessions/{session_id}"
    return client.get(url, params=params, headers={"Authorization": f"Bearer {fake.token}"})


def at_once(work: Callable[[int], None]) -> list[BaseException]:
    """`work(n)` on THREADS threads, started together; what any of them raised."""
    raised: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(number: int) -> None:
        start.wait()
        try:
            work(number)
        except BaseException as error:
            raised.append(error)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return raised


def arranging(fake: RealtimeKitFake, added: list[dict[str, Any]]) -> Callable[[int], None]:
    """Each thread adds four sessions (one with two breakout rooms), and between them tries one the contract refuses
    and one that reuses an id: both must be refused, and take nothing back."""

    def work(number: int) -> None:
        for each in range(4):
            rooms = [{"meeting_display_name": f"{number}-{each}-a"}, {}] if each == 3 else []
            added.append(fake.add_session(meeting_display_name=f"{number}-{each}", live_participants=each, breakout_rooms=rooms))
            if each == 1:
                with pytest.raises(ArrangementError, match=r"^the arranged session breaks the contract"):
                    fake.add_session(live_participants=-1)
                with pytest.raises(ArrangementError, match=r"^breakout_rooms\[0\]\.id is already another session's"):
                    fake.add_session(breakout_rooms=[{"id": added[-1]["id"]}])

    return work


def test_sixteen_threads_arranging_at_once_lose_nothing(client: httpx.Client) -> None:
    fake = RealtimeKitFake()
    added: list[dict[str, Any]] = []
    assert at_once(arranging(fake, added)) == []
    sessions = added + [room for session in added for room in session.get("breakout_rooms", [])]
    assert len(sessions) == THREADS * 4 + THREADS * 2 == len({s["id"] for s in sessions})
    with fake.mocked():
        answers = {s["id"]: fetch(client, fake, s["id"], include_breakout_rooms="true") for s in sessions}
    assert {i: a.status_code for i, a in answers.items()} == dict.fromkeys(answers, 200)
    assert all(answers[s["id"]].json()["data"] == {"breakout_rooms": [], **s} for s in sessions)
    assert len(fake.app.sessions[fake.app_id]) == len(sessions)  # and nothing else: no refused session was kept


def test_threads_arranging_while_others_fetch_and_fail(client: httpx.Client) -> None:
    """Half the threads arrange and end sessions while the other half fetch them and arrange failures: every fetch is
    answered (a session, or an arranged failure), every session is there at the end."""
    fake = RealtimeKitFake()
    added: list[dict[str, Any]] = []
    statuses: list[int] = []

    def work(number: int) -> None:
        if number % 2:
            for _ in range(5):
                added.append(fake.end_session(fake.add_session(live_participants=2)["id"], live_participants=0))
            return
        fake.fail_next("server-error", times=2)
        statuses.extend(fetch(client, fake, session["id"]).status_code for session in list(added))
        fake.recover()

    with fake.mocked():
        assert at_once(work) == []
        assert set(statuses) <= {200, 500}
        assert all(fetch(client, fake, s["id"]).json()["data"] == s for s in added) and len(added) == THREADS // 2 * 5
