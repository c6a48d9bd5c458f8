"""Tables on the terminal (:mod:`attendwise.documents.terminal`)."""

from __future__ import annotations

import doctest
import io

from rich.console import Console

from attendwise.documents import terminal
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.tables import Column, Kind, Table
from attendwise.documents.terminal import rich_table


def test_the_module_examples() -> None:
    assert doctest.testmod(terminal).failed == 0


def test_numbers_right_aligned_in_their_format_and_marks_as_symbols() -> None:
    table = Table(
        "Schools",
        (Column("school", "School"), Column("n", "Pupils", Kind.COUNT), Column("r", "PA", Kind.FRACTION)),
        (("Oak", 1200, 0.25), ("Elm", SUPPRESSED, None)),
    )
    out = Console(file=io.StringIO(), width=80)
    out.print(rich_table(table))
    lines = [line.rstrip() for line in out.file.getvalue().splitlines()]
    assert lines[0] == "Schools"
    assert "│ Oak    │  1,200 │ 25% │" in lines and "│ Elm    │      x │     │" in lines
