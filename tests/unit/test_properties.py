"""The property layer: it passes on the reference mock, finds planted bugs, and is deterministic in ci."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis.internal.conjecture import providers
from schemathesis.core.failures import FailureGroup

from conformance.checks import by_id
from conformance.contract import BASE_PATH, Contract
from conformance.mock import MockData, ReferenceMock
from conformance.mock.server import serve_in_thread
from conformance.properties import engine
from conformance.properties.engine import PropertyLayer
from conformance.properties.generate import generate, load_operation
from conformance.properties.hypothesis_internals import without_local_constants
from conformance.properties.judge import our_verdicts
from conformance.properties.profiles import MODES, PHASES, PROFILES
from conformance.reports.properties import reproduce_command
from conformance.run.settings import Settings
from conformance.secret import Secret
from conformance.selftest.mutants import MUTANTS
from conformance.selftest.mutants.kinds import ServerErrorOnDot
from conformance.transport.http import Limits, Transport
from conformance.transport.probes import Ids


def ids_of(data: MockData) -> Ids:
    return Ids(data.account_id, data.app_id, tuple(data.session_ids))


@pytest.fixture(scope="module")
def ci_results(contract: Contract, data: MockData) -> Iterator[PropertyLayer]:
    """Every phase and mode of the ci profile, run against the reference mock."""
    with serve_in_thread(ReferenceMock(data)) as root:
        layer = PropertyLayer(contract, ids_of(data), root + BASE_PATH, Secret(data.token), PROFILES["ci"], 0, Transport(Limits()))
        for phase in PHASES:
            for mode in MODES:
                layer.run(phase, mode)
        yield layer
        layer.transport.close()


def test_ci_profile_passes_on_the_reference_mock(ci_results: PropertyLayer) -> None:
    failed = [(r.phase, r.mode, r.failures) for r in ci_results.results if r.failures]
    assert failed == []
    assert len(ci_results.results) >= 300


def test_every_phase_and_mode_sends_cases(ci_results: PropertyLayer) -> None:
    sent = {(r.phase, r.mode) for r in ci_results.results}
    assert sent == {(p, m) for p in PHASES for m in MODES} - {("examples", "negative")}


def test_a_third_of_positive_cases_reach_a_session(ci_results: PropertyLayer) -> None:
    positive = [r for r in ci_results.results if r.mode == "positive"]
    assert sum(r.status == 200 for r in positive) * 3 >= len(positive)
    assert any(r.status == 404 for r in positive)  # the rest hit unknown ids, where 404 is right


def test_negative_cases_carry_why_and_acceptable_statuses(ci_results: PropertyLayer, contract: Contract) -> None:
    negative = [r.expectation for r in ci_results.results if r.expectation.negative]
    assert negative and all(e.why and e.statuses == tuple(contract.failure_statuses()) for e in negative)
    assert any("longer than 32 characters" in e.why for e in negative)


def test_relabelled_cases_are_valid_on_the_wire(ci_results: PropertyLayer) -> None:
    relabelled = [r for r in ci_results.results if not r.expectation.agrees]
    assert relabelled  # the string "true" for a boolean, a Content-Type on a GET
    assert all(r.mode == "negative" and r.expectation.why == "valid on the wire although generated as negative" for r in relabelled)


def test_edge_values_are_sent(ci_results: PropertyLayer) -> None:
    urls = " ".join(r.request_line for r in ci_results.results)
    # ".." as sent, encoded: the curl line repeats the request that went out, and curl would resolve a bare ".."
    for edge in ("/sessions/a.b", "/sessions/%2E%2E?", "/sessions/a%2Fb", "/sessions/with%20space", "include_breakout_rooms=True"):
        assert edge in urls, edge


def test_an_accepted_violation_is_our_rule_naming_the_parameter_and_value_it_was_sent_with(contract: Contract, data: MockData) -> None:
    """One rule, one level, one voice: a generated case that breaks maxLength and is accepted is params.max-length's, at
    its level, with its block; the error names the parameter and its value, and the request line is that case's."""
    with serve_in_thread(MUTANTS["long-account-accepted"].build(data)) as root:
        layer = PropertyLayer(contract, ids_of(data), root + BASE_PATH, Secret(data.token), PROFILES["ci"], 0, Transport(Limits()))
        accepted = [f for r in layer.run("fuzzing", "negative") for f in r.failures if f.check == "params.max-length"]
        layer.transport.close()
    assert accepted and {f.level for f in accepted} == {by_id("params.max-length").level}
    assert not [f for r in layer.results for f in r.failures if f.check.startswith("schemathesis")]
    for finding in accepted:
        (error,) = finding.detail["errors"]
        value = re.fullmatch(r"a 33-character account_id \((\w+)\) was not rejected with a 4xx", error)
        assert value is not None, error
        assert f"/accounts/{value[1]}/" in finding.detail["request"]  # the request whose answer was judged
        assert {"received", "documented", "contract"} <= {k for k, v in finding.detail.items() if v}


