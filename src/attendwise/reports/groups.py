"""The groups panel of the LA overview and a school page: which groups are over-represented among
persistent and severe absentees.

The core (:func:`attendwise.analysis.disproportionality.disproportionality`) tests every group on the period's
enrolment rows the pages already hold; this module only chooses the flagged groups and lays them out.
Groups are flagged only with at least 10 pupils and 5 absentees behind them. Where figures are
suppressed, a group's row is the same group's row of the suppressed tables
(:meth:`attendwise.reports.source.FigureSource.suppressed`): if its pupils, persistent or severe absentees
are hidden there, every figure of the row is hidden (the rate of the other pupils, the ratios and the
words give them back from the totals).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from attendwise.analysis.disproportionality import (
    CHARACTERISTICS,
    DEFAULT_CHARACTERISTICS,
    disproportionality,
    group_label,
)
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.suppression import ENROLMENTS, Suppressed
from attendwise.documents.tables import Chart, Column, Kind, Table, table_from_frame
from attendwise.reports.source import FigureSource

#: The figures of a row of the table, hidden together when any of the group's counts is.
_FIGURES = ["enrolments", "pa_rate", "pa_rate_others", "pa_interval", "sa_interval", "summary"]

__all__ = ["CHARACTERISTIC_NAMES", "GroupsPanel", "flagged_groups"]

#: Plain names for the characteristics, as a column of the table.
CHARACTERISTIC_NAMES = {
    "sex": "Sex",
    "fsm": "Free school meals",
    "sen": "SEN provision",
    "need": "Primary need",
    "ethnicity": "Ethnicity",
    "ethnicity_minor": "Ethnicity (detailed)",
    "cla": "Looked after",
    "cin": "Child in need",
    "cpp": "Child protection plan",
    "year": "Year group",
    "language": "First language",
    "phase": "Phase",
}


@dataclass(frozen=True)
class GroupsPanel:
    table: Table
    #: Groups over-represented among persistent or severe absentees (the table shows the ``top`` of them).
    flagged: int
    #: Groups tested.
    tested: int
    #: The shown groups' risk ratios with their intervals, as a forest plot (None with none shown).
    chart: Chart | None = None


def _interval(rr: float, low: float, high: float) -> str:
    return f"{rr:.2f} ({low:.2f} to {high:.2f})"


def flagged_groups(
    source: FigureSource,
    rows: pd.DataFrame,
    *,
    key: tuple[Hashable, ...],
    suppress: bool,
    threshold: int,
    characteristics: Sequence[str] = DEFAULT_CHARACTERISTICS,
    top: int = 10,
    suppressed: Callable[[str], Suppressed] | None = None,
) -> GroupsPanel:
    """The groups clearly over-represented among persistent (or severe) absentees in ``rows``, largest risk first.

    Args:
        key: what ``rows`` are (the LA's or a school's, for a period): the tests are kept under it.
        suppress: hide small numbers.
        suppressed: when suppressing, the suppressed table of the same rows by a characteristic's column.
    """

    def compute() -> pd.DataFrame:
        return disproportionality(rows, characteristics) if len(rows) else pd.DataFrame()

    found = source.cached(("disproportionality", *key), compute)
    if found.empty:
        return GroupsPanel(_groups_table(found), 0, 0)
    over = found[(found.pa_flag == "over-represented") | (found.sa_flag == "over-represented")]
    shown = _laid_out(over.sort_values(["pa_risk_ratio", "sa_risk_ratio"], ascending=False).head(top).copy())
    if suppress:
        shown = _hide_small(shown, threshold, suppressed)
    from attendwise.reports.charts import groups_forest

    table = _groups_table(shown)
    return GroupsPanel(table, len(over), len(found), groups_forest(shown, table))


def _laid_out(over: pd.DataFrame) -> pd.DataFrame:
    """The flagged groups with their characteristic's plain name and their risk ratios' intervals in words."""
    over["characteristic_name"] = over.characteristic.map(CHARACTERISTIC_NAMES).fillna(over.characteristic)
    over["pa_interval"] = [
        _interval(*v) for v in over[["pa_risk_ratio", "pa_rr_low", "pa_rr_high"]].itertuples(index=False)
    ]
    over["sa_interval"] = [
        _interval(*v) if f == "over-represented" else ""
        for *v, f in over[["sa_risk_ratio", "sa_rr_low", "sa_rr_high", "sa_flag"]].itertuples(index=False)
    ]
    return over


def _hide_small(over: pd.DataFrame, threshold: int, suppressed: Callable[[str], Suppressed] | None) -> pd.DataFrame:
    """Every figure of a row hidden where one of its counts is small, or hidden in its suppressed table."""
    over = over.astype(object)
    counts = over[["enrolments", "pa_enrolments", "sa_enrolments"]]
    hide = np.array(counts.map(lambda n: 0 < int(n) < threshold).any(axis=1), dtype=bool)
    if suppressed is not None:
        pairs = zip(over.characteristic, over.group, strict=True)
        hide |= np.array([_hidden(suppressed, c, g) for c, g in pairs], dtype=bool)
    over.loc[hide, _FIGURES] = SUPPRESSED
    return over


def _groups_table(over: pd.DataFrame) -> Table:
    return table_from_frame(
        over,
        "Groups over-represented among persistently or severely absent pupils",
        [
            Column("group", "Group"),
            Column("characteristic_name", "Characteristic"),
            Column("enrolments", "Pupils", Kind.COUNT),
            Column("pa_rate", "Persistently absent %", Kind.PERCENT),
            Column("pa_rate_others", "Other pupils %", Kind.PERCENT),
            Column("pa_interval", "Times as likely (95% interval)"),
            Column("sa_interval", "Severe absence: times as likely"),
            Column("summary", "What it means"),
        ],
        empty="No group is clearly over-represented: every gap could be chance, or too few pupils "
        "stand behind it (at least 10 pupils and 5 absentees are needed).",
    )


def _hidden(suppressed: Callable[[str], Suppressed], characteristic: str, group: str) -> bool:
    """Whether the group's pupils, persistent or severe absentees are hidden in its suppressed table."""
    column = CHARACTERISTICS[characteristic]
    table = suppressed(column)
    labels = [group_label(characteristic, str(v)) for v in table.values[column]]
    rows = [i for i, label in enumerate(labels) if label == group]
    if len(rows) != 1:
        return True
    flags = table.hidden.iloc[rows[0]]
    return bool(flags[ENROLMENTS] or flags.get("pa_10", False) or flags.get("pa_50", False))
