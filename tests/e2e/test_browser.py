"""The HTML report in a real headless browser: Debian's chromium, driven by playwright (no browser download).

Marker `browser`: run by `.ci/run`, which installs chromium and the `browser` extra; deselected from the default run.
"""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conformance.mock import MockData, Reply, Request
from conformance.selftest.mutants import MUTANTS
from conformance.selftest.mutants.kinds import TruncatesLongAccount
from tests.conftest import run_cli, target_of

pytestmark = pytest.mark.browser

# How this machine's chromium runs headless as root, without reaching for the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Any:
    chromium = shutil.which("chromium")
    try:
        playwright = importlib.import_module("playwright.sync_api")
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[browser]' (as .ci/run does)", pytrace=False)
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: apt-get install chromium (as .ci/run does)", pytrace=False)
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("width", [800, 1280])
def test_the_html_report_reads_without_scrolling_sideways_and_links_into_the_contract(
    browser: Any, serve: Any, data: MockData, tmp_path: Path, width: int
) -> None:
    args, env = target_of(serve(MUTANTS["status-paused"].build(data)), data)
    run_cli("run", *args, "--report", str(tmp_path / "report.html"), env=env, cwd=tmp_path)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((tmp_path / "report.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the curl lines wrap
    verdict, matrix, block = page.locator("#verdict"), page.locator("#matrix"), page.locator("#check-enums\\.status")
    assert verdict.is_visible() and verdict.inner_text().startswith("VIOLATES: ")
    assert matrix.is_visible() and "enums" in matrix.inner_text()
    assert page.locator("#fix-first li").first.inner_text().startswith("enums.status (MUST): clears ")
    assert block.is_visible() and 'Received: "PAUSED" at /data/session/status' in block.inner_text()
    assert block.locator("button", has_text="copy").first.is_visible()
    target = page.locator("[id='contract:openapi/schemas/session.schema.json:/properties/status/enum']")
    assert not target.is_visible()  # folded away at the end of the page, until a pointer leads there
    block.locator("a", has_text="session.schema.json#/properties/status/enum").click()
    assert target.is_visible() and target.inner_text().startswith('"enum": [')
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000


class CompactAndLenient(TruncatesLongAccount):
    """A mock as vendors' tools write them: compact JSON (no space to break a line at) and a 33-character account id
    accepted, so that the report quotes long unbroken bodies."""

    def respond(self, request: Request) -> Reply:
        reply = super().respond(request)
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body, separators=(",", ":")).encode()
        return Reply(reply.status, body, reply.headers, reply.content_type)


def test_the_html_report_of_long_unbroken_answers_fits_800_px(browser: Any, serve: Any, data: MockData, tmp_path: Path) -> None:
    """Received lines of compact JSON, ids and URLs without a space: every element wraps within the page."""
    args, env = target_of(serve(CompactAndLenient(data)), data)
    run_cli("run", *args, "--report", str(tmp_path / "report.html"), env=env, cwd=tmp_path)
    page = browser.new_page(viewport={"width": 800, "height": 900})
    page.goto((tmp_path / "report.html").as_uri())
    assert "params.max-length" in page.locator("#fix-first").inner_text()
    wider = page.evaluate("[...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert (page.evaluate("document.documentElement.scrollWidth"), wider) == (800, 0)