def judged(layer: PropertyLayer) -> list[tuple[object, ...]]:
    """What each case was judged to be, in order: everything a report shows of it."""
    return [(r.phase, r.mode, r.status, r.expectation, r.failures, r.request_line, r.situations) for r in layer.results]


def test_a_case_that_repeats_an_earlier_one_is_judged_as_it_would_be_anew(
    contract: Contract, data: MockData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case alike an earlier one (the same shared answer, phase, mode and scenario) takes its judgement: the same, case
    for case, as judging every case on an answer of its own, with failures among them; and our checks run fewer times."""
    judging: list[object] = []

    def counted(*args: Any) -> Any:
        judging.append(args)
        return our_verdicts(*args)

    monkeypatch.setattr(engine, "our_verdicts", counted)
    runs = {}
    with serve_in_thread(MUTANTS["status-out-of-enum-for-some"].build(data)) as root:
        for share in (True, False):
            judging.clear()
            transport = Transport(Limits(share=share))
            layer = PropertyLayer(contract, ids_of(data), root + BASE_PATH, Secret(data.token), PROFILES["ci"], 0, transport)
            for phase in PHASES:
                for mode in MODES:
                    layer.run(phase, mode)
            transport.close()
            runs[share] = (judged(layer), len(judging))
    (alike, judged_alike), (anew, judged_anew) = runs[True], runs[False]
    assert alike == anew and any(failures for _, _, _, _, failures, _, _ in alike)
    assert judged_anew == len(anew) > judged_alike


def test_the_seed_appears_once_in_the_command_that_repeats_a_run() -> None:
    command = reproduce_command(Settings(seed=0, profile="ci"), 0, "fuzzing-negative")
    assert command.count("--seed") == 1


def test_reproduce_command_repeats_the_settings() -> None:
    settings = Settings(
        target="http://127.0.0.1:8787/client/v4", account_id="acc", app_id="app", session_id=("s1", "s2"), profile="thorough"
    )
    assert reproduce_command(settings, 1234, "fuzzing-negative") == (
        "rtk-conformance run --target http://127.0.0.1:8787/client/v4 --account-id acc --app-id app "
        "--session-id s1 --session-id s2 --profile thorough --seed 1234 -- -k 'property and fuzzing-negative'"
    )


def test_schemathesis_output_keeps_the_session_id_and_masks_the_token(contract: Contract, data: MockData) -> None:
    operation = load_operation(contract, ids_of(data), PROFILES["ci"], 0)
    (case,) = generate(operation, "examples", 0, ids_of(data)).cases
    case.path_parameters["session_id"] = "a.b"
    headers = {"Authorization": f"Bearer {data.token}"}
    with serve_in_thread(ServerErrorOnDot(data)) as root, pytest.raises(FailureGroup) as caught:
        case.validate_response(case.call(base_url=root + BASE_PATH, headers=headers), headers=headers)
    message = str(caught.value.args[0])
    assert "/sessions/a.b" in message and "Authorization: [Filtered]" in message
    assert data.token not in message


def test_ci_configuration_is_deterministic_and_bounded(contract: Contract, data: MockData) -> None:
    config = load_operation(contract, ids_of(data), PROFILES["ci"], 0).schema.config
    generation = config.generation_for(operation=None)
    assert (generation.deterministic, generation.database, generation.max_examples) == (True, "none", 300)
    assert json.dumps(PROFILES["ci"].seed) == "0"


def test_constants_hypothesis_kept_from_another_generation_never_reach_ours() -> None:
    """Hypothesis keeps the constants it draws from, those it mined from local modules too, in a cache of the process:
    what a generation before ours left there (another test, a user's own: the fake's state machine, on the lowest
    Hypothesis) would change our cases, and the same seed would send other requests than in a fresh process."""
    cache = providers.CONSTANTS_CACHE
    earlier: Any = ("string", ("an earlier generation's",))  # keys as Hypothesis makes them: a type, its constraints
    ours: Any = ("string", ("ours",))
    cache[earlier] = (("global",), ("mined from a local module",))
    with without_local_constants():
        assert earlier not in cache
        cache[ours] = (("global",), ())
    assert ours not in cache  # nor does ours leave its own to the next
