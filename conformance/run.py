"""One conformance run: the resolved settings, the open target, the probes and what the checks found."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from conformance.checks import REGISTRY, Check
from conformance.contract import Contract, load_contract
from conformance.probes import Probe, build_probes
from conformance.properties.engine import PropertyLayer
from conformance.recording import cassette_for, replay_target
from conformance.settings import Settings
from conformance.targets import Client, Target, open_target


@dataclass(frozen=True)
class Case:
    """One check applied to one probe: one test of the suite."""

    check: Check
    probe: Probe

    @property
    def id(self) -> str:
        return f"{self.check.id}@{self.probe.name}"


@dataclass
class Outcome:
    check: Check
    outcome: str  # passed, failed, skipped


@dataclass
class Run:
    settings: Settings
    target: Target
    contract: Contract
    client: Client
    probes: list[Probe]
    properties: PropertyLayer
    outcomes: list[Outcome] = field(default_factory=list)

    def cases(self) -> list[Case]:
        return [Case(c, p) for c in REGISTRY for p in self.probes if p.kind in c.probes]

    def saw_200(self) -> bool:
        explicit = any(e.response is not None and e.response.status == 200 for e in self.client.exchanges.values())
        return explicit or any(r.status == 200 for r in self.properties.results)


@contextlib.contextmanager
def start_run(settings: Settings) -> Iterator[Run]:
    contract = load_contract()
    seed = settings.property_seed()
    with contextlib.ExitStack() as stack:
        target = replay_target(settings, seed, contract.edition) if settings.replaying else stack.enter_context(open_target(settings))
        if settings.cassette:
            stack.enter_context(cassette_for(settings, target, seed, contract.edition))
        client = stack.enter_context(contextlib.closing(Client(target, contract, settings.timeout)))
        properties = PropertyLayer(contract, target.ids, target.base_url, target.token, settings.property_profile, seed, settings.timeout)
        stack.callback(properties.close)
        yield Run(settings, target, contract, client, build_probes(contract, target.ids, settings.method_probes), properties)
