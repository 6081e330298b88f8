"""README and docs/ stay true: the quick start has exactly two commands, every docs page is linked and every link
resolves, the check list is the registry's, the options table has every setting, and the fake's examples run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.checks import REGISTRY
from conformance.contract import load_contract
from conformance.run.settings import SETTINGS, env_name, flag
from tests.conftest import OUTER_BOUND, ROOT, clean_env  # the checkout: tests/ and its parent, nothing beside it

README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert block.splitlines() == [
        "python -m pip install . && rtk-conformance run",
        'python -m pip install -e ".[test]" && python -m pytest',
    ]


def test_readme_stays_short() -> None:
    """About 150 lines: what it is, the quick start, one example per use (the fake's three), exit codes, links."""
    assert len(README.splitlines()) <= 165


def test_every_docs_page_is_linked_from_the_readme_and_every_local_link_resolves() -> None:
    assert sorted(f"docs/{page.name}" for page in DOCS.glob("*.md")) == sorted(set(re.findall(r"\]\((docs/[\w-]+\.md)\)", README)))
    for page in [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which is not there"


def test_every_check_is_listed() -> None:
    listed = re.findall(r"^\| `([a-z.-]+)` \| (\w+) \| (MUST|SHOULD) \| ([a-z, -]+) \| (.+) \|$", (DOCS / "checks.md").read_text(), re.M)
    sources = {c.id: ", ".join(load_contract().rule_source(c.id).sources) for c in REGISTRY}
    assert listed == [(c.id, c.category, c.level, sources[c.id], c.rule) for c in REGISTRY]


def test_every_setting_has_its_row_of_options() -> None:
    table = (DOCS / "options.md").read_text()
    missing = [s.name for s in SETTINGS if f"`--conformance-{s.name.replace('_', '-')}`" not in table or env_name(s) not in table]
    assert missing == [] and all(flag(s) in table for s in SETTINGS)


def python_examples(text: str, heading: str) -> list[str]:
    """The Python code blocks of the section `heading`, in order."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


FAKE_EXAMPLES = python_examples(README, "## Test your own code with the fake")


def ran(command: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=folder, env=clean_env(), capture_output=True, text=True, timeout=OUTER_BOUND)


def test_the_readme_shows_three_examples_of_the_fake() -> None:
    assert len(FAKE_EXAMPLES) == 3
    assert "def test_" in FAKE_EXAMPLES[0] and "asyncio.run(" in FAKE_EXAMPLES[1] and "httpx.get(" in FAKE_EXAMPLES[2]


def test_the_readmes_httpx_example_runs(tmp_path: Path) -> None:
    result = ran([sys.executable, "-c", FAKE_EXAMPLES[2]], tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.sdk
def test_the_readmes_pytest_example_with_the_official_sdk_passes(tmp_path: Path) -> None:
    (tmp_path / "test_example.py").write_text(FAKE_EXAMPLES[0])
    result = ran([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"], tmp_path)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-2000:]


@pytest.mark.sdk
def test_the_readmes_async_example_with_the_official_sdk_runs(tmp_path: Path) -> None:
    result = ran([sys.executable, "-c", FAKE_EXAMPLES[1]], tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_the_fake_pages_example_with_requests_on_a_socket_passes(tmp_path: Path) -> None:
    (tmp_path / "test_example.py").write_text(python_examples((DOCS / "fake.md").read_text(), "## Other clients, on a socket")[0])
    result = ran([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"], tmp_path)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-2000:]
