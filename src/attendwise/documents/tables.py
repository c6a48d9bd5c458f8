"""The one vocabulary for what people read: a table of columns and cells, a chart with the table of its
numbers, and a section of a document holding them.

A :class:`Table` holds *values* (numbers unrounded, dates as dates, a :class:`~attendwise.documents.marks.Mark`
where a figure is not shown) and its :class:`Column` s say how each is read: a count, a percentage, a change
in points, a date. Every writer starts from the same table: :mod:`~attendwise.documents.html` (the web's
GOV.UK tables and the printed pack), :mod:`~attendwise.documents.spreadsheets` (CSV and XLSX, where numbers
stay numbers) and :mod:`~attendwise.documents.terminal` (the CLI); so a table is described once and reads the
same everywhere. A :class:`Chart` is a Vega-Lite spec with its numbers as a :class:`Table` and a description,
so it can be read without sight of it (and without JavaScript). A :class:`Section` is a part of a document:
a heading, paragraphs, tables and charts (a sheet of a workbook, a part of a printed pack).

>>> t = Table("Pupils", (Column("school", "School"), Column("pupils", "Pupils", Kind.COUNT)),
...           (("Oak", 1234), (Cell("Elm", href="/elm"), SUPPRESSED)))
>>> [t.columns[1].text(v) for v in t.column("pupils")]
['1,234', 'x']
>>> t.records()
[{'school': 'Oak', 'pupils': 1234}, {'school': 'Elm', 'pupils': 'x'}]
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import pandas as pd

from attendwise.documents.marks import SUPPRESSED, Mark

__all__ = [
    "Cell",
    "Chart",
    "Column",
    "Kind",
    "Section",
    "Sparkline",
    "Table",
    "Value",
    "data_table",
    "every_column",
    "fmt_count",
    "fmt_percent",
    "table_from_frame",
    "table_json",
]


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A small trend in a cell: a percentage per week (or any step), first to last, with what it says in words.

    Written as its words wherever a picture cannot go (CSV, a workbook, the terminal); HTML draws it as a
    line with the words beside it for a screen reader.

    >>> s = Sparkline((96.0, 90.0, 71.5), "week")
    >>> str(s)
    'Falling: 96% to 72% over 3 weeks'
    """

    values: tuple[float, ...]
    step: str = "week"

    def __str__(self) -> str:
        if not self.values:
            return "No weeks yet"
        first, last = self.values[0], self.values[-1]
        change = last - first
        how = "Steady" if abs(change) < 1 else ("Rising" if change > 0 else "Falling")
        many = f"{len(self.values)} {self.step}{'s' if len(self.values) != 1 else ''}"
        return f"{how}: {first:.0f}% to {last:.0f}% over {many}"


#: What a cell holds: text, a number, a date, a mark where a figure is not shown, a trend, or nothing.
Value: TypeAlias = str | int | float | dt.date | Mark | Sparkline | None


class Kind(enum.StrEnum):
    """How a column's values are read (and so written): the number's unit decides its text and its format."""

    TEXT = "text"
    #: Whole numbers of pupils or sessions: ``1,234``.
    COUNT = "count"
    #: Any other number, to ``places`` decimals (risk ratios, expected counts): ``1.25``.
    NUMBER = "number"
    #: A percentage from 0 to 100: ``7.1``.
    PERCENT = "percent"
    #: A proportion from 0 to 1, shown as a percentage: ``40%``.
    FRACTION = "fraction"
    #: A signed change in percentage points: ``+1.5``.
    POINTS = "points"
    DATE = "date"


