"""The HTML report: one self-contained file (no external assets), the verdict first, the matrix colour-coded,
each failure expandable."""

from __future__ import annotations

from html import escape
from typing import Any

from conformance.reports.matrix import MATRIX_COLUMNS, matrix
from conformance.run.verdict import PRODUCTION

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #1d1d1f; }
.verdict { padding: 1rem 1.25rem; border-radius: .5rem; font-size: 1.3rem; }
.CONFORMS { background: #dff5e3; } .VIOLATES, .INCONCLUSIVE, .INTERRUPTED { background: #fde2e1; }
.ADVISORIES, .PARTIAL { background: #fff4d6; }
table { border-collapse: collapse; margin: 1rem 0; } th, td { border: 1px solid #ccc; padding: .3rem .7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; } td.fail { background: #f8c9c6; } td.pass { background: #d4f0d9; }
details { margin: .4rem 0; } summary { cursor: pointer; } pre { background: #f4f4f6; padding: .7rem; overflow-x: auto; }
"""


def _css_class(verdict: str) -> str:
    return verdict.split()[-1]  # CONFORMS WITH ADVISORIES -> ADVISORIES


def _matrix(data: dict[str, Any]) -> str:
    head = "<tr><th>category</th>" + "".join(f"<th>{column}</th>" for column in MATRIX_COLUMNS) + "</tr>"
    rows = []
    for category, row in matrix(data["counts"]["checks"]):
        tds = "".join(f'<td class="{_cell_class(column, n)}">{n}</td>' for column, n in zip(MATRIX_COLUMNS, row, strict=True))
        rows.append(f"<tr><td>{escape(category)}</td>{tds}</tr>")
    return f'<table id="matrix">{head}{"".join(rows)}</table>'


def _cell_class(column: str, count: int) -> str:
    if not count or column == "not applicable":
        return ""
    return "fail" if column.endswith("fail") else "pass"


def _failures(data: dict[str, Any]) -> str:
    failed = [c for c in data["checks"] if c["outcome"] == "failed"]
    if not failed:
        return "<h2>No failures</h2>"
    differ = [c for c in failed if c["category"] == PRODUCTION]
    return _section("Failures", [c for c in failed if c not in differ]) + _section("Differs from production (advisory)", differ)


def _section(title: str, failed: list[dict[str, Any]]) -> str:
    items = [
        f"<details><summary>{escape(c['level'])} <b>{escape(c['id'])}</b> on <code>{escape(c['probe'])}</code></summary>"
        f"<pre>{escape(c['message'] or '(see the test output)')}</pre></details>"
        for c in failed
    ]
    return f"<h2>{escape(title)} ({len(failed)})</h2>{''.join(items)}" if failed else ""


def render(data: dict[str, Any]) -> str:
    verdict, edition = data["verdict"], data["edition"]
    advisories = "".join(f"<li>{escape(a)}</li>" for a in data["advisories"])
    facts = (
        f"Target {escape(data['target'])} · edition {escape(edition['name'])} ({escape(edition['source'])}) · "
        f"profile {escape(data['profile'])}, seed {data['seed']} · suite {escape(data['suite_version'])} · "
        f"started {escape(data['started_at'])}, {data['duration_s']} s"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>RealtimeKit conformance: {escape(verdict["name"])}</title>'
        f"<style>{STYLE}</style></head><body>"
        f'<div id="verdict" class="verdict {_css_class(verdict["name"])}">'
        f"<b>{escape(verdict['name'])}</b>: {escape(verdict['reason'])}</div>"
        f"<p>{facts}</p>{_matrix(data)}{_failures(data)}"
        + (f"<h2>Advisories (documented contradictions)</h2><ul>{advisories}</ul>" if advisories else "")
        + "</body></html>\n"
    )
