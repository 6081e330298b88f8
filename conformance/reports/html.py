"""The HTML report: one self-contained file (no external assets) a vendor can work from. The verdict first; what was
sent; the matrix; the generated cases; the checks to fix first, ranked by how many failures each fix clears; one block
per failing check, MUST first, its contract pointer a link into the contract, bundled at the end of the page; its curl
line wrapped, with a copy button. Readable without horizontal scrolling from 800 px up."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from conformance.reports.blocks import GROUPS, TITLES
from conformance.reports.contract_page import anchor, contract_section
from conformance.reports.matrix import MATRIX_COLUMNS, MATRIX_TITLE, NOT_APPLICABLE, matrix
from conformance.reports.summary import baseline_lines
from conformance.run.verdict import where_failed

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 70rem; padding: 0 1rem; color: #1d1d1f;
  overflow-wrap: anywhere; }
.verdict { padding: 1rem 1.25rem; border-radius: .5rem; font-size: 1.25rem; border-left: .5rem solid; }
.CONFORMS { background: #dff5e3; border-color: #2e8540; } .ADVISORIES { background: #fff4d6; border-color: #b88a00; }
.VIOLATES { background: #fde2e1; border-color: #c62828; } .INCONCLUSIVE { background: #ececf1; border-color: #6b6b7b; }
.PARTIAL { background: #e3edfb; border-color: #1f5fbf; } .INTERRUPTED { background: #ececf1; border-color: #333; }
table { border-collapse: collapse; margin: .8rem 0; max-width: 100%; font-size: .9rem; }
caption { text-align: left; padding-bottom: .3rem; color: #555; }
th, td { border: 1px solid #ccc; padding: .25rem .55rem; text-align: right; }
th:first-child, td:first-child, .property td:nth-child(2) { text-align: left; }
td.fail { background: #f8c9c6; } td.pass { background: #d4f0d9; } .note { color: #555; font-size: .9rem; }
details { margin: .5rem 0; border: 1px solid #ddd; border-radius: .4rem; padding: .4rem .7rem; } summary { cursor: pointer; }
pre { background: #f4f4f6; padding: .6rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0; }
.curl { display: flex; gap: .5rem; align-items: flex-start; } .curl pre { flex: 1; margin: 0; }
ol li { margin: .2rem 0; }
#coverage td, #audited td { text-align: left; }
#coverage tr.unseen td:nth-child(2), #audited tr.impossible td:nth-child(2) { background: #f8c9c6; }
"""
COPY = "navigator.clipboard.writeText(this.nextElementSibling.innerText); this.textContent = 'copied'"
# A link into the contract opens the folded parts around what it points to.
REVEAL = (
    "function reveal(){var t=document.getElementById(decodeURIComponent(location.hash.slice(1)));"
    "for(var e=t;e;e=e.parentElement){if(e.tagName==='DETAILS'){e.open=true;}}if(t){t.scrollIntoView();}}"
    "window.addEventListener('hashchange',reveal);reveal();"
)


def _matrix(data: dict[str, Any]) -> str:
    head = "<tr><th>category</th>" + "".join(f"<th>{column}</th>" for column in MATRIX_COLUMNS) + "</tr>"
    rows = []
    for category, row in matrix(data["counts"]["checks"]):
        tds = "".join(f'<td class="{_cell_class(column, n)}">{n}</td>' for column, n in zip(MATRIX_COLUMNS, row, strict=True))
        rows.append(f"<tr><td>{escape(category)}</td>{tds}</tr>")
    note = f'<p class="note">not applicable: {escape(NOT_APPLICABLE)}</p>'
    return f'<table id="matrix"><caption>{escape(MATRIX_TITLE)}</caption>{head}{"".join(rows)}</table>{note}'


def _cell_class(column: str, count: int) -> str:
    if not count or column == "not applicable":
        return ""
    return "fail" if column.endswith("fail") else "pass"


def _property_table(data: dict[str, Any]) -> str:
    table = data["property_table"]
    if not table["rows"]:
        return ""
    head = "".join(f"<th>{escape(c)}</th>" for c in table["columns"])
    rows = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in table["rows"])
    notes = "".join(f'<p class="note">{escape(note)}</p>' for note in table["notes"])
    return f'<h2>Generated cases</h2><table id="property-cases" class="property"><tr>{head}</tr>{rows}</table>{notes}'


def _fix_first(blocks: list[dict[str, Any]]) -> str:
    items = [
        f'<li><a href="#{quote(_block_id(b))}">{escape(b["check"])}</a> ({escape(b["group"])}): clears '
        f"{b['probes_failed'] + b['cases_failed']} failure(s), on {escape(where_failed(b['probes_failed'], b['cases_failed']))}</li>"
        for b in blocks
        if b["group"] != "known"
    ]
    return f'<h2>Fix these first</h2><ol id="fix-first">{"".join(items)}</ol>' if items else "<h2>No failures</h2>"


