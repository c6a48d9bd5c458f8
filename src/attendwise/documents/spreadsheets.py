"""Text stays text in every spreadsheet the project writes: the one way to write a CSV or a workbook.

Names and free text come from schools and from the case store: a pupil's forename and surname, a
school's name, the actions agreed at a Targeting Support Meeting and who leads them. A spreadsheet
program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so a pupil registered
as ``=HYPERLINK("http://x","y")`` becomes a live link in an officer's copy of the pack, and a formula
can fetch or send what the sheet holds. Tab and carriage return are on the list too: spreadsheet
programs skip them when they decide what a cell is. OWASP's guidance on CSV injection is followed:

* :func:`neutralise` puts a single quote in front of text that starts with one of :data:`DANGEROUS`,
  so the spreadsheet shows it as the text it is. Removing that quote gives the text back.
* Only text is changed. Numbers stay numbers, so a fall of 2.5 points is written ``-2.5`` and stays
  a number the spreadsheet can add up; dates, booleans and blanks are not touched either.
* In a CSV, a line break inside a text is written as a line feed, which the writer quotes, so a cell
  cannot end its row early and start the next one with a formula (``Ann\\r=HYPERLINK(...)``): a bare
  carriage return is not quoted by Python's CSV writer, yet spreadsheets end a row there. A workbook
  holds line feeds for carriage returns too, so a text starting with a line feed is neutralised as one
  starting with a carriage return is.
* In a workbook, text is stored as a string cell (:func:`write_cell`), never as a formula: openpyxl
  makes a formula of any text starting with ``=`` (and an error cell of ``#N/A``) unless told
  otherwise. :func:`save_workbook` checks every cell again before the file is written, so a cell an
  export set by hand cannot slip through.

A :class:`~attendwise.documents.tables.Table` is written as CSV by :func:`table_csv` (its values, unrounded, a
mark as its symbol) and sections of tables as a workbook by :func:`write_workbook` (a sheet a section, numbers
as numbers with their formats). Every CSV goes through :func:`csv_text` and every workbook is made by
:func:`new_workbook` and written by :func:`save_workbook`; ``tests/documents/test_spreadsheets.py`` fails if
a module writes a CSV or a workbook any other way. The project writes no formulas on purpose: one
that is ever wanted must be added here, deliberately.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, TypeVar

from attendwise.documents.marks import Mark
from attendwise.documents.tables import Column, Kind, Section, Table, value_of

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "DANGEROUS",
    "cell_value",
    "csv_text",
    "header_footer_text",
    "neutralise",
    "new_workbook",
    "save_workbook",
    "table_csv",
    "write_cell",
    "write_workbook",
]

#: The characters a spreadsheet may read as the start of a formula (OWASP, "CSV Injection"), and the
#: line feed that a carriage return becomes in a workbook and in :func:`csv_text`.
DANGEROUS: Final = ("=", "+", "-", "@", "\t", "\r", "\n")

#: What a text cell of a workbook may not hold (control characters other than tab, line feed and
#: carriage return): openpyxl refuses the whole workbook over one of them, so each is replaced.
_ILLEGAL_IN_XLSX: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

T = TypeVar("T")


def neutralise(text: str) -> str:
    """The text with a single quote in front if a spreadsheet could read it as a formula.

    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> [neutralise(t) for t in ("+1+1", "-2+3", "@SUM(A1)", "\\t=1", "\\r=1")]
    ["'+1+1", "'-2+3", "'@SUM(A1)", "'\\t=1", "'\\r=1"]
    >>> neutralise("Oakfield Primary"), neutralise(""), neutralise("O'Neil")
    ('Oakfield Primary', '', "O'Neil")
    """
    return "'" + text if text.startswith(DANGEROUS) else text


def cell_value(value: T) -> T | str:
    """A value for a spreadsheet cell: text neutralised, anything else (numbers above all) as it is.

    >>> cell_value("-2+3"), cell_value(-2), cell_value(-2.5), cell_value(None)
    ("'-2+3", -2, -2.5, None)
    """
    if isinstance(value, str):
        return neutralise(value)
    return value


def _csv_value(value: T) -> T | str:
    if isinstance(value, str):
        return neutralise(value).replace("\r\n", "\n").replace("\r", "\n")
    return value


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows (the header first) as CSV text, every text cell neutralised, line breaks in it quoted.

    >>> print(csv_text([["name", "change"], ["=1+1", -2.5], ["Ann", 3]]), end="")
    name,change
    '=1+1,-2.5
    Ann,3
    >>> csv_text([["Ann\\r=1"]])
    '"Ann\\n=1"\\n'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([_csv_value(v) for v in row] for row in rows)
    return out.getvalue()


def table_csv(table: Table) -> str:
    """A table as CSV: its headings, then its values unrounded (a mark as its symbol, a date in ISO form,
    nothing as blank), text neutralised by :func:`csv_text`.

    >>> from attendwise.documents.marks import SUPPRESSED
    >>> t = Table("", (Column("school", "School"), Column("change", "Change", Kind.POINTS)),
    ...           (("=HYPERLINK(1)", -1.5), ("Elm", SUPPRESSED), ("Ash", None)))
    >>> print(table_csv(t), end="")
    School,Change
    '=HYPERLINK(1),-1.5
    Elm,x
    Ash,
    """
    return csv_text([[c.heading for c in table.columns], *([_plain(value_of(v)) for v in row] for row in table.rows)])


def _plain(value: object) -> object:
    if isinstance(value, Mark):
        return str(value)
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return ""
    return value


# -- workbooks ------------------------------------------------------------------------------------
def new_workbook() -> Workbook:
    """An empty workbook (no sheets yet), to be filled with :func:`write_cell` and saved with :func:`save_workbook`."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _store(cell: Cell, value: object) -> None:
    if isinstance(value, str):
        # Line breaks as line feeds, whichever openpyxl writes them (older ones let XML turn a carriage
        # return into a line feed; 3.1 keeps it), so a workbook holds the same text a CSV does.
        text = _ILLEGAL_IN_XLSX.sub("\ufffd", neutralise(value))
        cell.value = text.replace("\r\n", "\n").replace("\r", "\n")
        cell.data_type = "s"  # never a formula or an error, whatever the text
    else:
        cell.value = value


