"""README stays true: its quick start has exactly two commands, and its check list is the registry's."""

from __future__ import annotations

import re
from pathlib import Path

from conformance.checks import REGISTRY

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert block.splitlines() == [
        "python -m pip install . && rtk-conformance run",
        'python -m pip install -e ".[test]" && python -m pytest',
    ]


def test_every_check_is_listed() -> None:
    listed = re.findall(r"^\| `([a-z.-]+)` \| (\w+) \| (MUST|SHOULD) \| (.+) \|$", README, re.M)
    assert listed == [(c.id, c.category, c.level, c.rule) for c in REGISTRY]