def _block_id(block: dict[str, Any]) -> str:
    return "check-" + str(block["check"]).replace(" ", "-")


def _block(block: dict[str, Any]) -> str:
    errors = "".join(f"<li>{escape(e)}</li>" for e in block["errors"])
    errors += f"<li>and {block['more_errors']} more</li>" if block["more_errors"] else ""
    where = escape(where_failed(block["probes_failed"], block["cases_failed"]))
    probes = f" <code>{escape(', '.join(block['probes']))}</code>" if block["probes"] else ""
    parts = [f"<p>failed on {where}{probes}</p>", f"<ul>{errors}</ul>"]
    for label in ("baseline", "received", "documented"):
        if block[label]:
            parts.append(f"<p>{label.capitalize()}: {escape(block[label])}</p>")
    if block["contract"]:
        parts.append(f'<p>Contract: <a href="#{quote(anchor(block["contract"]))}">{escape(block["contract"])}</a></p>')
    for label in ("request", "reproduce"):
        if block[label]:
            parts.append(f'<div class="curl"><button onclick="{COPY}">copy</button><pre>{escape(block[label])}</pre></div>')
    summary = f"<summary><b>{escape(block['check'])}</b> ({escape(block['level'])}): {escape(block['rule'])}</summary>"
    return f'<details open id="{escape(_block_id(block))}" class="failure">{summary}{"".join(parts)}</details>'


def _failures(data: dict[str, Any]) -> str:
    sections = []
    for group in GROUPS:
        blocks = [b for b in data["failures"] if b["group"] == group]
        if blocks:
            sections.append(f"<h2>{escape(TITLES[group])} ({len(blocks)})</h2>" + "".join(_block(b) for b in blocks))
    return "".join(sections)


def _audit(audit: dict[str, Any] | None) -> str:
    if audit is None:
        return ""
    head = "<tr><th>exchange</th><th>word</th><th>failed checks</th><th>on the fake</th></tr>"
    rows = "".join(
        f'<tr class="{escape(e["verdict"].split()[0])}"><td>{escape(e["label"])}</td><td>{escape(e["verdict"])}</td>'
        f"<td>{escape(', '.join(e['failed']))}</td><td><code>{escape(e['fake'])}</code></td></tr>"
        for e in audit["judged"]
    )
    said = f"{audit['files']} files, {audit['exchanges']} exchanges, {audit['elsewhere']} on other endpoints"
    skipped = "".join(f"<li>skipped: {escape(note)}</li>" for note in audit["skipped"])
    return f'<h2>Audited exchanges</h2><p>{escape(said)}</p><ul>{skipped}</ul><table id="audited">{head}{rows}</table>'


def _coverage(table: dict[str, Any]) -> str:
    head = "<tr><th>situation</th><th>seen</th><th>fact</th><th>not counted because</th></tr>"
    rows = "".join(
        f'<tr class="{"seen" if r["seen"] else "unseen"}"><td><code>{escape(r["id"])}</code>: {escape(r["title"])}</td>'
        f"<td>{r['seen']}</td><td>{escape(r['fact'])}</td><td>{escape(r['left_out'])}</td></tr>"
        for r in table["rows"]
    )
    return f'<h2>Situations</h2><p>{escape(table["summary"])}</p><table id="coverage">{head}{rows}</table>'


def _baseline(data: dict[str, Any]) -> str:
    if not data["baseline"]:
        return ""
    title, *said = baseline_lines(data["baseline"]["file"], {k: v for k, v in data["baseline"].items() if k != "file"})
    items = "".join(f"<li>{escape(line[2:])}</li>" for line in said)
    return f'<h2 id="baseline">{escape(title)}</h2><ul>{items}</ul>'


def render(data: dict[str, Any]) -> str:
    verdict, edition = data["verdict"], data["edition"]
    advisories = "".join(f"<li>{escape(a)}</li>" for a in data["advisories"])
    facts = (
        f"Target {escape(data['target'])} · edition {escape(edition['name'])} ({escape(edition['source'])}) · "
        f"profile {escape(data['profile'])}, seed {data['seed']} · suite {escape(data['suite_version'])} · "
        f"started {escape(data['started_at'])}, {data['duration_s']} s"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>RealtimeKit conformance: {escape(verdict['name'])}</title><style>{STYLE}</style></head><body>"
        f'<div id="verdict" class="verdict {verdict["name"].split()[-1]}">'
        f"<b>{escape(verdict['name'])}</b>: {escape(verdict['reason'])}</div>"
        f'<p>{facts}</p><p id="requests">{escape(data["requests_line"])}</p>{_matrix(data)}{_property_table(data)}'
        f"{_fix_first(data['failures'])}{_failures(data)}"
        + (f"<h2>Advisories (documented contradictions)</h2><ul>{advisories}</ul>" if advisories else "")
        + _audit(data["audit"])
        + _coverage(data["coverage"])
        + _baseline(data)
        + contract_section()
        + f"<script>{REVEAL}</script></body></html>\n"
    )