def write_cell(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Set one cell: text as a neutralised string cell, numbers, dates and blanks as they are.

    >>> wb = new_workbook()
    >>> ws = wb.create_sheet("Pupils")
    >>> [(c.value, c.data_type) for c in (write_cell(ws, 1, 1, "=1+1"), write_cell(ws, 1, 2, -3))]
    [("'=1+1", 's'), (-3, 'n')]
    >>> write_cell(ws, 2, 1, "#N/A").data_type
    's'
    """
    cell = ws.cell(row=row, column=column)
    _store(cell, value)
    return cell


def save_workbook(wb: Workbook, target: Path | str | IO[bytes]) -> None:
    """Save the workbook after making sure no cell of any sheet is a formula or unneutralised text.

    >>> wb = new_workbook()
    >>> ws = wb.create_sheet("Notes")
    >>> ws["A1"] = "=HYPERLINK(1)"  # set by hand: openpyxl would write a formula
    >>> buffer = io.BytesIO()
    >>> save_workbook(wb, buffer)
    >>> ws["A1"].value, ws["A1"].data_type
    ("'=HYPERLINK(1)", 's')
    """
    for ws in wb.worksheets:
        # Every cell set so far (openpyxl's own map: walking rows would add empty cells to the file).
        for cell in ws._cells.values():
            value = cell.value
            if cell.data_type == "f" or cell.data_type == "e":
                _store(cell, value if isinstance(value, str) else str(value))
            elif isinstance(value, str) and value.startswith(DANGEROUS):
                _store(cell, value)
    wb.save(target)


def _number_format(column: Column) -> str | None:
    """A column's number format in a workbook, by its kind and decimal places."""
    places = "." + "0" * column.decimals if column.decimals else ""
    return {
        Kind.COUNT: "#,##0",
        Kind.NUMBER: f"#,##0{places}",
        Kind.PERCENT: f"0{places}%",
        Kind.FRACTION: f"0{places}%",
        Kind.POINTS: f"+0{places};-0{places};0{places}",
        Kind.DATE: "dd mmm yyyy",
    }.get(column.kind)


def _workbook_value(value: object, column: Column) -> object:
    """A value as a workbook cell holds it: percentages as fractions (so the format shows them and Excel's
    own arithmetic works on them), a mark as its symbol, nothing as an empty cell."""
    if isinstance(value, Mark):
        return str(value)
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if column.kind is Kind.PERCENT and isinstance(value, int | float):
        return float(value) / 100.0
    return value


def write_workbook(sections: Iterable[Section], target: Path | str | IO[bytes], *, title: str) -> None:
    """Sections as a workbook: a sheet a section, its heading and first paragraph above each table's bold
    header row, the first header frozen and filtered, numbers as numbers in their kind's format, dates as
    dates, widths fitted to the contents, pages set to print landscape, one page wide, ``title`` on each.

    Every cell is written by :func:`write_cell`: names and notes from schools are text, never formulas.
    """
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = new_workbook()
    header_fill = PatternFill("solid", fgColor="F3F2F1")
    rule = Border(bottom=Side(style="medium", color="0B0C0C"))
    # Style objects made once: openpyxl looks each new one up in the workbook's style table.
    top, top_wrapped = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
    bottom_wrapped = Alignment(wrap_text=True, vertical="bottom")
    for section in sections:
        ws = wb.create_sheet(section.sheet)
        write_cell(ws, 1, 1, section.heading).font = Font(bold=True, size=14)
        write_cell(ws, 2, 1, " ".join(section.paragraphs)).font = Font(italic=True, color="505A5F")
        r = 3
        widths: dict[int, int] = {}
        for n, table in enumerate(section.tables):
            if n:
                r += 1
                write_cell(ws, r, 1, table.caption).font = Font(bold=True)
                r += 1
            head = r
            for i, col in enumerate(table.columns, start=1):
                cell = write_cell(ws, r, i, col.heading)
                cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), header_fill, rule, bottom_wrapped
                widths[i] = max(widths.get(i, 0), len(col.heading))
            for row in table.rows:
                r += 1
                for i, (col, v) in enumerate(zip(table.columns, row, strict=True), start=1):
                    value = value_of(v)
                    cell = write_cell(ws, r, i, _workbook_value(value, col))
                    fmt = _number_format(col) or ("dd mmm yyyy" if isinstance(value, dt.date) else None)
                    if fmt and not isinstance(value, Mark):
                        cell.number_format = fmt
                    cell.alignment = top_wrapped if col.wide else top
                    widths[i] = max(widths[i], len(col.text(value)))
            if not table.rows:
                r += 1
                write_cell(ws, r, 1, table.empty).font = Font(italic=True)
            for i, col in enumerate(table.columns, start=1):
                ws.column_dimensions[get_column_letter(i)].width = min(max(widths[i] + 2, 8), 60 if col.wide else 40)
            if n == 0:
                ws.freeze_panes = f"A{head + 1}"
                ws.print_title_rows = f"{head}:{head}"
                if table.rows:
                    ws.auto_filter.ref = f"A{head}:{get_column_letter(len(table.columns))}{head + len(table.rows)}"
            r += 1
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddHeader.center.text = header_footer_text(title)
    wb.properties.title = title
    wb.properties.creator = "attendwise"
    save_workbook(wb, target)


def header_footer_text(text: str) -> str:
    """Text for a printed page's header or footer, where ``&`` starts a code (``&B`` is bold).

    >>> header_footer_text("St Mary & St Joseph's")
    "St Mary && St Joseph's"
    """
    return text.replace("&", "&&")
