"""The record of one run, as plain data: what every probe got, every generated case with its failures, every check's
outcome on its probe, the requests, why the run stopped. The verdict and every renderer are functions of it alone,
in one process or under xdist (whose workers send their parts of it as data); rendered twice, it renders the same."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.checks import REGISTRY, Check, by_id
from conformance.checks.request import contested_rejection
from conformance.checks.situations import seen_in
from conformance.contract import Contract
from conformance.contract.editions import Contradiction
from conformance.properties.engine import CaseResult
from conformance.run.baseline import Baseline
from conformance.run.settings import Settings
from conformance.transport.exchange import NO_JSON, Exchange


@dataclass(frozen=True)
class ProbeAnswer:
    """What one explicit probe got, as the verdict and the reports need it."""

    probe: str
    kind: str
    status: int | None  # None: no HTTP answer (`error` says why), or not sent (`unsent`)
    error: str = ""
    unsent: bool = False
    content_type: str = ""
    failure_shape: str | None = None  # the failure body's shape, when it is one (failure.schema.json's branch title)
    retry_after: str = ""
    contested: Contradiction | None = None  # a rejection that is the documentation's side of this contradiction
    situations: tuple[str, ...] = ()  # the contract's situations it showed (checks/situations.py)


def answer_of(exchange: Exchange, kind: str, contract: Contract) -> ProbeAnswer:
    received = exchange.response
    if received is None:
        return ProbeAnswer(exchange.probe, kind, None, exchange.error, exchange.unsent)
    shape = contract.failure_shape(received.json) if received.json is not NO_JSON else None
    contested = contested_rejection(exchange, contract)
    return ProbeAnswer(
        exchange.probe,
        kind,
        received.status,
        content_type=received.content_type,
        failure_shape=shape,
        retry_after=received.headers.get("retry-after", ""),
        contested=contested[0] if contested else None,
        situations=seen_in(exchange, contract),
    )


@dataclass(frozen=True)
class Outcome:
    """One check on one probe: passed, failed or skipped (a SHOULD failure is failed), with its fixed text and detail."""

    check_id: str
    outcome: str
    probe: str = ""
    text: str = ""
    detail: dict[str, object] = field(default_factory=dict)  # errors, received, documented, contract, request

    @property
    def check(self) -> Check:
        return by_id(self.check_id)


@dataclass(frozen=True)
class JUnitEntry:
    """One test of the suite, as JUnit XML shows it."""

    suite: str  # conformance.<category>, or conformance.property
    name: str  # <check>@<probe>, or <phase>-<mode>
    outcome: str  # passed, failed, skipped, or xfailed (a SHOULD failure, not fatal)
    message: str = ""  # a failure's or a skip's first line
    text: str = ""  # a failure's fixed text
    seconds: float = 0.0
    properties: tuple[tuple[str, str], ...] = ()  # check, level, probe, edition; a property test's failed checks


@dataclass(frozen=True)
class Requests:
    """What went on the wire, as the run's one transport counted it, and what else was asked of it."""

    sent: int  # the preflight and the control requests included
    shared: int  # answered with the answer of the same request sent before, not sent again
    refused: int  # not sent: the budget was spent
    budget: int  # --max-requests; 0: none
    preflights: int = 0
    preflight_status: int | None = None
    controls: tuple[int | None, ...] = ()  # what the control requests of schemathesis's checks got
    from_cassette: bool = False  # a replay: "sent" were answered from the cassette


AUDIT_WORDS = ("conforms", "conforms with advisories", "impossible in production")  # an audited exchange's word


@dataclass(frozen=True)
class Audited:
    """One recorded exchange in an audit, and its word: conforms, conforms with advisories, impossible in production."""

    label: str  # '<file>: <location>'
    verdict: str
    failed: tuple[str, ...]  # the checks it fails
    fake: str  # the line that arranges its situation on the certified fake
    note: str = ""  # how it was made from a stub, when it was


@dataclass
class Recordings:
    """What an audit read: the files, every exchange in them, and what it judged of those on this endpoint."""

    files: int = 0
    exchanges: int = 0  # this endpoint's and others'
    skipped: list[str] = field(default_factory=list)  # files that are no recording, one line each
    judged: list[Audited] = field(default_factory=list)

    @property
    def elsewhere(self) -> int:
        return self.exchanges - len(self.judged)


@dataclass
class Record:
    settings: Settings
    target: str  # the target's label: its URL, "embedded reference mock" or a cassette; never a secret
    edition: str
    edition_source: str  # how the edition was chosen: asked, recorded, detected, or why it was assumed
    profile: str
    seed: int
    started: float
    requests: Requests
    answers: dict[str, ProbeAnswer] = field(default_factory=dict)
    cases: list[CaseResult] = field(default_factory=list)  # the generated cases, each judged
    outcomes: list[Outcome] = field(default_factory=list)
    tests: list[JUnitEntry] = field(default_factory=list)  # every test that ran, for JUnit XML
    advisories: list[Contradiction] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)  # tests that failed on an error of the suite itself, not a check
    unsent_cases: int = 0  # generated cases not sent: the budget was spent
    stopped: str = ""  # why the run stopped before its end (the target stopped answering, the deadline), or ''
    rate_limited: str = ""  # why the run stopped on a 429 it would not wait out, or ''
    cassette_written: int | None = None  # the exchanges a recording wrote, once written
    duration: float = 0.0
    baseline: Baseline | None = None  # the known failures of --baseline, as the run judged against them
    recordings: Recordings | None = None  # an audit's (rtk-conformance audit): exchanges others recorded, not sent

    def checks_ran(self) -> set[str]:
        """The checks that judged something: on a probe, or on the generated cases (any check can judge those)."""
        judged = {o.check_id for o in self.outcomes if o.outcome in ("passed", "failed")}
        return judged | ({check.id for check in REGISTRY} if self.cases else set())

    def saw_200(self) -> bool:
        return any(a.status == 200 for a in self.answers.values()) or any(c.status == 200 for c in self.cases)
