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
  turns carriage returns into line feeds too (XML does), so a text starting with a line feed is
  neutralised as one starting with a carriage return is.
* In a workbook, text is stored as a string cell (:func:`write_cell`), never as a formula: openpyxl
  makes a formula of any text starting with ``=`` (and an error cell of ``#N/A``) unless told
  otherwise. :func:`save_workbook` checks every cell again before the file is written, so a cell an
  export set by hand cannot slip through.

Every CSV export goes through :func:`csv_text` or :func:`frame_csv` and every workbook is made by
:func:`new_workbook` and written by :func:`save_workbook`; ``tests/test_spreadsheets.py`` fails if a
module writes a CSV or a workbook any other way. The project writes no formulas on purpose: one
that is ever wanted must be added here, deliberately.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, TypeVar

import pandas as pd

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "DANGEROUS",
    "cell_value",
    "csv_text",
    "frame_csv",
    "header_footer_text",
    "neutralise",
    "new_workbook",
    "save_workbook",
    "write_cell",
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


def _is_text_column(dtype: object) -> bool:
    types = pd.api.types
    return not (
        types.is_numeric_dtype(dtype)  # booleans too
        or types.is_datetime64_any_dtype(dtype)
        or types.is_timedelta64_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype)
    )


def _header(label: object) -> object:
    if isinstance(label, tuple):
        return tuple(_csv_value(part) for part in label)
    return _csv_value(label)


def frame_csv(frame: pd.DataFrame) -> str:
    """A frame as CSV (as ``frame.to_csv(index=False)`` writes it), its text as :func:`csv_text` writes text.

    Numeric, boolean and date columns are written exactly as pandas writes them; in any other
    column (text, categories, mixed objects) each text value is neutralised and each number left be.

    >>> frame = pd.DataFrame({"school": ["=HYPERLINK(1)", "Elm"], "change": [-1.5, 2.0], "n": [3, -4]})
    >>> print(frame_csv(frame), end="")
    school,change,n
    '=HYPERLINK(1),-1.5,3
    Elm,2.0,-4
    """
    safe = frame.copy(deep=False)
    safe.columns = frame.columns.map(_header)
    for i, dtype in enumerate(frame.dtypes):
        if _is_text_column(dtype):
            safe.isetitem(i, frame.iloc[:, i].astype(object).map(_csv_value, na_action="ignore"))
    return safe.to_csv(index=False, lineterminator="\n")


# -- workbooks ------------------------------------------------------------------------------------
def new_workbook() -> Workbook:
    """An empty workbook (no sheets yet), to be filled with :func:`write_cell` and saved with :func:`save_workbook`."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _store(cell: Cell, value: object) -> None:
    if isinstance(value, str):
        cell.value = _ILLEGAL_IN_XLSX.sub("\ufffd", neutralise(value))
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


def header_footer_text(text: str) -> str:
    """Text for a printed page's header or footer, where ``&`` starts a code (``&B`` is bold).

    >>> header_footer_text("St Mary & St Joseph's")
    "St Mary && St Joseph's"
    """
    return text.replace("&", "&&")
