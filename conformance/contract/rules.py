"""Where each rule of the suite comes from (openapi/rules.yaml), and the level that follows from its sources: MUST
where the documentation says so or production was observed to, SHOULD where the rule is an inference."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from conformance.contract.reading import read_yaml

RULES_NAME = "rules.yaml"
BINDING = {"reference-page", "official-spec", "observed"}  # documented, or observed in production: MUST


@dataclass(frozen=True)
class RuleSource:
    sources: tuple[str, ...]
    why: str
    pointer: str  # openapi/rules.yaml#/<key>

    @property
    def level(self) -> str:
        return "MUST" if BINDING & set(self.sources) else "SHOULD"


@cache
def rule_sources(root: Path) -> dict[str, RuleSource]:
    """Each rule (or `<category>.*` family of rules) of openapi/rules.yaml under `root`, by id."""
    entries = read_yaml(root / RULES_NAME)
    return {key: RuleSource(tuple(e["x-source"]), str(e["why"]), f"openapi/{RULES_NAME}#/{key}") for key, e in entries.items()}


def source_of(root: Path, rule_id: str) -> RuleSource:
    """The sources of a rule, by its id or its family's; a rule without one is a bug of the suite."""
    sources = rule_sources(root)
    family = rule_id.split(".", 1)[0] + ".*"
    if rule_id not in sources and family not in sources:
        raise LookupError(f"rule {rule_id} has no entry in openapi/{RULES_NAME}: say where it comes from")
    return sources.get(rule_id) or sources[family]
