"""Tables on a terminal (the CLI): a :class:`~attendwise.documents.tables.Table` as a ``rich`` table, numbers
to the right, each value as its column reads it; plain text when the output is not a terminal.

>>> from io import StringIO
>>> from rich.console import Console
>>> from attendwise.documents.tables import Column, Kind, Table
>>> out = Console(file=StringIO(), width=60)
>>> table = Table("Pupils", (Column("school", "School"), Column("n", "Pupils", Kind.COUNT)), (("Oak", 1234),))
>>> out.print(rich_table(table))
>>> for line in out.file.getvalue().splitlines():
...     print(line.rstrip())
Pupils
┏━━━━━━━━┳━━━━━━━━┓
┃ School ┃ Pupils ┃
┡━━━━━━━━╇━━━━━━━━┩
│ Oak    │  1,234 │
└────────┴────────┘
"""

from __future__ import annotations

from rich.table import Table as RichTable

from attendwise.documents.tables import Table, value_of

__all__ = ["rich_table"]


def rich_table(table: Table) -> RichTable:
    """The table as ``rich`` lays it out: its caption as the title, a header row, then its rows."""
    out = RichTable(title=table.caption, title_justify="left", header_style="bold")
    for column in table.columns:
        out.add_column(column.heading, justify="right" if column.numeric else "left")
    for row in table.rows:
        out.add_row(*(c.text(value_of(v)) for c, v in zip(table.columns, row, strict=True)))
    return out
