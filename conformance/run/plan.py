"""What a run will send, known before it sends anything: its count (printed first) and, for --dry-run, every request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.run.live import Run
from conformance.run.targets import build_request
from conformance.transport.probes import Probe


@dataclass(frozen=True)
class Plan:
    probes: list[Probe]  # the explicit probes the selected tests read, each sent once
    cases: list[Any]  # the generated cases of the selected property tests, in order

    def summary(self, run: Run) -> str:
        budget = run.settings.request_budget
        limit = f"; at most {budget} (--max-requests)" if budget else ""
        methods = "; GET only" if run.settings.property_profile.get_only else ""
        methods += "; generated cases from the cache" if run.properties.from_cache else ""
        preflight = run.target.preflights  # a dry run sends none
        total = preflight + len(self.probes) + len(self.cases)
        kinds = (f"{preflight} preflight, " if preflight else "") + f"{len(self.probes)} explicit, {len(self.cases)} generated"
        return f"Plan: {total} requests ({kinds}){limit}{methods}"

    def lines(self, run: Run) -> list[str]:
        """The plan, then every request as a curl line, the token shown as its environment variable."""
        probes = [build_request(run.target, run.contract, p).curl(run.target.token) for p in self.probes]
        generated = [run.properties.curl(case) for case in self.cases]
        edition = f"Edition:  {run.contract.edition} ({run.edition_source}; the generated cases follow it)"
        return [self.summary(run), edition, *probes, *generated, "Dry run: nothing was sent."]


TEST_ID = re.compile(r"test_rule\[(?P<check>[^@\]]+)@(?P<probe>.+)\]$|test_property\[(?P<phase>[a-z]+)-(?P<mode>[a-z]+)\]$")


def of_ids(run: Run, ids: list[str]) -> Plan:
    """The plan of the tests an xdist worker collected, read from their ids: the controller collects none itself."""
    by_name = {probe.name: probe for probe in run.probes}
    probes: dict[str, Probe] = {}
    cases: list[Any] = []
    for found in filter(None, (TEST_ID.search(test_id) for test_id in ids)):
        if found["probe"] in by_name:
            probes.setdefault(found["probe"], by_name[found["probe"]])
        elif found["phase"]:
            cases += run.properties.cases(found["phase"], found["mode"])
    return Plan(list(probes.values()), cases)


def of_items(run: Run, items: list[pytest.Item]) -> Plan:
    """The requests the selected tests need: a probe once however many checks read it; each phase-mode's cases."""
    probes: dict[str, Probe] = {}
    cases: list[Any] = []
    for item in items:
        params = getattr(item, "callspec", None)
        params = params.params if params is not None else {}
        if "conformance_case" in params:
            probe = params["conformance_case"].probe
            probes.setdefault(probe.name, probe)
        elif "phase" in params:
            cases += run.properties.cases(params["phase"], params["mode"])
    return Plan(list(probes.values()), cases)