#: Decimal places of each kind unless a column says otherwise.
_PLACES = {Kind.COUNT: 0, Kind.NUMBER: 2, Kind.PERCENT: 1, Kind.FRACTION: 0, Kind.POINTS: 1}


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True, slots=True)
class Column:
    """A column: the key its values go by (in CSV headers of data, JSON records), its heading, and its kind.

    Args:
        key: the column's name in the data (``sess_overall_percent``).
        heading: what the reader sees above it (``Overall absence %``).
        kind: how its values are read (:class:`Kind`).
        places: decimal places for numbers (by default 0 for counts and fractions, 1 for percentages and
            points, 2 for other numbers).
        unit: written after each number (``%`` where the heading does not say it).
        wide: long text (reasons, band history), wrapped where a writer can.

    >>> [Column("a", "A", k).text(v) for k, v in [(Kind.PERCENT, 7.149), (Kind.FRACTION, 0.4), (Kind.POINTS, -1.25)]]
    ['7.1', '40%', '-1.2']
    >>> Column("a", "A", Kind.PERCENT, unit="%").text(40), Column("d", "D", Kind.DATE).text(dt.date(2024, 9, 2))
    ('40.0%', '02 Sep 2024')
    """

    key: str
    heading: str
    kind: Kind = Kind.TEXT
    places: int | None = None
    unit: str = ""
    wide: bool = False

    @property
    def numeric(self) -> bool:
        """Numbers, aligned to the right."""
        return self.kind not in (Kind.TEXT, Kind.DATE)

    @property
    def decimals(self) -> int:
        return self.places if self.places is not None else _PLACES.get(self.kind, 0)

    def text(self, value: object) -> str:
        """A value as the reader sees it: a mark as its symbol, nothing as blank."""
        if isinstance(value, Cell):
            value = value.value
        if isinstance(value, Mark | Sparkline) or (isinstance(value, str) and self.numeric):
            return str(value)
        if _missing(value) or value == "":
            return ""
        p = self.decimals
        if self.kind is Kind.COUNT:
            return f"{value:,.0f}" if isinstance(value, float) else f"{int(value):,}"  # type: ignore[call-overload]
        if self.kind is Kind.NUMBER:
            return f"{float(value):,.{p}f}{self.unit}"  # type: ignore[arg-type]
        if self.kind is Kind.PERCENT:
            return f"{float(value):.{p}f}{self.unit}"  # type: ignore[arg-type]
        if self.kind is Kind.FRACTION:
            return f"{float(value):.{p}%}"  # type: ignore[arg-type]
        if self.kind is Kind.POINTS:
            return f"{float(value):+,.{p}f}{self.unit}"  # type: ignore[arg-type]
        if isinstance(value, dt.date):
            return f"{value:%d %b %Y}"
        return str(value)


@dataclass(frozen=True, slots=True)
class Cell:
    """A value with more to it than its text: a link to follow, or a GOV.UK tag colour to show it as a tag."""

    value: Value
    href: str | None = None
    #: A GOV.UK tag colour (``green``, ``red`` ...), or ``None``.
    tag: str | None = None


def value_of(cell: object) -> Any:
    """The value of a cell as a table holds it (a :class:`Cell`'s value, or the value itself)."""
    return cell.value if isinstance(cell, Cell) else cell


