"""Early warning as the pages show it: every pupil on roll scored once, and a school's list of the pupils
heading into persistent absence (:func:`attendwise.analysis.early_warning.at_risk` and
:func:`~attendwise.analysis.early_warning.heading_into_pa`).

The core scores every pupil on roll once per data version (the learned model when the store holds an
earlier year to learn from, the trajectory rules alone when it does not); pages only pick rows out of
that frame, so a school page never recomputes anyone's risk.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from attendwise.analysis.early_warning import EarlyWarningError, at_risk, heading_into_pa
from attendwise.documents.tables import Column, Kind, Table, table_from_frame
from attendwise.store import Store

__all__ = ["LARisk", "SchoolRisk", "risk_percent", "school_at_risk", "score_pupils"]


@dataclass(frozen=True)
class LARisk:
    """Every pupil on roll, scored: the core's :func:`attendwise.analysis.early_warning.at_risk` frame."""

    frame: pd.DataFrame
    learned: bool

    @property
    def as_of(self) -> dt.date | None:
        return self.frame.as_of.iloc[0] if len(self.frame) else None

    @property
    def method(self) -> str:
        if self.learned:
            return (
                "Risk is the chance of ending the year persistently absent, from a model trained on earlier years "
                "in the store and checked against what happened to pupils like this one."
            )
        return (
            "The store holds no earlier year to learn from, so pupils are ranked by where their attendance so far "
            "and its recent trend will take them by the end of the year."
        )


@dataclass(frozen=True)
class SchoolRisk:
    table: Table
    count: int
    as_of: dt.date | None
    method: str


def score_pupils(store: Store) -> LARisk | None:
    """Every pupil on roll at the latest mark, with risks and reasons; None if there are no marks (or no
    year to score)."""
    if store.latest_mark() is None:
        return None
    try:
        frame = at_risk(store, require_model=False)
    except EarlyWarningError:
        return None
    return LARisk(frame, learned=bool(frame.risk_pa.notna().any()))


def risk_percent(value: object) -> float | None:
    """A risk (0 to 1) as a percentage; None where the model gave none."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else 100 * float(value)


def school_at_risk(risk: LARisk, urn: int, *, pupil_link: Callable[[int], str], limit: int = 30) -> SchoolRisk:
    """The school's pupils not yet persistently absent who are heading that way, riskiest first, with reasons.

    Listed: on roll at the latest mark, attendance so far above 90%, and either projected to end the
    year at 90% or below or (where a model could be trained) at least a
    :data:`~attendwise.analysis.early_warning.LIKELY` risk of it.
    """
    heading = heading_into_pa(risk.frame)
    heading = heading[heading.urn == urn]
    shown = heading.head(limit).copy()
    shown["pupil"] = [
        " ".join(p for p in (f, s) if isinstance(p, str) and p) or "Name not recorded"
        for f, s in zip(shown.forename, shown.surname, strict=True)
    ]
    shown["risk_pa_percent"] = [risk_percent(v) for v in shown.risk_pa]
    columns = [
        Column("pupil", "Pupil"),
        Column("nc_year", "Year group"),
        Column("attendance_percent", "Attendance so far %", Kind.PERCENT),
        Column("projected_attendance_percent", "Projected end of year %", Kind.PERCENT),
    ]
    if risk.learned:
        columns.append(Column("risk_pa_percent", "Risk of persistent absence %", Kind.PERCENT))
    columns.append(Column("reasons", "Why"))
    as_of = risk.as_of
    table = table_from_frame(
        shown,
        f"Not yet persistently absent, but heading that way, as at {as_of:%d %B %Y}"
        + (f" ({len(shown)} of {len(heading)})" if len(heading) > len(shown) else ""),
        columns,
        links={"pupil": [pupil_link(int(e)) for e in shown.enrolment_id]},
        empty="No pupil above 90% attendance is heading into persistent absence.",
    )
    return SchoolRisk(table, len(heading), as_of, risk.method)
