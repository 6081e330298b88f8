"""README and docs/ stay true: the quick start has exactly two commands, every docs page is linked and every link
resolves, the check list is the registry's, and the options table has every setting."""

from __future__ import annotations

import re

from conformance.checks import REGISTRY
from conformance.run.settings import SETTINGS, env_name, flag
from tests.conftest import ROOT  # the checkout: tests/ and its parent, nothing beside it

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
    assert len(README.splitlines()) <= 150


def test_every_docs_page_is_linked_from_the_readme_and_every_local_link_resolves() -> None:
    assert sorted(f"docs/{page.name}" for page in DOCS.glob("*.md")) == sorted(set(re.findall(r"\]\((docs/[\w-]+\.md)\)", README)))
    for page in [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which is not there"


def test_every_check_is_listed() -> None:
    listed = re.findall(r"^\| `([a-z.-]+)` \| (\w+) \| (MUST|SHOULD) \| (.+) \|$", (DOCS / "checks.md").read_text(), re.M)
    assert listed == [(c.id, c.category, c.level, c.rule) for c in REGISTRY]


def test_every_setting_has_its_row_of_options() -> None:
    table = (DOCS / "options.md").read_text()
    missing = [s.name for s in SETTINGS if f"`--conformance-{s.name.replace('_', '-')}`" not in table or env_name(s) not in table]
    assert missing == [] and all(flag(s) in table for s in SETTINGS)
