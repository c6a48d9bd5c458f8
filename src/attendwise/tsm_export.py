"""The Targeting Support Meeting pack as a workbook (XLSX) or a print-ready HTML document.

Both formats are laid out from one description of the pack (:func:`pack_sections`): a list of
sections, each a titled table with typed columns, so the workbook and the printed pack always say the
same thing. Nothing here computes a measure; every figure comes from :class:`attendwise.reports.tsm.TSMPack`.

* **XLSX** (openpyxl): one sheet per section, a title and a line of explanation above a bold header
  row, the header frozen and filtered, percentages stored as fractions with a percent format (so
  Excel's own arithmetic works on them), dates as dates, widths fitted to the contents, and pages set
  to print landscape, one page wide.
* **HTML**: one self-contained file (no scripts, fonts or images fetched), GOV.UK-like typography on
  system fonts, tables with repeated headers when printed, each pupil list starting on a new page,
  A4 landscape.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from attendwise.errors import AttendwiseError
from attendwise.reports.tsm import PupilSummary, TSMPack
from attendwise.spreadsheets import header_footer_text, new_workbook, save_workbook, write_cell

__all__ = [
    "FORMATS",
    "PRINT_CSS",
    "Column",
    "Section",
    "cell_text",
    "pack_filename",
    "pack_sections",
    "render_html",
    "write_pack",
    "write_packs",
    "write_xlsx",
]

FORMATS = ("xlsx", "html")


class ExportError(AttendwiseError):
    """A pack that cannot be written as asked (an unknown format, say)."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a section: its header and how its values are shown.

    ``kind`` is ``text``, ``int``, ``percent`` (a value from 0 to 100), ``fraction`` (0 to 1, shown as
    a percentage), ``points`` (a signed change in percentage points) or ``date``.
    """

    header: str
    kind: str = "text"
    #: Wide text (reasons, band history): wrapped in the workbook.
    wide: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the pack: a sheet of the workbook and a part of the printed document."""

    key: str
    title: str
    intro: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]
    empty: str = "None."
    #: Start on a new page when printed (the pupil lists).
    new_page: bool = False

    @property
    def sheet(self) -> str:
        """The workbook sheet's name (at most 31 characters, as Excel requires)."""
        return SHEET_NAMES.get(self.key, self.title)[:31]


#: Short sheet names for the workbook.
SHEET_NAMES = {
    "summary": "Summary",
    "overall": "Overall attendance",
    "last_year": "Against last year",
    "categories": "Attendance categories",
    "severe": "Severely absent",
    "persistent": "Persistently absent",
    "zero": "No attendance this year",
    "no_attendance_3_weeks": "No attendance 3 weeks",
    "at_risk": "At risk",
    "cohorts": "Priority cohorts",
    "discuss": "To discuss",
    "actions": "Previous actions",
}


# =================================================================================================
# The pack as sections
# =================================================================================================
_PUPIL_COLUMNS = (
    Column("UPN"),
    Column("Name"),
    Column("Year"),
    Column("Priority groups"),
    Column("Attendance", "percent"),
    Column("Possible sessions", "int"),
    Column("Sessions missed", "int"),
    Column("Unauthorised", "int"),
    Column("Last 4 weeks", "percent"),
    Column("4 weeks before", "percent"),
    Column("Trend"),
    Column("Band history (half terms)", wide=True),
    Column("Main reasons for absence", wide=True),
)


def _pupil_cells(p: PupilSummary) -> tuple[object, ...]:
    return (
        p.upn,
        p.name,
        p.nc_year,
        ", ".join(p.priority_groups),
        p.attendance_percent,
        p.sess_possible,
        p.sess_overall,
        p.sess_unauthorised,
        p.trend.recent_percent,
        p.trend.previous_percent,
        p.trend.direction,
        p.describe_band_history(),
        p.describe_reasons(),
    )


_BRIEF_PUPIL = (Column("UPN"), Column("Name"), Column("Year"), Column("Priority groups"))


def _brief(p: PupilSummary) -> tuple[object, ...]:
    return (p.upn, p.name, p.nc_year, ", ".join(p.priority_groups))


_AREA_COLUMNS = (
    Column("Area"),
    Column("Pupils", "int"),
    Column("Attendance", "percent"),
    Column("Overall absence", "percent"),
    Column("Authorised absence", "percent"),
    Column("Unauthorised absence", "percent"),
    Column("Persistent absence", "percent"),
    Column("Severe absence", "percent"),
    Column("Persistently absent", "int"),
    Column("Severely absent", "int"),
    Column("Basis", wide=True),
)


