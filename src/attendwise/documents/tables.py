"""Tables and figures as plain data: what the GOV.UK table template and the CSV exports lay out.

A :class:`Figure` is a chart with its numbers: the Vega-Lite spec drawn by the browser, and the
same figures as a :class:`Table` beside it, so every chart can be read without sight of it (and
without JavaScript).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from attendwise.documents.spreadsheets import csv_text
from attendwise.documents.suppression import SUPPRESSED

__all__ = ["Cell", "Column", "Figure", "Table", "fmt_count", "fmt_percent", "table_from_frame"]


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False
    href: str | None = None
    suppressed: bool = False
    #: A GOV.UK tag colour (``green``, ``red`` ...) to show the text as a tag, or ``None``.
    tag: str | None = None
    raw: Any = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, count, percent, rate2, date
    header_is_row: bool = False


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    #: The first column labels each row (``<th scope="row">``).
    first_is_header: bool = True
    empty_message: str = "Nothing to show."

    def to_csv(self) -> str:
        """The table as CSV with raw (unrounded) numbers, and ``x`` where a figure is suppressed.

        Text is written by :func:`attendwise.documents.spreadsheets.csv_text`, so a name cannot become a formula.
        """
        return csv_text([[c.label for c in self.columns], *([_raw(cell) for cell in row] for row in self.rows)])

    def to_records(self) -> list[dict[str, Any]]:
        return [{c.key: _raw(cell) for c, cell in zip(self.columns, row, strict=True)} for row in self.rows]


def _raw(cell: Cell) -> Any:
    if cell.suppressed:
        return SUPPRESSED
    if cell.raw is None:
        return cell.text
    if isinstance(cell.raw, float) and math.isnan(cell.raw):
        return ""
    return cell.raw


@dataclass
class Figure:
    """A chart and the table of its numbers."""

    id: str
    title: str
    spec: dict[str, Any] | None
    table: Table
    description: str = ""

    @property
    def spec_id(self) -> str:
        return f"{self.id}-spec"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def fmt_count(value: object) -> str:
    """Thousands separators; ``x`` for suppressed; blank for missing.

    >>> fmt_count(12345), fmt_count("x"), fmt_count(None)
    ('12,345', 'x', '')
    """
    if value == SUPPRESSED:
        return SUPPRESSED
    if _missing(value):
        return ""
    return f"{int(value):,}"  # type: ignore[call-overload]


def fmt_percent(value: object, places: int = 1) -> str:
    """A percentage to ``places`` decimals (published rounding); ``x`` for suppressed.

    >>> fmt_percent(7.149), fmt_percent("x"), fmt_percent(float("nan"))
    ('7.1', 'x', '')
    """
    if value == SUPPRESSED:
        return SUPPRESSED
    if _missing(value):
        return ""
    return f"{float(value):.{places}f}"  # type: ignore[arg-type]


def cell(value: object, kind: str, href: str | None = None, tag: str | None = None) -> Cell:
    suppressed = value == SUPPRESSED
    raw = None if suppressed else value
    if kind == "count":
        return Cell(fmt_count(value), numeric=True, suppressed=suppressed, raw=raw, href=href)
    if kind == "percent":
        return Cell(fmt_percent(value), numeric=True, suppressed=suppressed, raw=raw, href=href)
    if kind == "rate2":
        return Cell(fmt_percent(value, 2), numeric=True, suppressed=suppressed, raw=raw, href=href)
    text = "" if _missing(value) else str(value)
    return Cell(text, href=href, tag=None if suppressed else tag, suppressed=suppressed, raw=raw)


def table_from_frame(
    frame: pd.DataFrame,
    caption: str,
    columns: Sequence[Column],
    *,
    links: Mapping[str, Iterable[str | None]] | None = None,
    tags: Mapping[str, Iterable[str | None]] | None = None,
    empty_message: str = "Nothing to show.",
) -> Table:
    """Build a :class:`Table` from a frame, formatting each column by its kind."""
    links = {k: list(v) for k, v in (links or {}).items()}
    tags = {k: list(v) for k, v in (tags or {}).items()}
    rows: list[list[Cell]] = []
    for i, (_, record) in enumerate(frame.iterrows()):
        row = []
        for col in columns:
            href = links[col.key][i] if col.key in links else None
            tag = tags[col.key][i] if col.key in tags else None
            row.append(cell(record.get(col.key), col.kind, href=href, tag=tag))
        rows.append(row)
    return Table(caption, list(columns), rows, empty_message=empty_message)
