"""The pack as a print-ready HTML document: one self-contained file (no scripts, fonts or images fetched),
GOV.UK-like typography on system fonts, tables with repeated headers when printed, each pupil list starting
on a new page, A4 landscape."""

from __future__ import annotations

import html

from attendwise.reports.tsm.pack import TSMPack
from attendwise.reports.tsm.sections import Column, Section, cell_text, pack_sections

PRINT_CSS = """
:root { --text: #0b0c0c; --secondary: #505a5f; --border: #b1b4b6; --panel: #f3f2f1; --brand: #1d70b8; }
* { box-sizing: border-box; }
body { font-family: "GDS Transport", -apple-system, BlinkMacSystemFont, "Segoe UI", Arial, sans-serif;
       color: var(--text); margin: 0; font-size: 16px; line-height: 1.32; }
header.masthead { background: var(--text); color: #fff; padding: 10px 30px; border-bottom: 10px solid var(--brand); }
header.masthead p { margin: 0; font-weight: 700; font-size: 18px; }
main { padding: 20px 30px 40px; max-width: 1400px; }
h1 { font-size: 36px; line-height: 1.1; margin: 20px 0 10px; }
.caption { color: var(--secondary); font-size: 19px; margin: 0 0 20px; }
h2 { font-size: 27px; margin: 40px 0 10px; }
p.intro { color: var(--secondary); margin: 0 0 15px; max-width: 60em; }
table { border-collapse: collapse; width: 100%; margin-bottom: 20px; font-size: 14px; }
caption { text-align: left; font-weight: 700; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px 6px 0; border-bottom: 1px solid var(--border); }
thead th { border-bottom: 2px solid var(--text); font-weight: 700; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.wide { min-width: 16em; }
p.empty { font-style: italic; }
.notes { border-left: 5px solid var(--brand); padding: 5px 15px; background: var(--panel); }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { font-size: 11pt; }
  header.masthead { background: none; color: var(--text); border-bottom: 3pt solid var(--text); padding: 0 0 4pt; }
  main { padding: 0; max-width: none; }
  h1 { font-size: 20pt; margin-top: 8pt; }
  h2 { font-size: 15pt; margin-top: 12pt; break-after: avoid; }
  table { font-size: 8.5pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  section.new-page { break-before: page; }
}
"""


def render_html(pack: TSMPack) -> str:
    """The pack as one self-contained, printable HTML document."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(pack.title)}</title>",
        f"<style>{PRINT_CSS}</style>",
        "</head>",
        "<body>",
        f'<header class="masthead"><p>{e(pack.la_name)} School Attendance Support Team</p></header>',
        "<main>",
        f"<h1>Targeting Support Meeting: {e(pack.school_name)}</h1>",
        f'<p class="caption">URN {pack.urn}, {e(pack.phase_label)}. {e(pack.term.label)}, as at '
        f"{pack.as_at:%d %B %Y}.</p>",
    ]
    if pack.notes:
        parts.append('<div class="notes">' + "".join(f"<p>{e(n)}</p>" for n in pack.notes) + "</div>")
    for section in pack_sections(pack):
        parts.append(_html_section(section))
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _html_section(section: Section) -> str:
    e = html.escape
    cls = "new-page" if section.new_page else ""
    out = [f'<section id="{section.key}" class="{cls}">', f"<h2>{e(section.title)}</h2>"]
    if section.intro:
        out.append(f'<p class="intro">{e(section.intro)}</p>')
    if not section.rows:
        out.append(f'<p class="empty">{e(section.empty)}</p>')
        out.append("</section>")
        return "\n".join(out)
    out.append("<table>")
    out.append("<thead><tr>" + "".join(_th(c) for c in section.columns) + "</tr></thead>")
    out.append("<tbody>")
    for row in section.rows:
        out.append("<tr>" + "".join(_td(c, v) for c, v in zip(section.columns, row, strict=True)) + "</tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _numeric(col: Column) -> bool:
    return col.kind in ("int", "percent", "fraction", "points")


def _th(col: Column) -> str:
    cls = ' class="num"' if _numeric(col) else ""
    return f'<th scope="col"{cls}>{html.escape(col.header)}</th>'


def _td(col: Column, value: object) -> str:
    cls = "num" if _numeric(col) else ("wide" if col.wide else "")
    attr = f' class="{cls}"' if cls else ""
    return f"<td{attr}>{html.escape(cell_text(value, col.kind))}</td>"
