"""What a test saw, carried in its report's user properties, so that a pytest-xdist controller judges the run
its workers ran: the same verdict, summary and reports as a run in one process.

A worker's test adds what it saw (what its probe got, as the record keeps it; its generated cases, each with its
status and failed checks); the controller, which runs no test itself, adopts it into its own run's data: nothing is
made up for it, no exchange, no answer.
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from typing import Any

from conformance.contract.editions import Contradiction
from conformance.properties.engine import CaseResult
from conformance.properties.judge import Finding
from conformance.properties.oracle import Expectation
from conformance.run.live import Run
from conformance.run.record import JUnitEntry, ProbeAnswer

# User property names; not in JUnit XML.
ANSWER, CASES, TEXTS, UNSENT, OUTCOME, CRASH = "status", "cases", "failure-texts", "unsent", "outcome", "crash"
EDITION = "edition-detected"  # the edition a worker's generated cases detected, when no probe got a 200 body
CONTROLS = "control-statuses"  # what the requests got that schemathesis's checks sent of their own
ACCOUNT = "account"  # the test as JUnit XML shows it
CARRIED = (ANSWER, CASES, TEXTS, UNSENT, OUTCOME, CRASH, EDITION, CONTROLS, ACCOUNT)


@lru_cache(maxsize=256)  # the same answer goes with every check of its probe
def of_answer(answer: ProbeAnswer) -> tuple[tuple[str, str]]:
    return ((ANSWER, json.dumps(dataclasses.asdict(answer))),)


def of_account(account: JUnitEntry) -> tuple[str, str]:
    return ACCOUNT, json.dumps(dataclasses.asdict(account))


def account_from(text: str) -> JUnitEntry:
    fields = json.loads(text)
    return JUnitEntry(**{**fields, "properties": tuple(tuple(pair) for pair in fields["properties"])})


def answer_from(text: str) -> ProbeAnswer:
    fields = json.loads(text)
    contested = fields.pop("contested")
    situations = tuple(fields.pop("situations"))
    return ProbeAnswer(**fields, contested=Contradiction(**contested) if contested else None, situations=situations)


def of_outcome(outcome: str, text: str, detail: dict[str, Any]) -> tuple[str, str]:
    """A check's outcome on its probe (passed, failed, skipped; a SHOULD failure is failed), its fixed text and detail."""
    return OUTCOME, json.dumps([outcome, text, detail])


def outcome_of(properties: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    outcome, text, detail = json.loads(properties[OUTCOME])
    return str(outcome), str(text), dict(detail)


def of_cases(results: list[CaseResult], unsent: int = 0, edition: str = "", controls: tuple[int | None, ...] = ()) -> list[tuple[str, str]]:
    """Each case as [phase, mode, status, agrees, contested, [[check, level, errors], ...], situations]; each failure's text and
    detail once per check; the edition these cases detected, if they did; the statuses of the control requests that
    schemathesis's checks sent while judging them."""
    failed = [[[f.check, f.level, f.detail.get("errors", [])] for f in r.failures] for r in results]
    cases = [
        [r.phase, r.mode, r.status, r.expectation.agrees, r.expectation.contested, f, r.situations]
        for r, f in zip(results, failed, strict=True)
    ]
    texts: dict[str, tuple[str, dict[str, Any]]] = {}
    for finding in (f for r in results for f in r.failures):
        texts.setdefault(finding.check, (finding.text, finding.detail))
    detected = [(EDITION, edition)] if edition else []
    return [(CASES, json.dumps(cases)), (TEXTS, json.dumps(texts)), (UNSENT, str(unsent)), (CONTROLS, json.dumps(controls)), *detected]


def adopt(run: Run, properties: dict[str, Any]) -> None:
    """Take into this process's run what a worker's test saw (a crash of the suite's own too)."""
    if CRASH in properties:
        run.crashes.append(str(properties[CRASH]))
    if EDITION in properties and run.properties.on_edition is not None:
        run.properties.on_edition(str(properties[EDITION]))
        run.properties.on_edition = None
    if ANSWER in properties:
        answer = answer_from(properties[ANSWER])
        run.answers.setdefault(answer.probe, answer)
    if CASES in properties:
        run.properties.unsent += int(properties[UNSENT])
        run.properties.carried_controls += json.loads(properties.get(CONTROLS, "[]"))
        texts = json.loads(properties[TEXTS])
        for phase, mode, status, agrees, contested, failed, situations in json.loads(properties[CASES]):
            findings = [Finding(check, level, texts[check][0], {**texts[check][1], "errors": errors}) for check, level, errors in failed]
            expectation = Expectation(False, "", (), agrees, contested)
            run.properties.results.append(CaseResult(phase, mode, status, expectation, findings, "", tuple(situations)))
