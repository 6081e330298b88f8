"""The property layer in a run: planted bugs are found, and two runs of the ci profile send the same requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, ReferenceMock
from conformance.mock.app import Request
from conformance.mock.server import serve_in_thread
from conformance.selftest.mutants import MUTANTS
from tests.conftest import failed_checks, run_cli, target_of

PLANTED = {
    "server-error-on-dot": "errors.no-server-error",
    "long-account-accepted": "params.max-length",
    "status-out-of-enum-for-some": "enums.status",
    "count-as-string-for-some": "schema.field-types",
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_bugs_are_found_by_the_property_layer(name: str, serve: Any, data: MockData, tmp_path: Path) -> None:
    args, env = target_of(serve(MUTANTS[name].build(data)), data)
    result = run_cli("run", *args, "--junitxml", str(tmp_path / "run.xml"), "--", "-m", "property", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert PLANTED[name] in failed_checks(tmp_path / "run.xml")
    assert "\nReproduce the generated cases: rtk-conformance run --target " in result.stdout


class Recorder(ReferenceMock):
    """The reference mock, writing down every request it gets."""

    def __init__(self, data: MockData, log: list[str]) -> None:
        super().__init__(data)
        self.log = log

    def respond(self, request: Request) -> Any:
        self.log.append(f"{request.method} {request.path}?{request.query}")
        return super().respond(request)


def test_two_ci_runs_send_the_same_requests(data: MockData, tmp_path: Path) -> None:
    logs: list[list[str]] = [[], []]
    for log in logs:
        with serve_in_thread(Recorder(data, log)) as url:
            args, env = target_of(url, data)
            assert run_cli("run", *args, "--", "-m", "property", env=env, cwd=tmp_path).returncode == 0
    assert len(logs[0]) > 100  # every distinct request: a case that repeats one shares its answer
    assert logs[0] == logs[1]
