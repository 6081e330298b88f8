"""Where the sources disagree, as the contract records it: the editions of the 200 body (x-editions) and
parameter values the documentation rules out but production uses (anyOf branches marked x-contradicts)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

DEFAULT_EDITION = "documented"  # the API reference page: what the fragment's own 200 response shows


@dataclass(frozen=True)
class Contradiction:
    """A value the documentation rules out but another source shows valid: an advisory, never a failure."""

    parameter: str
    value: str
    documented: str  # e.g. "maxLength 32 (reference-page, official-spec)"
    observed: str  # the branch that accepts it, with its sources
    contract: str  # pointer to that branch

    def __str__(self) -> str:
        return f"{self.brief()} but is {self.observed}: a documented contradiction, never a failure of the target ({self.contract})"

    def brief(self) -> str:
        """'app_id 14a3... breaks the documented maxLength 32 (reference-page, official-spec)'."""
        return f"{self.parameter} {self.value} breaks the documented {self.documented}"

    def rule(self) -> str:
        """The contradiction, whatever the value: 'app_id breaks the documented maxLength 32 (...) but is a real app id, ...'."""
        return f"{self.parameter} breaks the documented {self.documented} but is {self.observed}"


def edition_view(fragment: dict[str, Any], edition: str) -> dict[str, Any]:
    """The fragment as one edition sees it: its 200 schema and the parameter schemas it changes."""
    view = copy.deepcopy(fragment)
    (operation,) = [methods["get"] for methods in view["paths"].values()]
    editions = operation["x-editions"]
    if edition not in editions:
        raise ValueError(f"unknown edition {edition!r}: choose one of {', '.join(editions)}")
    if edition != DEFAULT_EDITION:  # the fragment's own 200 content (and its examples) is the default edition's
        operation["responses"]["200"]["content"] = {"application/json": {"schema": {"$ref": editions[edition]["response"]}}}
    for parameter in operation["parameters"]:
        changed = editions[edition].get("parameters", {}).get(parameter["name"])
        parameter["schema"] = {"$ref": changed} if changed else parameter["schema"]
    return view


def documented_branch(schema: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(constraints, pointer prefix) of what the documentation says: the anyOf branch that contradicts nothing."""
    for index, branch in enumerate(schema.get("anyOf", [])):
        if "x-contradicts" not in branch:
            return branch, f"/anyOf/{index}"
    return schema, ""


def compiled(schema: dict[str, Any]) -> Any:
    """A validator of one standalone branch (no $refs), formats checked."""
    return jsonschema_rs.validator_for(schema, validate_formats=True)
