"""The suite catches hand-broken variants of the reference mock, each served on loopback, naming the right check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, ReferenceMock
from conformance.mock.mutants import MUTANTS
from tests.conftest import failed_checks, run_cli, target_of


def run_against(app: Any, data: MockData, serve: Any, tmp_path: Path) -> tuple[int, set[str], str]:
    args, env = target_of(serve(app), data)
    result = run_cli("run", *args, "--strict", "--junitxml", str(tmp_path / "run.xml"), env=env, cwd=tmp_path)
    return result.returncode, failed_checks(tmp_path / "run.xml"), result.stdout


def test_the_unmodified_mock_passes_strictly(serve: Any, data: MockData, tmp_path: Path) -> None:
    code, failed, output = run_against(ReferenceMock(data), data, serve, tmp_path)
    assert (code, failed) == (0, set()), output


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_each_mutant_is_caught_by_its_checks(name: str, serve: Any, data: MockData, tmp_path: Path) -> None:
    mutant = MUTANTS[name]
    code, failed, output = run_against(mutant.build(data), data, serve, tmp_path)
    assert code == 1, output
    assert set(mutant.killed_by) <= failed, f"{name}: expected {mutant.killed_by}, failed {sorted(failed)}"
