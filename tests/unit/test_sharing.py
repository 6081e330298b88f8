"""A request the run already sent is not sent again: explicit probes and generated cases share its answer."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.contract import BASE_PATH
from conformance.mock import MockData
from conformance.transport.http import Limits, Transport, TransportFailure
from tests.conftest import RecordingMock


@pytest.fixture
def transport() -> Iterator[Transport]:
    with contextlib.closing(Transport(Limits(deadline=5))) as made:
        yield made


def test_the_same_get_twice_is_sent_once_and_shares_the_answer(serve: Any, data: MockData, transport: Transport) -> None:
    mock = RecordingMock(data)
    url = serve(mock) + BASE_PATH + f"/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
    auth = {"Authorization": f"Bearer {data.token}"}
    first = transport.send("GET", url, auth, params={"include_breakout_rooms": "true"})
    again = transport.send("GET", url + "?include_breakout_rooms=true", {**auth, "User-Agent": "another sender"})
    assert again is first  # the query in the URL or as params, another User-Agent: the same request
    assert (len(mock.requests), transport.sent, transport.shared) == (1, 1, 1)


def test_asked_again_in_the_same_words_the_request_is_not_even_built(
    serve: Any, data: MockData, transport: Transport, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = serve(RecordingMock(data)) + BASE_PATH + f"/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
    auth = {"Authorization": f"Bearer {data.token}"}
    first = transport.send("GET", url, {**auth, "X-Schemathesis-TestCaseId": "one"}, params={"include_breakout_rooms": "true"})
    monkeypatch.setattr(transport.http, "build_request", lambda *args, **kwargs: pytest.fail("built again"))
    again = transport.send("GET", url, {**auth, "X-Schemathesis-TestCaseId": "two"}, params={"include_breakout_rooms": "true"})
    assert again is first and (transport.sent, transport.shared) == (1, 1)


def test_requests_that_ask_differently_are_each_sent(serve: Any, data: MockData, transport: Transport) -> None:
    mock = RecordingMock(data)
    url = serve(mock) + BASE_PATH + f"/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
    auth = {"Authorization": f"Bearer {data.token}"}
    transport.send("GET", url, auth)
    transport.send("GET", url, {"Authorization": "Bearer another-token"})  # another credential
    transport.send("GET", url, {**auth, "Content-Type": "application/json"})  # another header that asks
    transport.send("GET", url, auth, params={"include_breakout_rooms": "false"})  # another query
    transport.send("POST", url, auth)
    transport.send("POST", url, auth)  # not a safe method: each is sent
    assert (len(mock.requests), transport.sent, transport.shared) == (6, 6, 0)


def test_a_request_without_an_answer_is_sent_again(transport: Transport) -> None:
    url = "http://127.0.0.1:9/nothing-listens-here"  # the discard port: connection refused
    for _ in range(2):
        with pytest.raises(TransportFailure):
            transport.send("GET", url, {})
    assert (transport.sent, transport.shared) == (2, 0)


def test_without_sharing_every_request_is_sent(serve: Any, data: MockData) -> None:
    mock = RecordingMock(data)
    url = serve(mock) + BASE_PATH + f"/accounts/{data.account_id}/realtime/kit/{data.app_id}/sessions/{data.session_ids[0]}"
    with contextlib.closing(Transport(Limits(deadline=5, share=False))) as transport:
        first, again = (transport.send("GET", url, {"Authorization": f"Bearer {data.token}"}) for _ in range(2))
        assert again is not first
        assert (len(mock.requests), transport.sent, transport.shared) == (2, 2, 0)
