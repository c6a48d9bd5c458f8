"""Disproportionality on the web: which groups are over-represented among persistent and severe absentees.

The core (:func:`attendwise.analysis.disproportionality.disproportionality`) tests every group on the period's
enrolment rows the pages already hold; this module only chooses the flagged groups and lays them out.
Groups are flagged only with at least 10 pupils and 5 absentees behind them, and for a scrutiny member
any count under the suppression threshold is still shown as ``x``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import pandas as pd

from attendwise.analysis.disproportionality import DEFAULT_CHARACTERISTICS, disproportionality
from attendwise.documents.suppression import SUPPRESSED
from attendwise.documents.tables import Column, Table, table_from_frame
from attendwise.web.services.data import StoreAccess

__all__ = ["GroupsPanel", "flagged_groups"]

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


def _interval(rr: float, low: float, high: float) -> str:
    return f"{rr:.2f} ({low:.2f} to {high:.2f})"


def flagged_groups(
    access: StoreAccess,
    rows: pd.DataFrame,
    *,
    key: tuple[Hashable, ...],
    suppress: bool,
    threshold: int,
    characteristics: Sequence[str] = DEFAULT_CHARACTERISTICS,
    top: int = 10,
) -> GroupsPanel:
    """The groups clearly over-represented among persistent (or severe) absentees in ``rows``, largest risk first."""

    def compute() -> pd.DataFrame:
        return disproportionality(rows, characteristics) if len(rows) else pd.DataFrame()

    found = access.cached(("disproportionality", *key), compute)
    flagged = 0
    if found.empty:
        over = found
    else:
        over = found[(found.pa_flag == "over-represented") | (found.sa_flag == "over-represented")]
        flagged = len(over)
        over = over.sort_values(["pa_risk_ratio", "sa_risk_ratio"], ascending=False).head(top).copy()
        over["characteristic_name"] = over.characteristic.map(CHARACTERISTIC_NAMES).fillna(over.characteristic)
        over["pa_interval"] = [
            _interval(*v) for v in over[["pa_risk_ratio", "pa_rr_low", "pa_rr_high"]].itertuples(index=False)
        ]
        over["sa_interval"] = [
            _interval(*v) if f == "over-represented" else ""
            for *v, f in over[["sa_risk_ratio", "sa_rr_low", "sa_rr_high", "sa_flag"]].itertuples(index=False)
        ]
        if suppress:
            over = over.astype(object)
            for count, rate in (("enrolments", None), ("pa_enrolments", "pa_rate"), ("sa_enrolments", "sa_rate")):
                small = over[count].map(lambda n: 0 < int(n) < threshold)
                over.loc[small, count] = SUPPRESSED
                if rate:
                    over.loc[small, rate] = SUPPRESSED
    table = table_from_frame(
        over,
        "Groups over-represented among persistently or severely absent pupils",
        [
            Column("group", "Group"),
            Column("characteristic_name", "Characteristic"),
            Column("enrolments", "Pupils", "count"),
            Column("pa_rate", "Persistently absent %", "percent"),
            Column("pa_rate_others", "Other pupils %", "percent"),
            Column("pa_interval", "Times as likely (95% interval)"),
            Column("sa_interval", "Severe absence: times as likely"),
            Column("summary", "What it means"),
        ],
        empty_message="No group is clearly over-represented: every gap could be chance, or too few pupils "
        "stand behind it (at least 10 pupils and 5 absentees are needed).",
    )
    return GroupsPanel(table, flagged, len(found))
