"""The vendors' mock servers are installed at the versions tests/e2e/gallery.py pins, by .ci/run and by tox, all in
one npm call each: npm removes from the folder every package a call does not name."""

from __future__ import annotations

import configparser

from tests.conftest import ROOT
from tests.e2e.gallery import INSTALL


def commands(script: str) -> list[str]:
    """A shell script's lines, a line continued with a backslash joined to the next, with single spaces."""
    return [" ".join(line.split()) for line in script.replace("\\\n", " ").splitlines()]


def test_ci_installs_every_pinned_vendor_in_one_npm_call() -> None:
    calls = [line for line in commands((ROOT / ".ci" / "run").read_text()) if "--prefix .vendors" in line]
    assert len(calls) == 1 and calls[0].startswith(INSTALL + " ||")


def test_tox_installs_every_pinned_vendor_for_prism_and_for_the_vendors() -> None:
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    for env in ("testenv:prism", "testenv:vendors"):
        assert " ".join(tox[env]["commands_pre"].split()) == INSTALL.replace("--prefix .vendors", "--prefix {toxinidir}/.vendors")
