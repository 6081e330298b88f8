"""One conformance run while it runs: the resolved settings, the open target, its transport, the probes and the property
layer. What the run found is kept as data (`answers`, `outcomes`, the property layer's results) and made into its
`Record` (run/record.py) once it ends: the verdict and every report read that, never this."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.cassettes.cassette import Recording, replay_miss
from conformance.cassettes.redaction import hidden_from_logs
from conformance.checks import REGISTRY, Check
from conformance.checks.body import editions_of
from conformance.contract import Contract, load_contract
from conformance.contract.editions import DEFAULT_EDITION, Contradiction
from conformance.properties.engine import PropertyLayer
from conformance.run.baseline import Baseline, load_baseline
from conformance.run.record import JUnitEntry, Outcome, ProbeAnswer, Record, Requests, answer_of
from conformance.run.recording import cassette_for, replay_target
from conformance.run.settings import AUTO_EDITION, Settings
from conformance.run.targets import Client, Target, open_target, open_transport
from conformance.secret import Secret, remember
from conformance.transport.exchange import NO_JSON, Exchange
from conformance.transport.http import Limits, RateLimited, TargetStopped
from conformance.transport.probes import Ids, Probe, build_probes
from conformance.transport.relay import RelayedTransport

NO_200_YET = "assumed: no 200 body to detect it from"
DETECTED_FROM_A_CASE = "detected from a generated case: no probe got a 200 body"


@dataclass(frozen=True)
class Case:
    """One check applied to one probe: one test of the suite."""

    check: Check
    probe: Probe

    @property
    def id(self) -> str:
        return f"{self.check.id}@{self.probe.name}"


@dataclass
class Run:
    settings: Settings
    target: Target
    contract: Contract
    edition_source: str  # how the edition was chosen: asked, recorded, detected, or why it was assumed
    client: Client
    probes: list[Probe]
    properties: PropertyLayer
    advisories: list[Contradiction] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    recording: Recording | None = None  # what a recording run writes into its cassette, once it ends whole
    crashes: list[str] = field(default_factory=list)  # tests that failed on an error of the suite itself, not a check
    started: float = field(default_factory=time.time)
    close_cassette: Callable[[], None] = lambda: None  # writes a recording (once the run is judged), before the summary
    answers: dict[str, ProbeAnswer] = field(default_factory=dict)  # what probes got in xdist workers, as they sent it
    tests: list[JUnitEntry] = field(default_factory=list)  # every test that ran, in this process or its workers
    baseline: Baseline | None = None  # the known failures of --baseline
    _answered: dict[str, tuple[Exchange, ProbeAnswer]] = field(default_factory=dict)  # probe -> its exchange, its answer

    def cases(self) -> list[Case]:
        return [Case(c, p) for c in REGISTRY for p in self.probes if c.applies_to(p)]

    def answer(self, exchange: Exchange) -> ProbeAnswer:
        """What a probe got, as the record keeps it: worked out once for each of the checks that read it."""
        known = self._answered.get(exchange.probe)
        if known is None or known[0] is not exchange:
            kinds = {probe.name: probe.kind for probe in self.probes}
            known = self._answered[exchange.probe] = (exchange, answer_of(exchange, kinds.get(exchange.probe, ""), self.contract))
        return known[1]

    def record(self) -> Record:
        """What the run found, as plain data: the one thing the verdict and every report read."""
        transport, target = self.client.transport, self.target
        requests = Requests(
            transport.sent,
            transport.shared,
            transport.refused,
            transport.limits.budget,
            target.preflights,
            target.preflight_status,
            tuple(self.properties.control_statuses),
            self.settings.replaying,
        )
        return Record(
            self.settings,
            target.label,
            self.contract.edition,
            self.edition_source,
            self.properties.profile.name,
            self.properties.seed,
            self.started,
            requests,
            self.answers | {name: self.answer(exchange) for name, exchange in self.client.exchanges.items()},
            list(self.properties.results),
            list(self.outcomes),
            sorted(self.tests, key=lambda account: (account.suite, account.name)),  # the same order whatever the scheduling
            list(self.advisories),
            list(self.crashes),
            self.properties.unsent,
            transport.stopped,
            transport.rate_limited,
            self.recording.written if self.recording is not None else None,
            round(time.time() - self.started, 3),
            self.baseline,
        )

    def edition_detected(self, edition: str) -> None:
        """The edition of the first 200 body a generated case got, when no probe got one: the run checks it from now on
        (the explicit checks had no 200 body to read), and a recording says so."""
        self.contract = self.properties.contract = load_contract(edition)
        self.edition_source = DETECTED_FROM_A_CASE
        if self.recording is not None:
            self.recording.edition_detected(edition)

    @property
    def stopped(self) -> str:
        """Why the run stopped before its end (the target stopped answering, the run's deadline), or ''."""
        return self.client.transport.stopped

    @property
    def rate_limited(self) -> str:
        """Why the run stopped on a 429 it would not wait out, or ''."""
        return self.client.transport.rate_limited


def choose_edition(settings: Settings, target: Target, client: Client, probes: list[Probe]) -> tuple[str, str]:
    """(edition, how it was chosen): as asked, as the cassette recorded, or detected from the first 200 body.

    Detection sends nothing extra: it reads the session probes, which are sent once per run anyway.
    """
    if settings.edition != AUTO_EDITION:
        return settings.edition, "asked"
    if target.edition:
        return target.edition, "recorded"
    if settings.dry_run:
        return DEFAULT_EDITION, "assumed: a dry run sends nothing to detect it from"
    try:
        for probe in (p for p in probes if p.kind == "session"):
            response = client.exchange(probe).response
            if response is not None and response.status == 200 and response.json is not NO_JSON:
                found = editions_of(response.json, load_contract())
                return (found[0], "detected") if found else (DEFAULT_EDITION, "assumed: the first 200 body is in no edition")
    except (RateLimited, TargetStopped):  # the first test meets it again, and stops the run
        pass
    return DEFAULT_EDITION, NO_200_YET


def contradictions(contract: Contract, ids: Ids) -> list[Contradiction]:
    """The configured ids the documentation rules out but production uses: advisories."""
    values = {"account_id": [ids.account_id], "app_id": [ids.app_id], "session_id": list(ids.session_ids)}
    return [c for name, each in values.items() for value in each for c in contract.contradictions(name, value)]


def limits_of(settings: Settings) -> Limits:
    # Plain HTTP (the embedded mock, an http:// target) has no certificate to verify, and no redirect is followed to a
    # TLS origin: the system's CAs are loaded only for an https target (or a --ca-bundle, so a bad one still says so).
    tls = settings.ca_bundle or urlsplit(settings.target).scheme == "https"
    return Limits(settings.timeout, settings.max_body, settings.tls_verify if tls else False, settings.deadline, settings.request_budget)


def handed_over(run: Run, relay_url: str) -> dict[str, Any]:
    """What an xdist worker needs of the controller's run: where to send, to which target, in which edition, and the
    seed (a random one is drawn once per run, not once per worker)."""
    target = dataclasses.asdict(run.target) | {"token": run.target.token.reveal()}  # plain data, to cross to the worker
    edition = {"edition": run.contract.edition, "edition_source": run.edition_source}
    return {"relay": relay_url, "target": target, **edition, "seed": run.properties.seed}


def worker_target(handed: dict[str, Any]) -> Target:
    fields = handed["target"]
    ids = Ids(fields["ids"]["account_id"], fields["ids"]["app_id"], tuple(fields["ids"]["session_ids"]))
    return Target(**{**fields, "ids": ids, "token": Secret(fields["token"])})


def known_failures(settings: Settings) -> Baseline | None:
    return load_baseline(settings.baseline, creating=settings.baseline_update) if settings.baseline else None


@contextlib.contextmanager
def start_worker_run(settings: Settings, handed: dict[str, Any]) -> Iterator[Run]:
    """An xdist worker's part of a run the controller opened: every request goes through the controller's relay."""
    known = known_failures(settings)
    target = worker_target(handed)
    remember(target.token)
    with contextlib.ExitStack() as stack:
        stack.enter_context(hidden_from_logs(target.token))
        transport = stack.enter_context(contextlib.closing(RelayedTransport(limits_of(settings), handed["relay"])))
        client = Client(target, load_contract(), transport)
        probes = build_probes(load_contract(), target.ids, settings.sends_other_methods)
        yield assembled(settings, client, probes, (handed["edition"], handed["edition_source"]), handed["seed"], stack, known=known)


def assembled(
    settings: Settings,
    client: Client,
    probes: list[Probe],
    edition: tuple[str, str],
    seed: int,
    stack: contextlib.ExitStack,
    recording: Recording | None = None,
    known: Baseline | None = None,
) -> Run:
    """The run, once its client, probes, edition (and how it was chosen) and seed are known; its property layer closes
    with `stack`."""
    contract, target = load_contract(edition[0]), client.target
    profile = settings.property_profile
    properties = PropertyLayer(contract, target.ids, target.base_url, target.token, profile, seed, client.transport, fresh=settings.fresh)
    stack.callback(properties.close)
    advisories = contradictions(contract, target.ids)
    run = Run(settings, target, contract, edition[1], client, probes, properties, advisories, recording=recording, baseline=known)
    if edition[1] == NO_200_YET:
        properties.on_edition = run.edition_detected
    return run


@contextlib.contextmanager
def start_run(settings: Settings) -> Iterator[Run]:
    known = known_failures(settings)  # a baseline that cannot be used stops the run before anything is sent
    seed = settings.property_seed()
    with contextlib.ExitStack() as stack:
        transport = stack.enter_context(contextlib.closing(open_transport(settings, limits_of(settings))))
        target = replay_target(settings, seed) if settings.replaying else stack.enter_context(open_target(settings, transport))
        stack.enter_context(hidden_from_logs(target.token))
        transport.protect(target.token)  # hidden where a target's bytes enter the run
        remember(target.token)  # and looked for once more in every output before it is kept
        transport.not_recorded = replay_miss
        cassette = stack.enter_context(contextlib.ExitStack())  # closed once the run is judged, or with the run
        recording = cassette.enter_context(cassette_for(settings, target, seed)) if settings.cassette else None
        client = Client(target, load_contract(), transport)
        probes = build_probes(load_contract(), target.ids, settings.sends_other_methods)
        edition = choose_edition(settings, target, client, probes)
        if recording is not None:
            recording.edition_detected(edition[0])
        run = assembled(settings, client, probes, edition, seed, stack, recording, known)
        run.close_cassette = cassette.close
        yield run
