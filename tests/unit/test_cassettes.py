"""Cassettes: record any target, replay offline to the same verdict, and never write a secret."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import vcr
import yaml

from conformance.cassettes.cassette import Persister, Recording
from conformance.cassettes.replay import CassetteServer
from conformance.mock import MockData
from conformance.mock.server import serve_in_thread
from tests.conftest import ROOT

SHIPPED = ROOT / "cassettes" / "reference-mock.yaml"


def test_writing_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cassette = tmp_path / "c.yaml"
    cassette.write_text("good: cassette\n")
    persister = Persister(Recording("test", "http://x", "a", "b", ("s",), {}, complete=True))

    def crash(*args: Any) -> None:
        raise OSError("crashed while writing")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="crashed while writing"):
        persister.save_cassette(cassette, {"requests": [], "responses": []}, vcr.serializers.yamlserializer)
    assert cassette.read_text() == "good: cassette\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_our_cassettes_load_in_vcrpy(data: MockData, tmp_path: Path) -> None:
    interactions = yaml.safe_load(SHIPPED.read_text())["interactions"]
    found = next(i["request"] for i in interactions if i["response"]["status"]["code"] == 200)
    with vcr.use_cassette(str(SHIPPED), record_mode="none", match_on=["method", "path", "query"]):
        response = requests.get(found["uri"], headers={"Authorization": "Bearer any"})
    assert response.status_code == 200 and response.json()["success"] is True


def test_mock_serves_a_cassette_to_any_client(data: MockData, tmp_path: Path) -> None:
    server = CassetteServer(SHIPPED)
    rec = server.recording
    with serve_in_thread(server) as root:
        url = f"{root}{server.base_path}/accounts/{rec.account_id}/realtime/kit/{rec.app_id}/sessions/{rec.session_ids[0]}"
        bearer = {"Authorization": f"Bearer {server.token.reveal()}"}
        assert httpx.get(url, headers=bearer).json()["data"]["session"]["id"] == rec.session_ids[0]
        assert httpx.get(url).status_code == 400  # the recorded answer without credentials
        assert httpx.get(url + "x", headers=bearer).status_code == 501
