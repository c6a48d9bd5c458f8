"""The pack as a workbook (XLSX): a sheet per section of :func:`~attendwise.reports.tsm.sections.pack_sections`,
written by :func:`attendwise.documents.spreadsheets.write_workbook` (percentages stored as fractions with a
percent format, dates as dates, the header frozen and filtered, landscape pages one page wide)."""

from __future__ import annotations

from pathlib import Path

from attendwise.documents.spreadsheets import write_workbook
from attendwise.reports.tsm.pack import TSMPack
from attendwise.reports.tsm.sections import pack_sections


def write_xlsx(pack: TSMPack, path: Path | str) -> Path:
    """Write the pack as a workbook: one sheet per section, frozen headers, formatted percentages.

    Every cell is written by :func:`attendwise.documents.spreadsheets.write_cell`: names and notes from schools are
    text, never formulas.
    """
    path = Path(path)
    write_workbook(pack_sections(pack), path, title=pack.title)
    return path
