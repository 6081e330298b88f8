"""The dependency ranges: the lowest of each is what `tox -e lowest` and .ci/run install, and none fights the user."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT  # the checkout: tests/ and its parent, nothing beside it

LOWEST = ROOT / ".ci" / "lowest-constraints.txt"


def direct_dependencies() -> list[Requirement]:
    return [Requirement(text) for text in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]


def lower_bound(requirement: Requirement) -> Version:
    (bound,) = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    return bound


def test_the_lowest_constraints_pin_each_direct_dependency_at_its_lower_bound() -> None:
    lines = [line.split("#")[0].strip() for line in LOWEST.read_text().splitlines()]
    pinned = {canonicalize_name(r.name): Version(next(iter(r.specifier)).version) for r in map(Requirement, filter(None, lines))}
    assert pinned == {canonicalize_name(r.name): lower_bound(r) for r in direct_dependencies()}


def test_a_users_newer_pytest_is_kept() -> None:
    (pytest,) = [r for r in direct_dependencies() if r.name == "pytest"]
    assert pytest.specifier.contains("9.2.0") and not any(s.operator in ("<", "<=", "==", "~=") for s in pytest.specifier)
