"""The DfE's termly CME and EHE collection, with its rounding, and the counts a scrutiny report needs.

The published LA and regional figures are rounded to the **nearest 10** and national ones to the **nearest
100**; a count that rounds to 0 but is not 0 shows as ``low``. Totals and percentages are computed from the
unrounded counts and each figure is rounded on its own, never re-summed from rounded rows (Coventry's autumn
2024 EHE year groups add to 520 against a total of 510).

Examples:
    >>> dfe_round(513), dfe_round(3), dfe_round(0), dfe_round(111_748, "national")
    (510, 'low', 0, 111700)
    >>> rounded({"Year 7": 248, "Year 8": 265}, total="Total")
    [('Year 7', 250), ('Year 8', 270), ('Total', 510)]
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["LOW", "dfe_round", "rounded"]

#: What a count that rounds to nought but is not nought shows as.
LOW = "low"
_TO = {"la": 10, "regional": 10, "national": 100}


def dfe_round(count: int, level: str = "la") -> int | str:
    """A count as the DfE's CME and EHE collection publishes it at ``level`` (``la``, ``regional``, ``national``),
    rounding halves up."""
    to = _TO[level]
    shown = int((Decimal(count) / to).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * to
    return LOW if shown == 0 and count > 0 else shown


def rounded(counts: Mapping[str, int], *, total: str | None = None, level: str = "la") -> list[tuple[str, int | str]]:
    """Each count rounded on its own, and the total (if named) rounded from the unrounded sum."""
    rows: list[tuple[str, int | str]] = [(k, dfe_round(v, level)) for k, v in counts.items()]
    if total is not None:
        rows.append((total, dfe_round(sum(counts.values()), level)))
    return rows