def pack_sections(pack: TSMPack) -> list[Section]:
    """The pack as sections, in the order of the meeting."""
    o = pack.overall
    sections = [
        Section(
            "summary",
            "Summary",
            pack.title,
            (Column("Item"), Column("Value", wide=True)),
            (
                ("School", f"{pack.school_name} (URN {pack.urn})"),
                ("Phase", pack.phase_label),
                ("Local authority", pack.la_name),
                ("Term", pack.term.describe()),
                ("As at", pack.as_at),
                ("School's latest register mark", pack.school_last_mark),
                ("Year to date", pack.year_to_date.describe()),
                ("This term", pack.term_to_date.describe()),
                ("Pupils counted", pack.population),
                ("Attendance categories", pack.categories.scheme),
                ("Severely absent pupils on roll", len(pack.severely_absent)),
                ("Persistently (not severely) absent pupils on roll", len(pack.persistently_absent)),
                ("No attendance this year", len(pack.zero_attendance)),
                ("No attendance in the last 3 school weeks, unauthorised", len(pack.no_attendance_recently.pupils)),
                ("At risk of persistent absence", len(pack.at_risk)),
                *(("Note", note) for note in pack.notes),
            ),
        ),
        Section(
            "overall",
            "Overall attendance",
            f"Year to date ({pack.year_to_date.describe()}) and this term ({pack.term_to_date.describe()}): the "
            "school against the LA, the other schools of its phase in the LA, and England.",
            (Column("Period"), *_AREA_COLUMNS),
            tuple(
                (
                    label,
                    a.area,
                    a.enrolments,
                    a.attendance_percent,
                    a.overall_absence_percent,
                    a.authorised_absence_percent,
                    a.unauthorised_absence_percent,
                    a.persistent_absence_percent,
                    a.severe_absence_percent,
                    a.persistently_absent,
                    a.severely_absent,
                    a.basis,
                )
                for label, areas in (("Year to date", o.year_to_date), ("This term", o.this_term))
                for a in areas
            ),
        ),
        Section(
            "last_year",
            "Against last year",
            "The year to date against the same point last year (1 August to the same date).",
            (
                Column("Area"),
                Column("This year"),
                Column("Compared with"),
                Column("Attendance", "percent"),
                Column("Attendance last year", "percent"),
                Column("Change (points)", "points"),
                Column("Persistent absence", "percent"),
                Column("Persistent absence last year", "percent"),
                Column("Change (points)", "points"),
                Column("Severe absence", "percent"),
                Column("Severe absence last year", "percent"),
                Column("Change (points)", "points"),
            ),
            tuple(
                (
                    c.area,
                    c.period,
                    c.compared_with,
                    c.this_year.attendance_percent,
                    c.last_year.attendance_percent if c.last_year else None,
                    c.attendance_change_points,
                    c.this_year.persistent_absence_percent,
                    c.last_year.persistent_absence_percent if c.last_year else None,
                    c.persistent_absence_change_points,
                    c.this_year.severe_absence_percent,
                    c.last_year.severe_absence_percent if c.last_year else None,
                    c.severe_absence_change_points,
                )
                for c in o.against_last_year
            ),
            "No figures for last year.",
        ),
        Section(
            "categories",
            "Attendance categories",
            f"Pupils in each of the LA's attendance categories ({pack.categories.scheme}).",
            (
                Column("Category"),
                Column("Pupils, year to date", "int"),
                Column("Share, year to date", "percent"),
                Column("Pupils, this term", "int"),
                Column("Share, this term", "percent"),
            ),
            tuple(
                (y.name, y.pupils, y.percent, t.pupils, t.percent)
                for y, t in zip(pack.categories.year_to_date, pack.categories.this_term, strict=True)
            ),
        ),
        Section(
            "severe",
            "Severely absent pupils",
            "Every pupil on roll with attendance of 50% or less this year, lowest first. Each needs an agreed "
            "multi-agency plan and a lead practitioner.",
            _PUPIL_COLUMNS,
            tuple(_pupil_cells(p) for p in pack.severely_absent),
            "No pupil on roll is severely absent.",
            new_page=True,
        ),
        Section(
            "persistent",
            "Persistently absent pupils",
            "Pupils on roll with attendance of 90% or less and over 50% this year (the severely absent are in "
            "their own list), lowest first.",
            _PUPIL_COLUMNS,
            tuple(_pupil_cells(p) for p in pack.persistently_absent),
            "No other pupil on roll is persistently absent.",
            new_page=True,
        ),
        Section(
            "zero",
            "No attendance this year",
            "Pupils on roll who have not attended one session this year (since September, or since joining).",
            (*_BRIEF_PUPIL, Column("Since", "date"), Column("Joined late"), Column("Possible sessions", "int")),
            tuple(
                (*_brief(z.pupil), z.since, "Yes" if z.late_joiner else "No", z.pupil.sess_possible)
                for z in pack.zero_attendance
            ),
            "Every pupil on roll has attended at least once this year.",
            new_page=True,
        ),
        _no_attendance_section(pack),
        Section(
            "at_risk",
            "At risk of persistent absence",
            f"Pupils on roll not yet persistently absent whom early warning flags. {pack.at_risk_basis}",
            (
                *_BRIEF_PUPIL,
                Column("Attendance", "percent"),
                Column("Projected by year end", "percent"),
                Column("Risk of PA (model)", "fraction"),
                Column("Reasons", wide=True),
            ),
            tuple(
                (
                    *_brief(r.pupil),
                    r.pupil.attendance_percent,
                    r.projected_attendance_percent,
                    r.risk_pa,
                    "; ".join(r.reasons),
                )
                for r in pack.at_risk
            ),
            "No pupil on roll is flagged.",
            new_page=True,
        ),
        Section(
            "cohorts",
            "Priority cohorts",
            "The LA's priority cohorts in this school, year to date: against the school's other pupils and the "
            "same cohort across the LA. Flags need at least 10 pupils and 5 persistently absent behind them.",
            (
                Column("Cohort"),
                Column("Pupils", "int"),
                Column("Attendance", "percent"),
                Column("Persistently absent", "int"),
                Column("Persistent absence", "percent"),
                Column("Severely absent", "int"),
                Column("Other pupils' attendance", "percent"),
                Column("Other pupils' persistent absence", "percent"),
                Column("LA cohort pupils", "int"),
                Column("LA cohort attendance", "percent"),
                Column("LA cohort persistent absence", "percent"),
                Column("Flag"),
                Column("In words", wide=True),
            ),
            tuple(
                (
                    c.cohort,
                    c.pupils,
                    c.attendance_percent,
                    c.persistently_absent,
                    c.persistent_absence_percent,
                    c.severely_absent,
                    c.others_attendance_percent,
                    c.others_persistent_absence_percent,
                    c.la_pupils,
                    c.la_attendance_percent,
                    c.la_persistent_absence_percent,
                    c.flag,
                    c.summary,
                )
                for c in pack.cohorts
            ),
            new_page=True,
        ),
        Section(
            "discuss",
            "Pupils the school asks to discuss",
            "As recorded for this meeting.",
            (Column("UPN"), *_PUPIL_COLUMNS[1:], Column("Note")),
            tuple(
                (d.upn, *(_pupil_cells(d.pupil)[1:] if d.pupil else (None,) * (len(_PUPIL_COLUMNS) - 1)), d.note)
                for d in pack.discussed
            ),
            "The school has not asked to discuss any pupil.",
            new_page=True,
        ),
        Section(
            "actions",
            "Actions from the previous meeting",
            "Attendance before each action (the school days before it was agreed) against attendance since.",
            (
                Column("UPN"),
                Column("Name"),
                Column("Action", wide=True),
                Column("Lead"),
                Column("Agreed on", "date"),
                Column("Before", "percent"),
                Column("Since", "percent"),
                Column("Change (points)", "points"),
                Column("Improved"),
                Column("In words", wide=True),
            ),
            tuple(
                (
                    a.action.upn,
                    a.pupil.name if a.pupil else "",
                    a.action.action,
                    a.action.owner or "",
                    a.action.agreed_on,
                    a.before_percent,
                    a.since_percent,
                    a.change_points,
                    {True: "Yes", False: "No", None: "Not yet known"}[a.improved],
                    a.describe(),
                )
                for a in pack.previous_actions
            ),
            "No actions were recorded at the previous meeting.",
            new_page=True,
        ),
    ]
    return sections


