"""Early warning on the web: the school's at-risk list and a pupil's risk, from
:mod:`attendwise.analysis.early_warning`.

The core scores every pupil on roll once per data version (the learned model when the store holds an
earlier year to learn from, the trajectory rules alone when it does not); pages only pick rows out
of that frame, so a school page never recomputes anyone's risk.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from attendwise.analysis.early_warning import EarlyWarningError, at_risk
from attendwise.documents.tables import Column, Kind, Table, table_from_frame
from attendwise.web.services.data import StoreAccess

__all__ = ["LARisk", "PupilRisk", "SchoolRisk", "heading_into_pa", "la_risk", "pupil_risk", "school_at_risk"]

#: Attendance above this is "not yet persistently absent": the early-warning list proper.
NOT_YET_PA = 90.0
#: A pupil not yet persistently absent is listed when their trajectory ends the year at 90% or below, or
#: the learned model gives them at least this chance of it (at 50% the backtest found 77% did end PA).
LIKELY = 0.5


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


@dataclass(frozen=True)
class PupilRisk:
    """One pupil's place on the early-warning list."""

    as_of: dt.date
    school_week: int
    attendance_percent: float
    projected_attendance_percent: float
    risk_pa: float | None
    risk_sa: float | None
    rule: str
    reasons: tuple[str, ...]
    method: str


def la_risk(access: StoreAccess) -> LARisk | None:
    """Every pupil on roll at the latest mark, with risks and reasons (once per data version); None if no marks."""

    def compute() -> LARisk | None:
        store = access.store()
        if store.latest_mark() is None:
            return None
        try:
            frame = at_risk(store, require_model=False)
        except EarlyWarningError:
            return None
        return LARisk(frame, learned=bool(frame.risk_pa.notna().any()))

    return access.cached(("early-warning",), compute)


def heading_into_pa(frame: pd.DataFrame) -> pd.DataFrame:
    """The early-warning list: not yet persistently absent, and projected to be (or likely, by the model)."""
    not_yet = frame[frame.attendance_percent > NOT_YET_PA]
    return not_yet[(not_yet.projected_attendance_percent <= NOT_YET_PA) | (not_yet.risk_pa >= LIKELY)]


def _risk_percent(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else 100 * float(value)


def school_at_risk(
    access: StoreAccess, urn: int, *, pupil_link: Callable[[int], str], limit: int = 30
) -> SchoolRisk | None:
    """The school's pupils not yet persistently absent who are heading that way, riskiest first, with reasons.

    Listed: on roll at the latest mark, attendance so far above 90%, and either projected to end the
    year at 90% or below or (where a model could be trained) at least a :data:`LIKELY` risk of it.
    """
    scored = la_risk(access)
    if scored is None:
        return None
    heading = heading_into_pa(scored.frame)
    heading = heading[heading.urn == urn]
    shown = heading.head(limit).copy()
    shown["pupil"] = [
        " ".join(p for p in (f, s) if isinstance(p, str) and p) or "Name not recorded"
        for f, s in zip(shown.forename, shown.surname, strict=True)
    ]
    shown["risk_pa_percent"] = [_risk_percent(v) for v in shown.risk_pa]
    columns = [
        Column("pupil", "Pupil"),
        Column("nc_year", "Year group"),
        Column("attendance_percent", "Attendance so far %", Kind.PERCENT),
        Column("projected_attendance_percent", "Projected end of year %", Kind.PERCENT),
    ]
    if scored.learned:
        columns.append(Column("risk_pa_percent", "Risk of persistent absence %", Kind.PERCENT))
    columns.append(Column("reasons", "Why"))
    as_of = scored.as_of
    table = table_from_frame(
        shown,
        f"Not yet persistently absent, but heading that way, as at {as_of:%d %B %Y}"
        + (f" ({len(shown)} of {len(heading)})" if len(heading) > len(shown) else ""),
        columns,
        links={"pupil": [pupil_link(int(e)) for e in shown.enrolment_id]},
        empty="No pupil above 90% attendance is heading into persistent absence.",
    )
    return SchoolRisk(table, len(heading), as_of, scored.method)


def pupil_risk(access: StoreAccess, enrolment_id: int) -> PupilRisk | None:
    """The pupil's risk and reasons if they are on roll at the latest mark."""
    scored = la_risk(access)
    if scored is None:
        return None
    row = scored.frame[scored.frame.enrolment_id == enrolment_id]
    if row.empty:
        return None
    r = row.iloc[0]
    return PupilRisk(
        as_of=r.as_of,
        school_week=int(r.school_week),
        attendance_percent=float(r.attendance_percent),
        projected_attendance_percent=float(r.projected_attendance_percent),
        risk_pa=_risk_percent(r.risk_pa),
        risk_sa=_risk_percent(r.risk_sa),
        rule=str(r.rule),
        reasons=tuple(s for s in str(r.reasons).split("; ") if s),
        method=scored.method,
    )
