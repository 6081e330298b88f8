"""The Markdown report (and GitHub's step summary): the verdict first, what was sent, the matrix, the generated cases,
then one block per failing check, MUST first."""

from __future__ import annotations

from typing import Any

from conformance.reports.blocks import GROUPS, TITLES, block_lines
from conformance.reports.matrix import MATRIX_COLUMNS, MATRIX_TITLE, NOT_APPLICABLE, matrix
from conformance.reports.summary import baseline_lines


def matrix_table(data: dict[str, Any]) -> list[str]:
    lines = [MATRIX_TITLE, "", f"| category | {' | '.join(MATRIX_COLUMNS)} |", "|---|" + "---:|" * len(MATRIX_COLUMNS)]
    return [
        *lines,
        *(f"| {category} | {' | '.join(map(str, row))} |" for category, row in matrix(data["counts"]["checks"])),
        "",
        f"not applicable: {NOT_APPLICABLE}",
    ]


def property_table(data: dict[str, Any]) -> list[str]:
    table = data["property_table"]
    if not table["rows"]:
        return []
    lines = ["", f"| {' | '.join(table['columns'])} |", "|---|---|" + "---:|" * (len(table["columns"]) - 2)]
    lines += [f"| {' | '.join(map(str, row))} |" for row in table["rows"]]
    return lines + ([""] + [f"- {note.strip()}" for note in table["notes"]] if table["notes"] else [])


def failure_sections(data: dict[str, Any]) -> list[str]:
    lines = []
    for group in GROUPS:
        blocks = [b for b in data["failures"] if b["group"] == group]
        if blocks:
            lines += ["", f"## {TITLES[group]} ({len(blocks)} check{'s' * (len(blocks) != 1)})"]
            lines += [line for b in blocks for line in ("", "```text", *block_lines(b), "```")]
    return lines


def audit_section(audit: dict[str, Any] | None) -> list[str]:
    """An audit's exchanges, each with its word and the fake's line for its situation."""
    if audit is None:
        return []
    lines = [
        "",
        "## Audited exchanges",
        "",
        f"{audit['files']} files, {audit['exchanges']} exchanges, {audit['elsewhere']} on other endpoints.",
    ]
    lines += ["", *(f"- skipped: {note}" for note in audit["skipped"])] if audit["skipped"] else []
    lines += ["", "| exchange | word | failed checks | on the fake |", "|---|---|---|---|"]
    return lines + [f"| {e['label']} | {e['verdict']} | {', '.join(e['failed'])} | `{e['fake']}` |" for e in audit["judged"]]


def coverage_section(table: dict[str, Any]) -> list[str]:
    """Every situation of the contract: seen how often, the fact behind it, and why it is not counted, if it is not."""
    lines = ["", "## Situations", "", table["summary"], "", "| situation | seen | fact | not counted because |", "|---|---:|---|---|"]
    return lines + [f"| `{r['id']}`: {r['title']} | {r['seen']} | {r['fact']} | {r['left_out']} |" for r in table["rows"]]


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
        data["requests_line"],
        "",
        *matrix_table(data),
        *property_table(data),
        *failure_sections(data),
    ]
    if data["advisories"]:
        lines += ["", "## Advisories (documented contradictions)", "", *(f"- {a}" for a in data["advisories"])]
    lines += audit_section(data["audit"]) + coverage_section(data["coverage"])
    if data["baseline"]:
        title, *said = baseline_lines(data["baseline"]["file"], {k: v for k, v in data["baseline"].items() if k != "file"})
        lines += ["", f"## {title}", "", *said]
    return "\n".join(lines) + "\n"
