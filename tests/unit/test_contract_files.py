"""The contract files: a valid OpenAPI 3.1 fragment, examples that validate, validators with formats on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from conformance.contract import Contract, contract_dir


def test_fragment_passes_openapi_spec_validator(contract: Contract) -> None:
    document, base_uri = read_from_filename(str(contract.fragment_path))
    validate(document, base_uri=base_uri)
    assert document["openapi"].startswith("3.1")


def examples(contract: Contract) -> list[tuple[str, Any]]:
    """Every inline example of every response, with its status."""
    found = []
    for status, response in contract.operation["responses"].items():
        media = response["content"]["application/json"]
        if "example" in media:
            found.append((f"{status}", media["example"]))
        found += [(f"{status}:{name}", example["value"]) for name, example in media.get("examples", {}).items()]
    return found


def test_every_example_validates_against_its_schema(contract: Contract) -> None:
    checked = examples(contract)
    assert len(checked) >= 8
    for name, example in checked:
        errors = contract.validate_body(example) if name.startswith("200") else contract.validate_failure(example)
        assert errors == [], name


def test_every_status_of_the_facts_is_declared(contract: Contract) -> None:
    assert sorted(contract.operation["responses"]) == ["200", "400", "401", "403", "404", "405", "429"]


def test_a_bad_date_time_is_rejected(contract: Contract) -> None:
    (_, good), *_ = examples(contract)
    good["data"]["session"]["created_at"] = "12 January 2022"
    (error,) = contract.validate_body(good)
    assert (error.keyword, error.pointer) == ("format", "/data/session/created_at")


@pytest.mark.parametrize("body", [{"success": False}, {"success": True, "errors": [{"code": 9106, "message": "m"}]}, {"errors": []}])
def test_failure_schema_rejects_non_failures(contract: Contract, body: Any) -> None:
    assert contract.validate_failure(body)


def test_facts_are_read_from_the_files(contract: Contract) -> None:
    assert contract.max_lengths() == {"account_id": 32, "app_id": 32}
    assert contract.enum_fields() == {"status": ["LIVE", "ENDED"], "type": ["meeting", "livestream", "participant"]}
    assert len(contract.session["required"]) == 12 and len(contract.session["properties"]) == 15
    assert contract.session_pointer == "/data/session"
    assert contract.breakout_rooms_parameter == "include_breakout_rooms"
    assert contract.nested_sessions_field == "breakout_rooms"


def test_only_bearer_auth_is_declared(contract: Contract) -> None:
    schemes = contract.fragment["components"]["securitySchemes"]
    assert schemes == {"api_token": {**schemes["api_token"], "type": "http", "scheme": "bearer"}}
    assert contract.operation["security"] == [{"api_token": []}]
    assert contract.operation["x-api-token-group"] == ["Realtime Admin", "Realtime"]


def test_every_part_names_its_source(contract: Contract) -> None:
    sources = {"reference-page", "official-spec", "official-sdk", "observed", "inferred"}
    parts = [contract.operation, *contract.operation["parameters"], *contract.operation["responses"].values()]
    parts += [*contract.editions.values(), *contract.parameters["app_id"]["schema"]["anyOf"]]
    for part in parts:
        assert set(part["x-source"]) <= sources and part["x-source"], part.get("name", part.get("description"))


def test_the_documented_app_id_limit_stays_beside_real_app_ids(contract: Contract) -> None:
    documented, real = contract.parameters["app_id"]["schema"]["anyOf"]
    assert (documented["maxLength"], documented["x-source"]) == (32, ["reference-page", "official-spec"])
    assert (real["format"], real["x-contradicts"], "observed" in real["x-source"]) == ("uuid", "maxLength", True)


def test_both_editions_share_one_session_schema(contract: Contract) -> None:
    for edition in contract.editions.values():
        response = contract.schemas[edition["response"].removeprefix("schemas/")]
        assert response["x-session-pointer"] in ("/data/session", "/data")
        assert "session.schema.json" in json.dumps(response)


def test_contract_is_found_from_the_checkout() -> None:
    assert (contract_dir() / "schemas" / "session.schema.json").is_file()


def test_unknown_edition_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown edition 'flat'"):
        Contract(contract_dir(), "flat")


def test_every_rule_names_its_source_and_every_entry_is_a_rule_of_the_suite(contract: Contract) -> None:
    from conformance.checks import REGISTRY
    from conformance.contract.rules import rule_sources

    vocabulary = {"reference-page", "official-spec", "official-sdk", "observed", "inferred"}
    entries = rule_sources(contract.root)
    assert all(entry.sources and set(entry.sources) <= vocabulary for entry in entries.values())
    used = {c.id if c.id in entries else c.id.split(".")[0] + ".*" for c in REGISTRY}
    assert used == set(entries)  # none without a source, none left over
