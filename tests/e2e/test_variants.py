"""Correct variants, one by one: a server that differs from the reference mock only where the contract allows passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.mock import load_data
from conformance.selftest.variants import VARIANTS, serving
from tests.conftest import run_cli, target_of

pytestmark = pytest.mark.timing


@pytest.mark.parametrize("edition", ["documented", "current"])
def test_a_server_that_enforces_the_documented_app_id_limit_passes_strict(edition: str, tmp_path: Path) -> None:
    """It refuses 36-character UUID app ids, which production accepts: one side of a documented contradiction."""
    data = load_data()
    with serving(data, edition, VARIANTS["documented-literal-limits"].style) as base_url:
        args, env = target_of(base_url.removesuffix("/client/v4"), data)
        result = run_cli("run", *args, "--strict", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Verdict: CONFORMS: every check holds" in result.stdout
    assert "contested: cases that follow a documented contradiction, judged on neither acceptance nor rejection" in result.stdout
