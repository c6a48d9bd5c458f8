"""Early warning on the web: every pupil on roll scored once per data version, and a pupil's risk.

The scoring and the school's list are :mod:`attendwise.reports.early_warning`'s; this module keeps the
score in the figure cache, so a page only picks rows out of it and never recomputes anyone's risk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendwise.reports.early_warning import LARisk, risk_percent, score_pupils
from attendwise.web.services.data import StoreAccess

__all__ = ["PupilRisk", "la_risk", "pupil_risk"]


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
    return access.cached(("early-warning",), lambda: score_pupils(access.store()))


def pupil_risk(access: StoreAccess, enrolment_id: int) -> PupilRisk | None:
    """The pupil's risk and reasons if they are on roll at the latest mark."""
    risk = la_risk(access)
    if risk is None:
        return None
    row = risk.frame[risk.frame.enrolment_id == enrolment_id]
    if row.empty:
        return None
    r = row.iloc[0]
    return PupilRisk(
        as_of=r.as_of,
        school_week=int(r.school_week),
        attendance_percent=float(r.attendance_percent),
        projected_attendance_percent=float(r.projected_attendance_percent),
        risk_pa=risk_percent(r.risk_pa),
        risk_sa=risk_percent(r.risk_sa),
        rule=str(r.rule),
        reasons=tuple(s for s in str(r.reasons).split("; ") if s),
        method=risk.method,
    )
