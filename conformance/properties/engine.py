"""The property layer of a run: generate each phase once, send its cases, judge every answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.checks.body import editions_of
from conformance.checks.situations import seen_in
from conformance.contract import Contract
from conformance.properties import corpus
from conformance.properties.config import edges
from conformance.properties.generate import Generated, elsewhere, generate, load_operation
from conformance.properties.judge import Finding, as_checked, check_context, exchange_of, findings, our_verdicts, schemathesis_failures
from conformance.properties.oracle import Expectation, expect
from conformance.properties.profiles import MODES, Profile
from conformance.properties.schemathesis_internals import CheckContext
from conformance.properties.shares import PHASE as SHARED_PHASE
from conformance.properties.shares import Shares
from conformance.secret import Secret
from conformance.transport.exchange import NO_JSON, Exchange, SentRequest
from conformance.transport.http import BudgetSpent, Transport, TransportFailure
from conformance.transport.probes import Ids
from conformance.transport.requests_adapter import session_over


@dataclass(frozen=True)
class CaseResult:
    phase: str
    mode: str  # as schemathesis generated it
    status: int | None  # None: no HTTP response
    expectation: Expectation
    failures: list[Finding]
    request_line: str  # curl, token redacted
    situations: tuple[str, ...] = ()  # the contract's situations it showed (checks/situations.py)

    def failed(self, level: str) -> bool:
        return any(f.level == level for f in self.failures)


@dataclass
class PropertyLayer:
    contract: Contract
    ids: Ids
    base_url: str
    token: Secret
    profile: Profile
    seed: int
    transport: Transport
    results: list[CaseResult] = field(default_factory=list)
    unsent: int = 0  # cases not sent: the run's request budget was spent
    fresh: bool = False  # generate anew, whatever the corpus cache holds
    from_cache: set[str] = field(default_factory=set)  # the phases whose cases came from the cache
    cache_notices: list[str] = field(default_factory=list)  # kept cases set aside, and why
    _by_mode: dict[str, dict[str, list[Any]]] = field(default_factory=dict)  # phase -> mode -> cases
    _contexts: dict[str, CheckContext] = field(default_factory=dict)  # schemathesis's phase -> what its checks read
    # While the run's edition is only assumed (no probe got a 200 body): called with the edition of the first 200 body.
    on_edition: Callable[[str], None] | None = None
    carried_controls: list[int | None] = field(default_factory=list)  # control requests of xdist workers' checks
    _judged: dict[tuple[Any, ...], CaseResult] = field(default_factory=dict)  # a case alike (see judge) -> its result

    def __post_init__(self) -> None:
        self.operation = load_operation(self.contract, self.ids, self.profile, self.seed)
        # What schemathesis's checks send of their own (a control request) goes through the run's transport too.
        self._session, self._adapter = session_over(self.transport)
        # Started now, so that they are made while the explicit probes and the first phases are sent.
        self._shares = Shares(self.contract.edition, self.ids, self.profile, self.seed) if self.profile.shares > 1 else None

    def cases(self, phase: str, mode: str) -> list[Any]:
        """The cases of one phase and mode, in order; GET only in a read-only profile (live).

        Split by mode once, as generated: sending a case may revalidate its metadata, and a case must not
        move to the other mode's list once the first is sent."""
        if phase not in self._by_mode:
            generated = self._cached(phase) or self._generate(phase)
            if self.profile.deterministic and phase not in self.from_cache:
                corpus.store(self._made_for(phase), generated.cases)
            self._by_mode[phase] = {m: [c for c in generated.cases if c.meta.generation.mode.value == m] for m in MODES}
        cases = self._by_mode[phase][mode]
        return [c for c in cases if c.method.upper() == "GET"] if self.profile.get_only else cases

    def _generate(self, phase: str) -> Generated:
        if self._shares is not None and phase == SHARED_PHASE:
            return Generated(phase, self._shares.cases(self.operation, self.transport.raise_if_stopped))
        return generate(self.operation, phase, self.seed, self.ids, edges(self.contract), self.transport.raise_if_stopped)

    def close(self) -> None:
        """Stop making shares the run no longer needs."""
        if self._shares is not None:
            self._shares.close()
        self._session.close()

    @property
    def control_statuses(self) -> list[int | None]:
        """What each request got that schemathesis's checks sent of their own (through the run's transport), in this
        process and, on an xdist controller, in its workers."""
        return self._adapter.statuses + self.carried_controls

    def _cached(self, phase: str) -> Generated | None:
        """The phase's cases from the corpus cache (deterministic profiles only), or None."""
        if self.fresh or not self.profile.deterministic:
            return None
        kept = corpus.load(
            self._made_for(phase), self.operation, self.profile, lambda cases: elsewhere(cases, self.ids, edges(self.contract))
        )
        if kept.notice:
            self.cache_notices.append(kept.notice)
        if kept.cases is None:
            return None
        self.from_cache.add(phase)
        return Generated(phase, kept.cases)

    def _made_for(self, phase: str) -> dict[str, Any]:
        return corpus.made_for(self.contract, self.profile, self.seed, self.ids, phase)

    def run(self, phase: str, mode: str) -> list[CaseResult]:
        """Send every case of one phase and mode, in order, and judge each answer."""
        cases, results = self.cases(phase, mode), []
        try:
            for case in cases:
                results.append(self.judge(phase, mode, case))
        except BudgetSpent:
            self.unsent += len(cases) - len(results)
        finally:  # kept when the run stops here too (the target stopped answering, rate limited)
            self.results += results
        return results

    def judge(self, phase: str, mode: str, case: Any) -> CaseResult:
        headers = {"Authorization": f"Bearer {self.token.reveal()}"}
        try:
            answer = self.send(case, headers)
        except TransportFailure as exc:
            failure = Finding.no_answer(str(exc), self.curl(case), self.contract).hidden(self.token)
            return CaseResult(phase, mode, None, Expectation(False, "not sent", (), True), [failure], self.curl(case))
        # A case that repeats an earlier one (the same request, so the same shared answer, in the same phase, mode and
        # scenario) gets the same judgement: every check is a function of these alone, so it is not worked out again.
        if not self.transport.shares(answer):  # an answer no other case gets: nothing to keep it for
            return self._judged_anew(phase, mode, case, answer)
        alike = (answer, phase, mode, repr(case.meta.phase), repr(case.path_parameters))
        if alike not in self._judged:
            self._judged[alike] = self._judged_anew(phase, mode, case, answer)
        return self._judged[alike]

    def _judged_anew(self, phase: str, mode: str, case: Any, answer: httpx.Response) -> CaseResult:
        response = as_checked(answer)  # converted once, for every check
        exchange = exchange_of(case, response, self.token, self.contract)
        self.on_answer(exchange)
        expectation = expect(exchange.request, mode == "negative", self.contract)
        theirs = schemathesis_failures(case, response, self._check_context(case))
        found = findings(theirs, our_verdicts(exchange, self.contract), exchange, self.contract)
        failures = [f.hidden(self.token) for f in found]  # a target may echo the token
        line = _curl(response.request, self.token)
        return CaseResult(phase, mode, response.status_code, expectation, failures, line, seen_in(exchange, self.contract))

    def on_answer(self, exchange: Exchange) -> None:
        """The first 200 body in an edition settles the run's edition, when no probe's could (`on_edition`)."""
        response = exchange.response
        if self.on_edition is None or response is None or response.status != 200 or response.json is NO_JSON:
            return
        found = editions_of(response.json, self.contract)
        if found:
            detected, self.on_edition = self.on_edition, None
            detected(found[0])

    def _check_context(self, case: Any) -> CheckContext:
        phase = case.meta.phase.name.value
        if phase not in self._contexts:
            sending = {"session": self._session, "base_url": self.base_url, "headers": {"Authorization": f"Bearer {self.token.reveal()}"}}
            self._contexts[phase] = check_context(self.operation, phase, sending)
        return self._contexts[phase]

    def send(self, case: Any, headers: dict[str, str]) -> Any:
        """One case through the run's transport (one origin, bounded), as schemathesis would have sent it."""
        method, url, sent_headers, extra = self._request_of(case, headers)
        return self.transport.send(method, url, sent_headers, **extra)

    def curl(self, case: Any) -> str:
        """The curl line of a case as the run would send it, the token shown as its environment variable."""
        method, url, _, extra = self._request_of(case, {})
        full = str(httpx.Request(method, url, params=extra.get("params")).url)
        return SentRequest(method, full, {"Authorization": f"Bearer {self.token.reveal()}"}, {}).curl(self.token)

    def _request_of(self, case: Any, headers: dict[str, str]) -> tuple[str, str, dict[str, str], dict[str, Any]]:
        sent = case.as_transport_kwargs(base_url=self.base_url, headers=headers)
        extra = {name: sent[name] for name in ("params", "json") if sent.get(name) is not None}
        if sent.get("data") is not None:
            extra["content"] = sent["data"]
        return sent["method"], sent["url"], sent["headers"], extra

    def counts(self) -> Counter[tuple[str, str, str]]:
        """(phase, mode, status class) -> cases: what the summary prints."""
        return Counter((r.phase, r.mode, f"{r.status // 100}xx" if r.status else "none") for r in self.results)


def _curl(prepared: Any, token: Secret) -> str:
    headers = {k: v for k, v in prepared.headers.items() if k.lower() in ("authorization", "content-type")}
    return SentRequest(str(prepared.method), str(prepared.url), headers, {}).curl(token)
