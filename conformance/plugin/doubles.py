"""`pytest --realtimekit-audit`: the doubles of a user's own tests judged as an audit judges recordings.

After each test, the exchanges on this endpoint it made through a respx router (respx's `respx_mock` fixture, or the
`realtimekit` fixture's) and those of the vcrpy cassette it used (pytest-recording's `vcr` fixture) are judged by
the run's checks. At the end the summary names each test whose doubles answer as Cloudflare never would (impossible
in production), with the fake's line for its situation, and such a double fails the session: exit 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.audit.auditing import add_judged, new_record
from conformance.audit.judge import edition_of, judge, on_the_endpoint
from conformance.audit.recorded import Recorded
from conformance.contract import load_contract
from conformance.contract.editions import DEFAULT_EDITION
from conformance.printable import printable
from conformance.run.record import AUDIT_WORDS, Audited
from conformance.run.settings import Settings

IMPOSSIBLE = AUDIT_WORDS[2]


class DoublesAudit:
    def __init__(self, fake_router: pytest.StashKey[Any]) -> None:
        self.fake_router = fake_router  # where the realtimekit fixture keeps its respx router
        self.record = new_record(Settings(), "the doubles of this session's tests")
        self.by_test: dict[str, list[Audited]] = {}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        """Before the test's fixtures are torn down: their routers and cassettes still hold what the test made."""
        exchanges = list(exchanges_of(item, self.fake_router))
        edition = edition_of(exchanges) or DEFAULT_EDITION
        contract = load_contract(edition)
        for recorded in exchanges:
            params = on_the_endpoint(recorded, contract)
            if params is not None:
                self.by_test.setdefault(item.nodeid, []).append(add_judged(self.record, judge(recorded, params, contract), contract))

    def impossible(self) -> dict[str, list[Audited]]:
        found = {test: [a for a in judged if a.verdict == IMPOSSIBLE] for test, judged in self.by_test.items()}
        return {test: judged for test, judged in found.items() if judged}

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.impossible() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        judged = [a for each in self.by_test.values() for a in each]
        words = ", ".join(f"{sum(1 for a in judged if a.verdict == word)} {word}" for word in AUDIT_WORDS)
        terminalreporter.section("RealtimeKit audit of the tests' doubles")
        terminalreporter.write_line(f"{len(judged)} exchanges on the endpoint in {len(self.by_test)} tests: {words}")
        for test, impossible in self.impossible().items():
            for audited in impossible:
                where = audited.label.removeprefix(f"{test}: ")
                line = f"- {test}: {IMPOSSIBLE}: {', '.join(audited.failed)} ({where}); on the fake: {audited.fake}"
                terminalreporter.write_line(printable(line))


def exchanges_of(item: pytest.Item, fake_router: pytest.StashKey[Any]) -> Iterator[Recorded]:
    """What the test made through its respx routers and its vcrpy cassette, in the order made."""
    funcargs = getattr(item, "funcargs", {})
    routers: list[Any] = [router for router in (funcargs.get("respx_mock"), item.stash.get(fake_router, None)) if router is not None]
    for router in dict.fromkeys(routers):
        for number, call in enumerate(router.calls, 1):
            if call.response is not None:
                yield _of_httpx(item.nodeid, f"respx call {number}", call.request, call.response)
    cassette = funcargs.get("vcr")
    for number, (request, response) in enumerate(getattr(cassette, "data", []) or [], 1):
        yield _of_vcr(item.nodeid, f"cassette {getattr(cassette, '_path', '')} interaction {number}", request, response)


def _of_httpx(test: str, where: str, request: Any, response: Any) -> Recorded:
    headers = {k.lower(): v for k, v in request.headers.items()}
    answered = {k.lower(): v for k, v in response.headers.items()}
    return Recorded(test, where, request.method, str(request.url), headers, response.status_code, answered, response.content)


def _of_vcr(test: str, where: str, request: Any, response: dict[str, Any]) -> Recorded:
    headers = {k.lower(): ", ".join(v) if isinstance(v, list) else str(v) for k, v in dict(request.headers).items()}
    answered = {k.lower(): ", ".join(v) if isinstance(v, list) else str(v) for k, v in response.get("headers", {}).items()}
    body = response.get("body", {}).get("string", b"")
    status = response.get("status", {}).get("code", 0)
    return Recorded(
        test, where, request.method, request.uri, headers, int(status), answered, body.encode() if isinstance(body, str) else body
    )