def _no_attendance_section(pack: TSMPack) -> Section:
    n = pack.no_attendance_recently
    if n.window_start is None:
        window = "no school days recorded yet"
    else:
        window = f"{n.window_start:%d %b} to {n.window_end:%d %b %Y}, {n.school_days} school days"
    left_out = f" Left out as children missing education: {', '.join(n.left_out_as_cme)}." if n.left_out_as_cme else ""
    return Section(
        "no_attendance_3_weeks",
        "No attendance in the last 3 school weeks, unauthorised only",
        f"Pupils on roll who attended no session in the last 3 school weeks ({window}) and whose every absence "
        f"in them was unauthorised.{left_out}",
        (*_BRIEF_PUPIL, Column("Possible sessions", "int"), Column("Unauthorised absence", wide=True)),
        tuple(
            (
                *_brief(p.pupil),
                p.sess_possible,
                ", ".join(f"{label} {count}" for label, count in p.unauthorised_by_reason),
            )
            for p in n.pupils
        ),
        "No pupil on roll meets this rule.",
        new_page=True,
    )


# =================================================================================================
# Writing
# =================================================================================================
def pack_filename(pack: TSMPack, fmt: str) -> str:
    """A file name for a pack: ``tsm-2024-25-autumn-100001-oakfield-primary.xlsx``."""
    slug = "".join(c if c.isalnum() else "-" for c in pack.school_name.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    year = pack.term.academic_year.label.replace("/", "-")
    term = next((t for t in ("autumn", "spring", "summer") if t in pack.term.label), "term")
    return f"tsm-{year}-{term}-{pack.urn}-{slug}.{fmt}"


def write_pack(pack: TSMPack, path: Path | str) -> Path:
    """Write the pack in the format its extension names (``.xlsx`` or ``.html``)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "xlsx":
        write_xlsx(pack, path)
    elif fmt in ("html", "htm"):
        path.write_text(render_html(pack), encoding="utf-8")
    else:
        raise ExportError(
            f"{path.name}: cannot write a pack as {path.suffix or 'a file with no extension'} "
            f"(use {' or '.join('.' + f for f in FORMATS)})"
        )
    return path


# -- XLSX ----------------------------------------------------------------------------------------
_XLSX_FORMATS = {
    "percent": "0.0%",
    "fraction": "0%",
    "points": "+0.0;-0.0;0.0",
    "int": "#,##0",
    "date": "dd mmm yyyy",
}


def _xlsx_value(value: object, kind: str) -> object:
    if value is None or value == "":
        return None
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if kind == "percent":
        return float(value) / 100.0  # type: ignore[arg-type]
    return value


def write_xlsx(pack: TSMPack, path: Path | str) -> Path:
    """Write the pack as a workbook: one sheet per section, frozen headers, formatted percentages.

    Every cell is written by :func:`attendwise.spreadsheets.write_cell`: names and notes from schools are
    text, never formulas.
    """
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = new_workbook()
    header_fill = PatternFill("solid", fgColor="F3F2F1")
    rule = Border(bottom=Side(style="medium", color="0B0C0C"))
    # Style objects made once: openpyxl looks each new one up in the workbook's style table.
    top, top_wrapped = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
    for section in pack_sections(pack):
        ws = wb.create_sheet(section.sheet)
        write_cell(ws, 1, 1, section.title).font = Font(bold=True, size=14)
        write_cell(ws, 2, 1, section.intro).font = Font(italic=True, color="505A5F")
        for i, col in enumerate(section.columns, start=1):
            cell = write_cell(ws, 3, i, col.header)
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.border = rule
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        widths = [len(c.header) for c in section.columns]
        for r, row in enumerate(section.rows, start=4):
            for i, (col, value) in enumerate(zip(section.columns, row, strict=True), start=1):
                kind = col.kind
                if isinstance(value, dt.date) and kind == "text":
                    kind = "date"
                cell = write_cell(ws, r, i, _xlsx_value(value, kind))
                if kind in _XLSX_FORMATS:
                    cell.number_format = _XLSX_FORMATS[kind]
                cell.alignment = top_wrapped if col.wide else top
                widths[i - 1] = max(widths[i - 1], len(cell_text(value, kind)))
        if not section.rows:
            write_cell(ws, 4, 1, section.empty).font = Font(italic=True)
        for i, (col, width) in enumerate(zip(section.columns, widths, strict=True), start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60 if col.wide else 40)
        ws.freeze_panes = "A4"
        if section.rows:
            ws.auto_filter.ref = f"A3:{get_column_letter(len(section.columns))}{3 + len(section.rows)}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "3:3"
        ws.oddHeader.center.text = header_footer_text(pack.title)
    wb.properties.title = pack.title
    wb.properties.creator = "attendwise"
    path = Path(path)
    save_workbook(wb, path)
    return path


# -- HTML ----------------------------------------------------------------------------------------
def cell_text(value: object, kind: str) -> str:
    """A value as the printed pack shows it."""
    if value is None or value == "":
        return ""
    if kind == "percent":
        return f"{float(value):.1f}%"  # type: ignore[arg-type]
    if kind == "fraction":
        return f"{float(value):.0%}"  # type: ignore[arg-type]
    if kind == "points":
        return f"{float(value):+.1f}"  # type: ignore[arg-type]
    if kind == "int":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if isinstance(value, dt.date):
        return f"{value:%d %b %Y}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


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


def write_packs(packs: Sequence[TSMPack], folder: Path | str, fmt: str = "xlsx") -> list[Path]:
    """Write every pack into ``folder`` (created if missing), named by :func:`pack_filename`."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_pack(p, folder / pack_filename(p, fmt)) for p in packs]
