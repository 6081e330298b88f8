"""thorough makes its fuzzing cases on both cores: the same cases as made one share after another, the same verdict."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from conformance.contract import Contract
from conformance.mock import MockData
from conformance.properties import corpus
from conformance.properties.generate import load_operation
from conformance.properties.profiles import PROFILES
from conformance.properties.shares import Shares, make_share
from conformance.selftest.mutants import MUTANTS
from tests.conftest import Child, ctrl_c_to_the_group, failed_checks, forked_by_its_fork_server, run_cli, target_of
from tests.unit.test_properties import ids_of

THOROUGH = PROFILES["thorough"].with_max_examples(120)


def asked(cases: list[Any]) -> list[tuple[Any, ...]]:
    """What each case asks, request by request; schemathesis's case id differs from one making to the next."""
    records = corpus.records(cases)
    return [(r["method"], r["path_parameters"], r["query"], r.get("body"), r["headers"].get("Authorization")) for r in records]


def test_the_shares_made_on_both_cores_are_the_cases_made_one_after_another(contract: Contract, data: MockData) -> None:
    ids = ids_of(data)
    operation = load_operation(contract, ids, THOROUGH, 7)
    shares = Shares(contract.edition, ids, THOROUGH, 7)
    try:
        together = shares.cases(operation, lambda: None)
    finally:
        shares.close()
    in_turn = [
        case
        for share in range(THOROUGH.shares)
        for case in corpus.rebuilt(operation, make_share(contract.edition, ids, THOROUGH, 7, share))
    ]
    assert THOROUGH.shares == 2 and len(together) >= 100
    assert asked(together) == asked(in_turn)


def test_shares_no_longer_needed_are_stopped_at_once(contract: Contract, data: MockData) -> None:
    shares = Shares(contract.edition, ids_of(data), PROFILES["thorough"].with_max_examples(100_000), 1)
    began = time.monotonic()
    shares.close()
    assert time.monotonic() - began < 60  # making 100,000 cases would take many minutes, more on a busy machine


@pytest.mark.slow
def test_a_thorough_run_repeats_with_its_seed_and_finds_a_planted_bug(serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(MUTANTS["status-out-of-enum-for-some"].build(data)), data)
    thorough = ["--profile", "thorough", "--seed", "11", "--max-examples", "200", "--junitxml", str(tmp_path / "run.xml")]
    results = [run_cli("run", *args, *thorough, "--", "-m", "property", env=env, cwd=tmp_path) for _ in range(2)]
    assert [r.returncode for r in results] == [1, 1], results[0].stdout[-2000:]
    assert "enums.status" in failed_checks(tmp_path / "run.xml")
    tables = [r.stdout.split("Property cases")[1].split("\nVerdict: ")[0] for r in results]
    assert tables[0] == tables[1]  # the same cases, the same answers: the seed repeats the run


@pytest.mark.timing
def test_ctrl_c_during_a_thorough_run_is_one_line_exit_2_and_leaves_no_process(tmp_path: Path) -> None:
    def making_shares(run: Child) -> object:
        return forked_by_its_fork_server(run.pid)  # its helpers make the fuzzing cases, before the plan is printed

    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}  # no case kept from an earlier run: they are made
    exit_code, stderr, left = ctrl_c_to_the_group(["run", "--profile", "thorough"], making_shares, cwd=tmp_path, env=cache)
    assert (exit_code, stderr.strip(), left) == (2, "rtk-conformance: run interrupted", [])
