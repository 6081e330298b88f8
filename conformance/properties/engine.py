"""The property layer of a run: generate each phase once, send its cases, judge every answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from schemathesis.specs.openapi.checks import response_schema_conformance
from vcr.errors import CannotOverwriteExistingCassetteException

from conformance.cassette import replay_miss
from conformance.contract import Contract
from conformance.probes import Ids
from conformance.profiles import Profile
from conformance.properties.config import edges
from conformance.properties.generate import Generated, generate, load_operation
from conformance.properties.judge import DATA_ACCEPTANCE, Finding, exchange_of, failures_of, in_other_edition, our_checks
from conformance.properties.oracle import Expectation, expect


@dataclass(frozen=True)
class CaseResult:
    phase: str
    mode: str  # as schemathesis generated it
    status: int | None  # None: no HTTP response
    expectation: Expectation
    failures: list[Finding]
    request_line: str  # curl, token redacted

    def failed(self, level: str) -> bool:
        return any(f.level == level for f in self.failures)


@dataclass
class PropertyLayer:
    contract: Contract
    ids: Ids
    base_url: str
    token: str
    profile: Profile
    seed: int
    timeout: float
    results: list[CaseResult] = field(default_factory=list)
    _generated: dict[str, Generated] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.operation = load_operation(self.contract, self.ids, self.profile, self.seed)
        self.http = requests.Session()
        self.checks = our_checks(self.contract, self.token)

    def cases(self, phase: str, mode: str) -> list[Any]:
        if phase not in self._generated:
            self._generated[phase] = generate(self.operation, phase, self.seed, self.ids, edges(self.contract))
        return [c for c in self._generated[phase].cases if c.meta.generation.mode.value == mode]

    def run(self, phase: str, mode: str) -> list[CaseResult]:
        """Send every case of one phase and mode, in order, and judge each answer."""
        results = [self.judge(phase, mode, case) for case in self.cases(phase, mode)]
        self.results += results
        return results

    def judge(self, phase: str, mode: str, case: Any) -> CaseResult:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = case.call(base_url=self.base_url, session=self.http, headers=headers, timeout=self.timeout)
        except (requests.RequestException, CannotOverwriteExistingCassetteException) as exc:
            line = case.as_curl_command(headers=headers, base_url=self.base_url).replace(self.token, "$CLOUDFLARE_API_TOKEN")
            why = replay_miss(exc) if isinstance(exc, CannotOverwriteExistingCassetteException) else type(exc).__name__
            failure = Finding("transport", "MUST", f"[transport] no HTTP response: {why}")
            return CaseResult(phase, mode, None, Expectation(False, "not sent", (), True), [failure], line)
        expectation = expect(response.request.method, response.request.url, self.base_url, mode == "negative", self.contract)
        excluded: list[Callable[..., Any]] = [] if expectation.agrees else list(DATA_ACCEPTANCE)
        if in_other_edition(exchange_of(case, response, self.token), self.contract):
            excluded.append(response_schema_conformance)
        failures = failures_of(case, response, self.checks, excluded, expectation.why)
        line = _curl(response.request, self.token)
        return CaseResult(phase, mode, response.status_code, expectation, failures, line)

    def counts(self) -> Counter[tuple[str, str, str]]:
        """(phase, mode, status class) -> cases: what the summary prints."""
        return Counter((r.phase, r.mode, f"{r.status // 100}xx" if r.status else "none") for r in self.results)

    def close(self) -> None:
        self.http.close()


def _curl(prepared: Any, token: str) -> str:
    from conformance.exchange import SentRequest

    headers = {k: v for k, v in prepared.headers.items() if k.lower() in ("authorization", "content-type")}
    return SentRequest(str(prepared.method), str(prepared.url), headers, {}).curl(token)
