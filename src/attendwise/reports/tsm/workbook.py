"""The pack as a workbook (XLSX, openpyxl): one sheet per section, a title and a line of explanation above
a bold header row, the header frozen and filtered, percentages stored as fractions with a percent format (so
Excel's own arithmetic works on them), dates as dates, widths fitted to the contents, and pages set to print
landscape, one page wide."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from attendwise.documents.spreadsheets import header_footer_text, new_workbook, save_workbook, write_cell
from attendwise.reports.tsm.pack import TSMPack
from attendwise.reports.tsm.sections import cell_text, pack_sections

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

    Every cell is written by :func:`attendwise.documents.spreadsheets.write_cell`: names and notes from schools are
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
