"""rtk-conformance drift: the official spec's known differences, and new ones in synthetic upstream documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from conformance.contract.drift import differences

# The official spec's facts about the operation, restated by the project with their source (tests/fixtures/).
PATH = "/accounts/{account_id}/realtime/kit/{app_id}/sessions/{session_id}"
KNOWN = [
    "200 body: where the session is",
    "parameter app_id",
    "parameter session_id",
    "session field created_at",
    "session field ended_at",
    "session field meta",
    "session field started_at",
    "session field updated_at",
]


def test_a_changed_upstream_value_is_new_even_where_the_fact_is_known(official: dict[str, Any], tmp_path: Path) -> None:
    changed = copy.deepcopy(official)
    changed["components"]["schemas"]["realtimekit_app_id"]["maxLength"] = 36
    (tmp_path / "upstream.json").write_text(json.dumps(changed))
    found = {d.fact: d.known for d in differences(tmp_path / "upstream.json")}
    assert found["parameter app_id"] is False


def test_openapi_3_1_yaml_with_renamed_path_parameters(official: dict[str, Any], tmp_path: Path) -> None:
    document = copy.deepcopy(official)
    document["openapi"] = "3.1.0"
    document["paths"] = {PATH.replace("{app_id}", "{app}"): document["paths"][PATH]}
    (tmp_path / "upstream.yaml").write_text(yaml.safe_dump(document))
    assert [d.fact for d in differences(tmp_path / "upstream.yaml")] == KNOWN


def test_a_whole_multi_megabyte_spec_is_read(official: dict[str, Any], tmp_path: Path) -> None:
    document = copy.deepcopy(official)
    filler = {"get": {"responses": {"200": {"description": "another operation " + "x" * 200}}}}
    document["paths"].update({f"/zones/{n}/things": filler for n in range(20_000)})
    upstream = tmp_path / "big.json"
    upstream.write_text(json.dumps(document))
    assert upstream.stat().st_size > 4_000_000
    assert [d.fact for d in differences(upstream)] == KNOWN