def cell_of(cell: object) -> Cell:
    """A table's cell as a :class:`Cell` (a bare value has no link and no tag)."""
    return cell if isinstance(cell, Cell) else Cell(cell)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Table:
    """A table: a caption, its columns, its rows of values (or :class:`Cell` s), and what to say without rows.

    Args:
        caption: what the table shows, above it (a sheet's title, a CLI table's title).
        columns: the columns, in order.
        rows: one tuple of values per row, a value per column.
        notes: said below the table (sources, definitions).
        empty: said instead of the table when it has no rows.
        row_headers: the first column names each row (``<th scope="row">``).
    """

    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...] = ()
    notes: tuple[str, ...] = ()
    empty: str = "Nothing to show."
    row_headers: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        object.__setattr__(self, "notes", tuple(self.notes))
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"table {self.caption!r}: row {i + 1} has {len(row)} cells for {width} columns")

    def column(self, key: str) -> list[Any]:
        """The values of one column, top to bottom."""
        j = next(i for i, c in enumerate(self.columns) if c.key == key)
        return [value_of(row[j]) for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """The rows as records by column key: numbers unrounded, a mark as its symbol, dates as dates."""
        return [{c.key: _plain(value_of(v)) for c, v in zip(self.columns, row, strict=True)} for row in self.rows]

    @property
    def marks(self) -> set[Mark]:
        """The marks the table shows (what a key to its symbols must explain)."""
        return {v for row in self.rows for cell in row if isinstance(v := value_of(cell), Mark)}

    @property
    def suppressed(self) -> bool:
        return SUPPRESSED in self.marks


def _plain(value: object) -> Any:
    if isinstance(value, Mark | Sparkline):
        return str(value)
    return None if _missing(value) else value


@dataclass(frozen=True)
class Chart:
    """A chart and the table of its numbers: a Vega-Lite spec the browser draws, and a description that says
    in words what it shows (for anyone who cannot see it)."""

    id: str
    title: str
    spec: Mapping[str, Any] | None
    table: Table
    description: str = ""

    @property
    def spec_id(self) -> str:
        """The id of the element holding the spec on a page."""
        return f"{self.id}-spec"


@dataclass(frozen=True)
class Section:
    """A part of a document: its heading, paragraphs, tables and charts (a sheet of a workbook, a part of a
    printed pack, a page's panel).

    Args:
        key: a short name, unique in the document (an anchor on a page).
        heading: the section's heading.
        paragraphs: text before the tables.
        tables: the section's tables.
        charts: the section's charts (each with its table).
        short: a short heading, for a workbook's sheet (at most 31 characters; the heading by default).
        new_page: start on a new page when printed.
    """

    key: str
    heading: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    short: str = ""
    new_page: bool = False

    def __post_init__(self) -> None:
        for name in ("paragraphs", "tables", "charts"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def sheet(self) -> str:
        """The name of the section's sheet in a workbook (Excel allows 31 characters)."""
        return (self.short or self.heading)[:31]


# -- tables from frames --------------------------------------------------------------------------
def _python(value: object) -> Value:
    """A value of a frame as a table holds it: Python numbers and dates, ``None`` for missing."""
    if isinstance(value, str):
        return SUPPRESSED if value == SUPPRESSED else value
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() and value.tz is None else value.to_pydatetime()
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()  # type: ignore[no-any-return]
    return value  # type: ignore[return-value]


def table_from_frame(
    frame: pd.DataFrame,
    caption: str,
    columns: Sequence[Column],
    *,
    links: Mapping[str, Iterable[str | None]] | None = None,
    tags: Mapping[str, Iterable[str | None]] | None = None,
    empty: str = "Nothing to show.",
    row_headers: bool = True,
) -> Table:
    """A :class:`Table` of ``columns`` of a frame (a missing column is blank), with links and tags by column.

    The frame's values are kept as they are, as Python numbers and dates; ``x`` (in any column, as the DfE
    publishes a suppressed figure) is the mark :data:`~attendwise.documents.marks.SUPPRESSED`.

    >>> frame = pd.DataFrame({"n": [3, 4]})
    >>> t = table_from_frame(frame, "N", [Column("n", "N", Kind.COUNT)], links={"n": ["/a", None]})
    >>> t.rows
    ((Cell(value=3, href='/a', tag=None),), (4,))
    """
    extras = {key: list(v) for key, v in (links or {}).items()}
    colours = {key: list(v) for key, v in (tags or {}).items()}
    data = [[_python(v) for v in frame[c.key].tolist()] if c.key in frame else [None] * len(frame) for c in columns]
    rows = []
    for i in range(len(frame)):
        row: list[Any] = []
        for j, c in enumerate(columns):
            value = data[j][i]
            href = extras[c.key][i] if c.key in extras else None
            tag = colours[c.key][i] if c.key in colours and not isinstance(value, Mark) else None
            row.append(Cell(value, href, tag) if href or tag else value)
        rows.append(tuple(row))
    return Table(caption, tuple(columns), tuple(rows), empty=empty, row_headers=row_headers)


def every_column(frame: pd.DataFrame) -> tuple[Column, ...]:
    """A column for each of a frame's, headed by its name: numbers as numbers, at full precision.

    For data handed over whole (the CLI's CSV and JSON): the headings are the DfE's column names.
    """
    out = []
    for name, dtype in frame.dtypes.items():
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        out.append(Column(str(name), str(name), Kind.NUMBER if numeric else Kind.TEXT))
    return tuple(out)


def data_table(frame: pd.DataFrame, caption: str = "") -> Table:
    """A frame handed over whole (a CSV or JSON export): every column, headed by its name, values unrounded.

    >>> data_table(pd.DataFrame({"school_name": ["Oak"], "enrolments": [3]})).records()
    [{'school_name': 'Oak', 'enrolments': 3}]
    """
    return table_from_frame(frame, caption, every_column(frame), row_headers=False)


def table_json(table: Table) -> str:
    """The table's records (:meth:`Table.records`) as indented JSON: dates in ISO form, blanks as ``null``.

    >>> table = Table("", (Column("day", "Day"), Column("n", "N", Kind.COUNT)), ((dt.date(2024, 9, 2), None),))
    >>> print(table_json(table), end="")
    [
      {
        "day": "2024-09-02",
        "n": null
      }
    ]
    """

    def default(value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    return json.dumps(table.records(), indent=2, default=default) + "\n"


# -- the published formats of two kinds, for text outside a table (headline figures) ----------------
def fmt_count(value: object) -> str:
    """Thousands separators; ``x`` for suppressed; blank for missing.

    >>> fmt_count(12345), fmt_count(SUPPRESSED), fmt_count(None)
    ('12,345', 'x', '')
    """
    return _COUNT.text(value)


def fmt_percent(value: object, places: int = 1) -> str:
    """A percentage to ``places`` decimals (published rounding); ``x`` for suppressed.

    >>> fmt_percent(7.149), fmt_percent(SUPPRESSED), fmt_percent(float("nan"))
    ('7.1', 'x', '')
    """
    return Column("", "", Kind.PERCENT, places).text(value)


_COUNT = Column("", "", Kind.COUNT)
