"""What stands in a table where a figure is not shown, and why: the DfE's symbols.

A :class:`Mark` *is* its symbol (a ``str``: ``"x"``), so a measures frame can hold it where the number was
and every writer (a page, a CSV, a workbook, the terminal) shows the symbol; it also carries what it means,
for the reader (a page's tooltip, a report's key to symbols). A frame may give the symbol back as plain text
(pandas stores a column of text as strings), so a table made from a frame reads ``x`` as the mark again
(:func:`~attendwise.documents.tables.table_from_frame`).

>>> SUPPRESSED == "x", SUPPRESSED.meaning
(True, 'Suppressed: too few pupils to show')
>>> is_suppressed(SUPPRESSED), is_suppressed("x"), is_suppressed(0)
(True, True, False)
"""

from __future__ import annotations

from typing import Final

__all__ = ["LOW", "MARKS", "NOT_APPLICABLE", "SUPPRESSED", "Mark", "is_mark", "is_suppressed"]


class Mark(str):
    """A figure not shown: its symbol (the text every writer shows) and what the symbol means."""

    meaning: str

    def __new__(cls, symbol: str, meaning: str) -> Mark:
        mark = super().__new__(cls, symbol)
        mark.meaning = meaning
        return mark

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return (str(self), self.meaning)

    def __repr__(self) -> str:  # as its symbol, so a frame or a list of figures reads as published
        return repr(str(self))


#: The DfE's symbol for a figure suppressed to protect confidentiality (a count of too few pupils, or one
#: from which such a count could be worked out).
SUPPRESSED: Final = Mark("x", "Suppressed: too few pupils to show")
#: A figure that rounds to zero but is not zero.
LOW: Final = Mark("low", "Rounds to 0, but is not 0")
#: A figure that does not apply (a rate of nothing).
NOT_APPLICABLE: Final = Mark("z", "Not applicable")

#: Every mark, by its symbol.
MARKS: Final = {str(m): m for m in (SUPPRESSED, LOW, NOT_APPLICABLE)}


def is_suppressed(value: object) -> bool:
    """Whether a figure as published is suppressed (the mark itself, or its symbol read back from a file)."""
    return isinstance(value, str) and value == SUPPRESSED


def is_mark(value: object) -> bool:
    """Whether a value is a mark standing for a figure not shown.

    >>> is_mark(NOT_APPLICABLE), is_mark("z"), is_mark(3)
    (True, False, False)
    """
    return isinstance(value, Mark)
