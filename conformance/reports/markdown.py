"""The Markdown report: the verdict first, the category x level matrix, then every failure with its text."""

from __future__ import annotations

from typing import Any

from conformance.reports.matrix import MATRIX_COLUMNS, matrix
from conformance.run.verdict import PRODUCTION


def matrix_table(data: dict[str, Any]) -> list[str]:
    lines = [f"| category | {' | '.join(MATRIX_COLUMNS)} |", "|---|" + "---:|" * len(MATRIX_COLUMNS)]
    return lines + [f"| {category} | {' | '.join(map(str, row))} |" for category, row in matrix(data["counts"]["checks"])]


def failures(data: dict[str, Any], level: str, title: str, production: bool = False) -> list[str]:
    """The failed checks of one level: those comparing failures with production, or the others."""
    failed = [c for c in data["checks"] if c["outcome"] == "failed" and c["level"] == level and (c["category"] == PRODUCTION) == production]
    if not failed:
        return []
    lines = ["", f"## {title} ({len(failed)})"]
    for check in failed:
        lines += ["", f"**{check['id']}** on `{check['probe']}`", "", "```text", check["message"] or "(see the test's output)", "```"]
    return lines


def render(data: dict[str, Any]) -> str:
    verdict, edition = data["verdict"], data["edition"]
    lines = [
        f"# RealtimeKit conformance: {verdict['name']}",
        "",
        f"**Verdict: {verdict['name']}**: {verdict['reason']} (exit code {verdict['exit_code']})",
        "",
        f"Target: {data['target']} · edition {edition['name']} ({edition['source']}) · profile {data['profile']}, seed {data['seed']}"
        f" · suite {data['suite_version']} · contract {data['contract_sha256'][:16]}",
        "",
        *matrix_table(data),
        *failures(data, "MUST", "Failures"),
        *failures(data, "SHOULD", "SHOULD (advisory)"),
        *failures(data, "SHOULD", "Differs from production (advisory)", production=True),
    ]
    if data["advisories"]:
        lines += ["", "## Advisories (documented contradictions)", "", *(f"- {a}" for a in data["advisories"])]
    return "\n".join(lines) + "\n"
