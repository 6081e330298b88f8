"""The case cache is data from outside: JSON, used only when it was made for this run and holds only what the
generator makes; anything else is set aside with a notice naming the file and the rule it breaks."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from conformance.contract import Contract
from conformance.mock import MockData
from conformance.properties import corpus
from conformance.properties.generate import generate, load_operation
from conformance.properties.profiles import PROFILES
from tests.unit.test_properties import ids_of

CI = PROFILES["ci"].with_max_examples(20)
OPERATION_PATH = "/accounts/{account_id}/realtime/kit/{app_id}/sessions/{session_id}"


@pytest.fixture
def kept(contract: Contract, data: MockData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """kept(phase, change): the phase's cases stored in a fresh cache directory, the file then changed by
    `change(stored JSON)`, and loaded back: (what load says, the file)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ids = ids_of(data)
    operation = load_operation(contract, ids, CI, 0)

    def load(phase: str, change: Any = None) -> tuple[corpus.Kept, Path]:
        identity = corpus.made_for(contract, CI, 0, ids, phase)
        corpus.store(identity, generate(operation, phase, 0, ids).cases)
        path = corpus.path_of(identity)
        if change is not None:
            written = change(json.loads(path.read_text()))
            path.write_bytes(written if isinstance(written, bytes) else json.dumps(written).encode())
        return corpus.load(identity, operation, CI), path

    return load


def asked(cases: list[Any]) -> list[tuple[Any, ...]]:
    return [(c.method, c.path_parameters, c.query, c.meta.generation.mode.value, c.meta.phase.name.value) for c in cases]


def test_kept_cases_are_json_and_come_back_as_generated(kept: Any, contract: Contract, data: MockData) -> None:
    loaded, path = kept("coverage")
    again = generate(load_operation(contract, ids_of(data), CI, 0), "coverage", 0, ids_of(data)).cases
    assert json.loads(path.read_text())["made_for"]["phase"] == "coverage"
    assert loaded.notice == "" and asked(loaded.cases) == asked(again)


def test_a_phase_never_kept_is_generated_without_a_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert corpus.load({"phase": "examples"}, None, CI) == corpus.Kept(None)


def set_aside(path: Path, why: str) -> str:
    return f"Cache: {path} set aside, {why}; the cases are generated anew"


def test_a_pickle_in_the_cache_is_never_unpickled(kept: Any, tmp_path: Path) -> None:
    planted = tmp_path / "ran"

    class Planted:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {planted}",))

    loaded, path = kept("examples", lambda _: pickle.dumps([Planted()]))
    assert (loaded.cases, loaded.notice) == (None, set_aside(path, "it is not readable JSON (UnicodeDecodeError)"))
    assert not planted.exists()


@pytest.mark.parametrize(
    ("phase", "change", "why"),
    [
        ("fuzzing", lambda kept: kept | {"cases": []}, "at /cases: [] has less than 1 item"),
        ("fuzzing", lambda kept: kept | {"cases": kept["cases"] * 2}, "at /cases: it breaks properties/cases/maxItems"),
        ("fuzzing", lambda kept: _each(kept, method="DELETE"), 'at /cases/0/method: "DELETE" is not one of "GET"'),
        ("coverage", lambda kept: _each(kept, method="DELETE"), "at /cases: it breaks allOf/0/properties/cases/maxContains"),
        ("examples", lambda kept: _each(kept, path="/admin"), f'at /cases/0/path: "{OPERATION_PATH}" was expected'),
        ("examples", lambda kept: _each(kept, body={"a": 1}), "at /cases/0: Additional properties are not allowed ('body' was unexpected)"),
        ("examples", lambda kept: _made_for(kept, profile="thorough"), "it was made for another run (its profile differs)"),
        ("examples", lambda kept: _made_for(kept, made_by={}), "it was made for another run (its made_by differs)"),
        (
            "examples",
            lambda kept: _parameter(kept, session_id="f" * 5000),
            "at /cases/0/path_parameters/session_id: it breaks"
            " properties/cases/items/properties/path_parameters/properties/session_id/maxLength",
        ),
        ("examples", lambda kept: _parameter(kept, session_id=7), 'at /cases/0/path_parameters/session_id: 7 is not of type "string"'),
        ("examples", lambda kept: _each(kept, meta={"generation": {}}), "its case metadata is not schemathesis's (KeyError: 'time')"),
        ("examples", lambda kept: b"[" * 100_000, "it is nested deeper than 64 levels"),
        ("examples", lambda kept: [], "it was made for another run (its made_for differs)"),
    ],
)
def test_a_kept_file_the_generator_could_not_have_made_is_set_aside(kept: Any, phase: str, change: Any, why: str) -> None:
    loaded, path = kept(phase, change)
    assert (loaded.cases, loaded.notice) == (None, set_aside(path, why))


def test_a_kept_file_larger_than_the_limit_is_not_read(kept: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 100)
    loaded, path = kept("examples")
    assert (loaded.cases, loaded.notice) == (None, set_aside(path, "it is larger than 100 bytes"))


def _each(kept: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return kept | {"cases": [case | fields for case in kept["cases"]]}


def _made_for(kept: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return kept | {"made_for": kept["made_for"] | fields}


def _parameter(kept: dict[str, Any], **values: Any) -> dict[str, Any]:
    return kept | {"cases": [case | {"path_parameters": case["path_parameters"] | values} for case in kept["cases"]]}
