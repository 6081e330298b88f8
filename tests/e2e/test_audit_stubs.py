"""The audit's readers of stubs against the real tools: every exchange read from a WireMock folder or a Mockoon
environment is what the real WireMock or Mockoon answers to that request, status, body and the headers read.

Marker `vendors`: run by .ci/run (and `tox -e vendors`), which installs the tools into .vendors/ and Java.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from conformance.audit.reading import read_path
from tests.conftest import FIXTURES
from tests.e2e.gallery import MOCKOON, WIREMOCK, Vendor, serving

pytestmark = pytest.mark.vendors

STUBS = [
    (WIREMOCK, FIXTURES / "audit" / "wiremock"),  # a vendor's three mappings and a body file
    (WIREMOCK, FIXTURES / "wiremock" / "quick-stub"),  # the gallery's quick stub
    (MOCKOON, FIXTURES / "audit" / "mockoon" / "get-session-details.mockoon.json"),  # imported from the contract
]


@pytest.mark.parametrize(("vendor", "source"), STUBS, ids=["wiremock-vendor", "wiremock-quick-stub", "mockoon-import"])
def test_each_exchange_read_from_a_stub_is_what_the_real_tool_answers(vendor: Vendor, source: Path, tmp_path: Path) -> None:
    exchanges, _ = read_path(source)
    assert len(exchanges) >= 6
    with serving(vendor, source, tmp_path) as base_url, httpx.Client(trust_env=False, timeout=30) as client:
        root = base_url.removesuffix(vendor.base_path)
        for exchange in exchanges:
            answer = client.request(exchange.method, root + exchange.url, headers=exchange.headers)
            said = f"{exchange.location}: {exchange.method} {exchange.url} {exchange.headers}"
            assert (answer.status_code, answer.content) == (exchange.status, exchange.body), said
            assert {name: answer.headers.get(name) for name in exchange.response_headers} == exchange.response_headers, said
