"""Both editions of the 200 body and real (UUID) app ids: the contract keeps them, the mock serves them,
the suite detects the edition and never fails a target for a documented contradiction."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import httpx
import pytest

from conformance.checks import REGISTRY, CheckFailure, NotApplicable, by_id
from conformance.checks.body import editions_of
from conformance.contract import BASE_PATH, Contract, load_contract
from conformance.mock import MockData, ReferenceMock
from conformance.mock.server import serve_in_thread
from conformance.properties.engine import PropertyLayer
from conformance.properties.profiles import PROFILES
from conformance.secret import Secret
from conformance.transport.exchange import Exchange, Received
from conformance.transport.http import Limits, Transport
from conformance.transport.probes import Ids

UUID_APP = "14a396e7-ca44-4937-bf1f-050a69118543"
LIVE = "6513270e-269e-4d37-b2a7-4de452e6b438"


@pytest.fixture(scope="module")
def current() -> Contract:
    return load_contract("current")


def as_current(exchange: Exchange) -> Exchange:
    """The same exchange with its documented-edition body flattened, as the current edition sends it."""
    assert exchange.response is not None
    body = copy.deepcopy(exchange.response.json)
    body["data"] = body["data"].pop("session")
    flat = Received(exchange.response.status, exchange.response.headers, httpx.Response(200, json=body).content)
    return Exchange(exchange.probe, exchange.request, flat, secret=exchange.secret)


def test_the_current_edition_changes_the_200_schema_and_session_id_only(contract: Contract, current: Contract) -> None:
    assert (contract.session_pointer, current.session_pointer) == ("/data/session", "/data")
    assert current.parameters["session_id"]["schema"]["format"] == "uuid" and "format" not in contract.parameters["session_id"]["schema"]
    assert current.max_lengths() == contract.max_lengths() == {"account_id": 32, "app_id": 32}
    assert (contract.other_edition_fields(), current.other_edition_fields()) == ([], ["meta"])


def test_a_body_is_in_the_edition_whose_place_holds_the_session(exchange_with: Any, contract: Contract) -> None:
    documented = exchange_with(f"session:{LIVE}")
    current = as_current(documented)
    assert documented.response is not None and current.response is not None
    assert editions_of(documented.response.json, contract) == ["documented"]
    assert editions_of(current.response.json, contract) == ["current"]
    assert editions_of({"success": True, "data": {}}, contract) == []


@pytest.mark.parametrize("check", REGISTRY, ids=lambda c: c.id)
def test_every_check_passes_on_a_current_edition_body(check: Any, probes: Any, exchange_with: Any, current: Contract) -> None:
    judged = 0
    for name in [name for name, probe in probes.items() if check.applies_to(probe)]:
        exchange = exchange_with(name)
        exchange = as_current(exchange) if exchange.response.status == 200 else exchange
        with contextlib.suppress(NotApplicable):
            check.run(exchange, current)
            judged += 1
    assert judged


def failure_text(check_id: str, exchange: Exchange, contract: Contract) -> list[str]:
    with pytest.raises(CheckFailure) as caught:
        by_id(check_id).run(exchange, contract)
    return str(caught.value).splitlines()[:4]


def test_a_missing_field_in_the_current_edition_is_named_at_data(exchange_with: Any, current: Contract) -> None:
    exchange = as_current(exchange_with(f"session:{LIVE}", edit=lambda b: b["data"]["session"].pop("status")))
    assert failure_text("schema.required-fields", exchange, current)[:2] == [
        "[schema.required-fields] required field status is missing at /data",
        "Received: an object without status at /data",
    ]


def test_a_flat_body_checked_as_documented_is_one_explanation(exchange_with: Any, contract: Contract) -> None:
    flat = as_current(exchange_with(f"session:{LIVE}"))
    lines = failure_text("schema.envelope", flat, contract)
    assert lines[0] == "[schema.envelope] this target serves the current edition (flat data), not the documented edition this run checks"
    assert lines[2:] == [
        "Documented: a session object at /data/session (documented edition); run with --edition current or auto",
        "Contract: openapi/schemas/session-response.documented.schema.json",
    ]
    for check in ("schema.required-fields", "schema.field-types", "enums.status", "semantics.at-most"):
        with pytest.raises(NotApplicable):  # not a dozen missing-field failures
            by_id(check).run(flat, contract)


def test_a_documented_body_checked_as_current_is_one_explanation(exchange_with: Any, current: Contract) -> None:
    lines = failure_text("schema.envelope", exchange_with(f"session:{LIVE}"), current)
    assert lines[0] == "[schema.envelope] this target serves the documented edition (data.session), not the current edition this run checks"
    assert lines[2] == "Documented: a session object at /data (current edition); run with --edition documented or auto"
    with pytest.raises(NotApplicable):
        by_id("schema.required-fields").run(exchange_with(f"session:{LIVE}"), current)


@pytest.mark.parametrize(
    ("app_id", "advised"), [(UUID_APP, True), ("rtk-reference-mock-app-01", False), ("f" * 33, False), (UUID_APP.upper(), True)]
)
def test_a_uuid_app_id_is_a_documented_contradiction_not_an_error(contract: Contract, app_id: str, advised: bool) -> None:
    found = contract.contradictions("app_id", app_id)
    assert bool(found) == advised
    assert (contract.validate_parameter("app_id", app_id) == []) == (len(app_id) <= 32 or advised)
    if advised:
        assert str(found[0]) == (
            f"app_id {app_id} breaks the documented maxLength 32 (reference-page, official-spec) but is a real app id, "
            "a 36-character UUID (observed, official-sdk): a documented contradiction, never a failure of the target "
            "(openapi/schemas/app-id.schema.json#/anyOf/1)"
        )


def session_url(root: str, data: MockData, app_id: str, session_id: str) -> str:
    return f"{root}{BASE_PATH}/accounts/{data.account_id}/realtime/kit/{app_id}/sessions/{session_id}"


def test_the_mock_serves_uuid_apps_and_either_edition(data: MockData) -> None:
    headers = {"Authorization": f"Bearer {data.token}"}
    uuid_session = data.for_app(UUID_APP).session_ids[0]
    with serve_in_thread(ReferenceMock(data, edition="current")) as root:
        ok = httpx.get(session_url(root, data, UUID_APP, uuid_session), headers=headers)
        too_long = httpx.get(session_url(root, data, UUID_APP[:33], uuid_session), headers=headers)
        other_app = httpx.get(session_url(root, data, UUID_APP, LIVE), headers=headers)
        with_meta = httpx.get(session_url(root, data, data.app_id, LIVE), headers=headers)
    assert ok.status_code == 200 and ok.json()["data"]["organization_id"] == UUID_APP and "session" not in ok.json()["data"]
    assert (too_long.status_code, too_long.json()["errors"][0]["code"]) == (400, 7003)
    assert other_app.status_code == 404  # each app has its own sessions
    assert "meta" in data.sessions[0] and "meta" not in with_meta.json()["data"]  # the current edition dropped meta


def test_the_property_layer_judges_against_the_runs_edition(data: MockData, current: Contract) -> None:
    ids = Ids(data.account_id, data.app_id, tuple(data.session_ids))
    with serve_in_thread(ReferenceMock(data, edition="current")) as root:
        layer = PropertyLayer(
            current, ids, root + BASE_PATH, Secret(data.token), PROFILES["ci"].with_max_examples(40), 0, Transport(Limits())
        )
        results = layer.run("fuzzing", "positive") + layer.run("coverage", "negative")
        layer.transport.close()
    assert [r.failures for r in results if r.failures] == []
    assert any(r.status == 200 for r in results)
