"""The official `cloudflare` SDK as a client of the reference mock, over real HTTP on loopback.

The SDK (5.3 and later) reads the current edition: the session fields directly in `data`. Run by `.ci/run` and
`tox -e sdk`, which install the pinned range of the `sdk` extra; deselected from the default run.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from conformance.contract import BASE_PATH
from conformance.mock import MockData, ReferenceMock
from conformance.mock.server import serve_in_thread
from conformance.transport.probes import UNKNOWN_SESSION_ID, UNKNOWN_TOKEN

pytestmark = pytest.mark.sdk


@pytest.fixture(scope="module")
def cloudflare() -> ModuleType:
    """The official SDK; without it the tests fail and say how to install it, never a silent skip."""
    try:
        return importlib.import_module("cloudflare")
    except ImportError:
        pytest.fail("the cloudflare SDK is not installed: pip install -e '.[sdk]' (as .ci/run does)", pytrace=False)


def every_session(data: MockData) -> list[tuple[str, dict[str, Any]]]:
    """(app id, session) for every seeded session of every app, breakout rooms included."""
    return [(app, session) for app, sessions in data.index().items() for session in sessions.values()]


@pytest.fixture(scope="module")
def base_urls(data: MockData) -> Iterator[dict[str, str]]:
    """The reference mock in each edition, by edition."""
    with serve_in_thread(ReferenceMock(data, edition="current")) as current, serve_in_thread(ReferenceMock(data)) as documented:
        yield {"current": current + BASE_PATH, "documented": documented + BASE_PATH}


@pytest.fixture
def client(cloudflare: ModuleType) -> Iterator[Any]:
    """client(base_url, token, strict=False) -> an SDK client, closed when the test ends (no leaked sockets)."""
    made: list[Any] = []

    def make(base_url: str, token: str, strict: bool = False) -> Any:
        made.append(sdk_client(cloudflare, base_url, token, strict))
        return made[-1]

    yield make
    for sdk in made:
        sdk.close()


def sdk_client(cloudflare: ModuleType, base_url: str, token: str, strict: bool) -> Any:
    return cloudflare.Cloudflare(api_token=token, base_url=base_url, max_retries=0, _strict_response_validation=strict)


def expected(session: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    """What the SDK should read of a seeded session with include_breakout_rooms=true."""
    wanted = copy.deepcopy(session)
    wanted.setdefault("breakout_rooms", [])
    return {k: v for k, v in wanted.items() if k in fields}


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict-validation"])
def test_every_seeded_session_parses_with_its_types(client: Any, base_urls: dict[str, str], data: MockData, strict: bool) -> None:
    sdk = client(base_urls["current"], data.token, strict)
    sessions = every_session(data)
    for app_id, session in sessions:
        response = sdk.realtime_kit.sessions.get_session_details(
            session["id"], account_id=data.account_id, app_id=app_id, include_breakout_rooms=True
        )
        parsed = response.data.model_dump(exclude_none=True)
        assert response.success is True
        assert parsed == expected(session, set(type(response.data).model_fields)), session["id"]
        for name in ("live_participants", "max_concurrent_participants", "minutes_consumed"):
            assert isinstance(getattr(response.data, name), float)  # the SDK's type for JSON numbers
        assert response.data.status in ("LIVE", "ENDED") and isinstance(response.data.breakout_rooms, list)
    assert len(sessions) >= 8 and any(len(app) == 36 for app, _ in sessions)  # a UUID app id among them


def test_the_mocks_failures_are_the_sdks_typed_exceptions(
    cloudflare: ModuleType, client: Any, base_urls: dict[str, str], data: MockData
) -> None:
    url, first = base_urls["current"], data.session_ids[0]

    def failure_of(call: Any) -> Any:
        with pytest.raises(cloudflare.APIStatusError) as caught:
            call()
        return caught.value

    def fetch(token: str = data.token, app_id: str = data.app_id, session_id: str = first, **options: Any) -> Any:
        sdk = client(url, token)
        return lambda: sdk.realtime_kit.sessions.get_session_details(session_id, account_id=data.account_id, app_id=app_id, **options)

    without_credentials = fetch(extra_headers={"Authorization": cloudflare.Omit()})
    cases = {
        9106: (without_credentials, cloudflare.BadRequestError),
        7003: (fetch(app_id="f" * 33), cloudflare.BadRequestError),
        9109: (fetch(token=UNKNOWN_TOKEN), cloudflare.PermissionDeniedError),
        10000: (fetch(token=data.tokens_without_permission[0]), cloudflare.PermissionDeniedError),
    }
    for code, (call, exception) in cases.items():
        error = failure_of(call)
        assert type(error) is exception and error.body["errors"][0]["code"] == code
    unknown = failure_of(fetch(session_id=UNKNOWN_SESSION_ID))
    assert type(unknown) is cloudflare.NotFoundError and unknown.status_code == 404


def test_the_documented_edition_is_not_what_the_sdk_reads(
    cloudflare: ModuleType, client: Any, base_urls: dict[str, str], data: MockData
) -> None:
    """SDK 5.3+ reads the flat data of the current edition. Served data.session, it finds none of its fields:
    every one is None, the session survives only as an unknown field, and strict validation refuses the body."""
    session_id = data.session_ids[0]
    lenient = client(base_urls["documented"], data.token).realtime_kit.sessions.get_session_details(
        session_id, account_id=data.account_id, app_id=data.app_id
    )
    assert lenient.success is True and lenient.data is not None
    assert all(getattr(lenient.data, name) is None for name in type(lenient.data).model_fields)
    assert lenient.data.model_extra["session"]["id"] == session_id
    strict = client(base_urls["documented"], data.token, strict=True)
    with pytest.raises(cloudflare.APIResponseValidationError):
        strict.realtime_kit.sessions.get_session_details(session_id, account_id=data.account_id, app_id=data.app_id)


EXCEPTIONS = {  # situation -> the SDK's exception for production's answer in it
    "missing-credentials": "BadRequestError",
    "malformed-authorization": "BadRequestError",
    "unroutable-identifier": "BadRequestError",
    "invalid-parameter": "BadRequestError",
    "invalid-token": "PermissionDeniedError",
    "no-permission": "PermissionDeniedError",
    "unknown-session": "NotFoundError",
    "unknown-app": "NotFoundError",
    "no-route": "NotFoundError",
    "method-not-allowed": "APIStatusError",
    "rate-limited": "RateLimitError",
    "server-error": "InternalServerError",
}


def test_the_fake_fixture_answers_the_sdk_and_every_failure_is_its_typed_exception(cloudflare: ModuleType, realtimekit: Any) -> None:
    session = realtimekit.add_session(live_participants=2, breakout_rooms=[{}])
    sdk = cloudflare.Cloudflare(api_token=realtimekit.token, max_retries=0, _strict_response_validation=True)

    def fetch() -> Any:
        return sdk.realtime_kit.sessions.get_session_details(
            session["id"], account_id=realtimekit.account_id, app_id=realtimekit.app_id, include_breakout_rooms=True
        )

    got = fetch()
    assert (got.data.id, got.data.live_participants, len(got.data.breakout_rooms)) == (session["id"], 2.0, 1)
    assert sorted(EXCEPTIONS) == sorted(realtimekit.situations)
    for situation, exception in EXCEPTIONS.items():
        realtimekit.fail_next(situation)
        with pytest.raises(cloudflare.APIStatusError) as caught:
            fetch()
        assert type(caught.value).__name__ == exception, situation
    assert fetch().data.status == "LIVE"  # each failed once
    assert len(realtimekit.requests) == 2 + len(EXCEPTIONS)


def test_the_fake_answers_the_async_sdk(cloudflare: ModuleType, realtimekit: Any) -> None:
    import asyncio

    session = realtimekit.add_session()

    async def fetch() -> Any:
        async with cloudflare.AsyncCloudflare(api_token=realtimekit.token, max_retries=0) as sdk:
            return await sdk.realtime_kit.sessions.get_session_details(
                session["id"], account_id=realtimekit.account_id, app_id=realtimekit.app_id
            )

    assert asyncio.run(fetch()).data.id == session["id"]


@pytest.mark.realtimekit(edition="documented")
def test_the_fixtures_marker_sets_the_edition(realtimekit: Any) -> None:
    assert realtimekit.edition == "documented"
