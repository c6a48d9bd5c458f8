"""Tables, charts and sections as HTML, with the GOV.UK Design System's classes: the web's pages and the
printed documents (a TSM pack, later a scrutiny report) lay out the same markup.

:func:`table_html` is the one way a table becomes HTML: the web app's partial calls it, and
:func:`document_html` uses it for a self-contained, print-ready document (the PDF route: the browser prints
it), styled by :data:`PRINT_CSS` without the GOV.UK stylesheet. No framework: text is escaped here.

>>> from attendwise.documents.marks import SUPPRESSED
>>> from attendwise.documents.tables import Kind
>>> columns = (Column("school", "School"), Column("n", "Pupils", Kind.COUNT))
>>> t = Table("Pupils", columns, (("Oak", 1234), ("Elm", SUPPRESSED)))
>>> page = table_html(t)
>>> '<th scope="row" class="govuk-table__header">Oak</th>' in page
True
>>> '<td class="govuk-table__cell govuk-table__cell--numeric">1,234</td>' in page
True
>>> '<span class="aw-suppressed" title="Suppressed: too few pupils to show">x</span>' in page
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from html import escape
from typing import Any

from attendwise.documents.marks import SUPPRESSED, Mark
from attendwise.documents.tables import Cell, Chart, Column, Section, Sparkline, Table, cell_of

__all__ = ["PRINT_CSS", "chart_html", "document_html", "section_html", "sparkline_svg", "table_html"]


def sparkline_svg(line: Sparkline, width: int = 96, height: int = 24) -> str:
    """A sparkline as an inline SVG (hidden from screen readers) with its words beside it (visually hidden):
    0 to 100% from bottom to top, the last point marked.

    >>> svg = sparkline_svg(Sparkline((100.0, 50.0)))
    >>> 'points="2.0,2.0 94.0,12.0"' in svg and "Falling: 100% to 50% over 2 weeks" in svg
    True
    """
    words = escape(str(line))
    if not line.values:
        return words
    n = len(line.values)
    xs = [2 + (width - 4) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [2 + (height - 4) * (1 - max(0.0, min(100.0, v)) / 100) for v in line.values]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return (
        f'<svg class="aw-sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'aria-hidden="true" focusable="false">'
        f'<line x1="0" y1="{2 + (height - 4) * 0.1:.1f}" x2="{width}" y2="{2 + (height - 4) * 0.1:.1f}" '
        'class="aw-sparkline__target"/>'
        f'<polyline points="{points}" class="aw-sparkline__line"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.5" class="aw-sparkline__last"/></svg>'
        f'<span class="govuk-visually-hidden">{words}</span>'
    )


def _cell_html(column: Column, cell: Cell, header: bool) -> str:
    value = cell.value
    if isinstance(value, Sparkline):
        return f'<td class="govuk-table__cell aw-spark-cell">{sparkline_svg(value)}</td>'
    if isinstance(value, Mark):
        cls = "aw-suppressed" if value == SUPPRESSED else "aw-mark"
        inner = f'<span class="{cls}" title="{escape(value.meaning)}">{escape(value)}</span>'
    else:
        text = escape(column.text(value))
        if cell.tag:
            inner = f'<strong class="govuk-tag govuk-tag--{escape(cell.tag)}">{text}</strong>'
        elif cell.href:
            inner = f'<a class="govuk-link" href="{escape(cell.href)}">{text}</a>'
        else:
            inner = text
    if header:
        return f'<th scope="row" class="govuk-table__header">{inner}</th>'
    numeric = " govuk-table__cell--numeric" if column.numeric else ""
    wide = " aw-wide" if column.wide else ""
    return f'<td class="govuk-table__cell{numeric}{wide}">{inner}</td>'


def _heading_html(column: Column) -> str:
    numeric = " govuk-table__header--numeric" if column.numeric else ""
    return f'<th scope="col" class="govuk-table__header{numeric}">{escape(column.heading)}</th>'


def table_html(table: Table) -> str:
    """A table as a GOV.UK table (scrolling sideways when wide), or one row saying it is empty."""
    out = ['<div class="aw-table-scroll">', '<table class="govuk-table">']
    if table.caption:
        out.append(f'  <caption class="govuk-table__caption govuk-table__caption--s">{escape(table.caption)}</caption>')
    out += [
        '  <thead class="govuk-table__head">',
        '    <tr class="govuk-table__row">',
        "      " + "".join(_heading_html(c) for c in table.columns),
        "    </tr>",
        "  </thead>",
        '  <tbody class="govuk-table__body">',
    ]
    for row in table.rows:
        cells = (
            _cell_html(c, cell_of(v), table.row_headers and j == 0)
            for j, (c, v) in enumerate(zip(table.columns, row, strict=True))
        )
        out += ['    <tr class="govuk-table__row">', "      " + "".join(cells), "    </tr>"]
    if not table.rows:
        out.append(
            f'    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{len(table.columns)}">'
            f"{escape(table.empty)}</td></tr>"
        )
    out += ["  </tbody>", "</table>", "</div>"]
    out += [f'<p class="govuk-body-s aw-note">{escape(note)}</p>' for note in table.notes]
    return "\n".join(out)


#: What a JSON spec may not hold inside a ``<script>`` element (as Django's ``json_script`` escapes it).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _json_default(value: object) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()  # type: ignore[attr-defined]
    raise TypeError(f"{type(value).__name__} is not JSON")


def chart_html(chart: Chart) -> str:
    """A chart as a figure: its title and description, the Vega-Lite spec for the page's script to draw
    (``data-chart`` names the JSON beside it), and the table of its numbers below."""
    title = escape(chart.title)
    out = [f'<figure class="aw-figure" aria-labelledby="{escape(chart.id)}-title">']
    out.append(f'  <h2 class="govuk-heading-m" id="{escape(chart.id)}-title">{title}</h2>')
    if chart.description:
        out.append(f'  <p class="govuk-body">{escape(chart.description)}</p>')
    if chart.spec:
        spec = json.dumps(chart.spec, default=_json_default).translate(_SCRIPT_ESCAPES)
        out.append(
            f'  <div class="aw-chart" data-chart="{escape(chart.spec_id)}" role="img" aria-label="Chart: {title}. '
            f'{escape(chart.description)} The same figures are in the table below."></div>'.replace(".  ", ". ")
        )
        out.append(f'  <script id="{escape(chart.spec_id)}" type="application/json">{spec}</script>')
    out.append(table_html(chart.table))
    out.append("</figure>")
    return "\n".join(out)


def section_html(section: Section, *, charts: bool = True) -> str:
    """A section of a printed document: its heading, paragraphs, tables (each table's caption is dropped
    when it repeats the heading) and, unless ``charts`` is false, its charts."""
    cls = ' class="new-page"' if section.new_page else ""
    out = [f'<section id="{escape(section.key)}"{cls}>', f"<h2>{escape(section.heading)}</h2>"]
    out += [f'<p class="intro">{escape(p)}</p>' for p in section.paragraphs]
    for table in section.tables:
        if not table.rows:
            out.append(f'<p class="empty">{escape(table.empty)}</p>')
            continue
        if table.caption == section.heading:
            table = Table("", table.columns, table.rows, table.notes, table.empty, table.row_headers)
        out.append(table_html(table))
    if charts:
        out += [chart_html(c) for c in section.charts]
    out.append("</section>")
    return "\n".join(out)


def document_html(
    title: str,
    sections: Iterable[Section],
    *,
    heading: str,
    masthead: str = "",
    lead: str = "",
    notes: Iterable[str] = (),
) -> str:
    """A self-contained, print-ready HTML document of sections: no scripts, fonts or images fetched, tables
    with their headers repeated on each printed page, A4 landscape (print it to PDF).

    Args:
        title: the document's title (the browser's tab, the PDF's name).
        sections: its sections, in order.
        heading: the ``<h1>``.
        masthead: a line above it (who it is from).
        lead: a line below it.
        notes: set apart before the sections.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{PRINT_CSS}</style>",
        "</head>",
        "<body>",
    ]
    if masthead:
        parts.append(f'<header class="masthead"><p>{escape(masthead)}</p></header>')
    parts += ["<main>", f"<h1>{escape(heading)}</h1>"]
    if lead:
        parts.append(f'<p class="caption">{escape(lead)}</p>')
    notes = list(notes)
    if notes:
        parts.append('<div class="notes">' + "".join(f"<p>{escape(n)}</p>" for n in notes) + "</div>")
    parts += [section_html(s, charts=False) for s in sections]
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


#: The printed document's style: GOV.UK-like typography on system fonts, for the GOV.UK table classes.
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
tbody th { font-weight: 400; }
.govuk-table__cell--numeric, .govuk-table__header--numeric { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
td.aw-wide { min-width: 16em; }
.aw-sparkline__line { fill: none; stroke: var(--brand); stroke-width: 2; }
.aw-sparkline__target { stroke: var(--border); stroke-dasharray: 2 2; }
.aw-sparkline__last { fill: var(--brand); }
.govuk-visually-hidden { position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip: rect(0 0 0 0) !important; white-space: nowrap !important; }
p.empty { font-style: italic; }
.aw-note { color: var(--secondary); font-size: 14px; }
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
