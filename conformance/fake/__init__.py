"""A faithful fake of the endpoint for everyone's own tests: in-process for httpx clients (the official SDK), or on a
loopback socket; arranged in a few typed lines; answered by the reference mock, so the suite certifies it.

    from conformance.fake import RealtimeKitFake

    fake = RealtimeKitFake()
    session = fake.add_session(live_participants=3)
    with fake.mocked():
        ...  # Cloudflare(api_token=fake.token).realtime_kit.sessions.get_session_details(session["id"], ...)

With pytest, the fixtures `realtimekit` (in-process) and `realtimekit_server` (a socket) give one per test.
"""

from conformance.fake.fake import ArrangementError, RealtimeKitFake
from conformance.fake.routing import SDK_BASE_URL

__all__ = ["SDK_BASE_URL", "ArrangementError", "RealtimeKitFake"]
