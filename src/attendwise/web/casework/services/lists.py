"""Lists of cases: an officer's caseload, a school's cases, the Virtual School's, riskiest and most overdue first.

Each case is replayed from its events (one query for the whole list) so its flags are the core's
(:func:`attendwise.casework.flags.case_flags`); the pupil's attendance and risk come from early warning's
scores of every pupil on roll (:func:`attendwise.web.services.early_warning.la_risk`, computed once per
data version). Nothing here computes a measure.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from attendwise.casework.case import Case, replay
from attendwise.casework.flags import Flag, SchoolWeeks, case_flags
from attendwise.measures.pupils import Enrolment, find_enrolments
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseEventRecord, CaseRecord
from attendwise.web.rules import Scope
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.early_warning import la_risk

__all__ = ["CaseRow", "case_rows", "open_case_for", "replayed", "school_weeks", "visible"]


@dataclass(frozen=True)
class CaseRow:
    """One case as a list shows it."""

    record: CaseRecord
    case: Case
    enrolment: Enrolment
    pupil: str
    href: str
    stage_label: str
    stage_colour: str
    flags: tuple[Flag, ...]
    attendance_percent: float | None
    projected_percent: float | None
    risk_percent: float | None
    officer: str

    @property
    def overdue(self) -> bool:
        return any(f.overdue for f in self.flags)


def school_weeks(access: StoreAccess, urn: int) -> SchoolWeeks:
    """The school's school weeks from the register (every day it has marks), once per data version."""
    settings = casework_config().settings
    return access.cached(
        ("school-weeks", urn, settings.week_starts_on),
        lambda: SchoolWeeks(access.store().school_days(urn, dt.date.min, dt.date.max), settings),
    )


#: Cases replayed from their events, by (case, version): a version's case never changes.
_REPLAYED: OrderedDict[tuple[int, int], Case] = OrderedDict()
_REPLAYED_LOCK = threading.Lock()
_REPLAYED_SIZE = 20_000


def replayed(records: list[CaseRecord]) -> dict[int, Case]:
    """Each case as its events leave it (one query for the events of the cases not replayed before)."""
    out: dict[int, Case] = {}
    with _REPLAYED_LOCK:
        for r in records:
            case = _REPLAYED.get((r.pk, r.version))
            if case is not None:
                out[r.pk] = case
    missing = [r for r in records if r.pk not in out]
    if missing:
        events: dict[int, list] = defaultdict(list)
        wanted = {r.pk: r.version for r in missing}
        for e in CaseEventRecord.objects.filter(case_id__in=list(wanted)).order_by("case_id", "seq"):
            if e.seq <= wanted[e.case_id]:  # never past the version the row was read at
                events[e.case_id].append(e.event())
        with _REPLAYED_LOCK:
            for r in missing:
                case = replay(events[r.pk])
                out[r.pk] = _REPLAYED[(r.pk, r.version)] = case
            while len(_REPLAYED) > _REPLAYED_SIZE:
                _REPLAYED.popitem(last=False)
    return out


def visible(records: Iterable[CaseRecord], access: StoreAccess, scope: Scope) -> list[tuple[CaseRecord, Enrolment]]:
    """The cases whose enrolment the user may see, with the enrolment (one query to the store)."""
    records = list(records)
    found = find_enrolments(access.store(), [r.enrolment_id for r in records])
    out = []
    for r in records:
        e = found.get(r.enrolment_id)
        if e is not None and scope.allows_enrolment(e):
            out.append((r, e))
    return out


def _risk(access: StoreAccess) -> dict[int, tuple[float, float, float | None]]:
    scored = la_risk(access)
    if scored is None:
        return {}

    def compute() -> dict[int, tuple[float, float, float | None]]:
        f = scored.frame
        return {
            int(e): (
                float(a),
                float(p),
                None if r is None or (isinstance(r, float) and math.isnan(r)) else 100 * float(r),
            )
            for e, a, p, r in zip(
                f.enrolment_id, f.attendance_percent, f.projected_attendance_percent, f.risk_pa, strict=True
            )
        }

    return access.cached(("casework-risk",), compute)


def case_rows(
    access: StoreAccess,
    scope: Scope,
    records: QuerySet[CaseRecord],
    *,
    today: dt.date,
    names: dict[str, str],
    with_risk: bool = True,
) -> list[CaseRow]:
    """The cases of ``records`` the user may see, overdue first, then by risk (highest first), then review date.

    ``names`` maps user names to people's names (the LA officer column). Without ``with_risk`` no pupil is
    scored (early warning scores the whole LA the first time it is asked), so the order is overdue, then review.
    """
    shown = visible(records, access, scope)
    cases = replayed([r for r, _ in shown])
    model, config = stage_model(), casework_config()
    risk = _risk(access) if with_risk else {}
    people = access.store().pupil_names(r.upn for r, _ in shown)
    rows = []
    for record, enrolment in shown:
        case = cases[record.pk]
        try:
            stage = model.stage(case.stage)
            label, colour = stage.label, stage.colour
        except Exception:  # a stage of a model the LA no longer uses
            label, colour = case.stage, "grey"
        flags = case_flags(case, config, as_at=today, school_days=school_weeks(access, record.urn))
        attendance, projected, risk_pa = risk.get(record.enrolment_id, (None, None, None))
        forename, surname = people.get(record.upn, (None, None))
        rows.append(
            CaseRow(
                record=record,
                case=case,
                enrolment=enrolment,
                pupil=" ".join(p for p in (forename, surname) if p) or "Name not recorded",
                href=reverse("case", args=[record.pk]),
                stage_label=label,
                stage_colour=colour,
                flags=tuple(flags),
                attendance_percent=attendance,
                projected_percent=projected,
                risk_percent=risk_pa,
                officer=names.get(case.la_officer, case.la_officer),
            )
        )

    def order(row: CaseRow) -> tuple[object, ...]:
        # Risk: the learned chance of persistent absence, else how far below 100% the year is heading.
        risk_value = (
            row.risk_percent
            if row.risk_percent is not None
            else (100 - row.projected_percent if row.projected_percent is not None else -1)
        )
        return (not row.overdue, -risk_value, row.case.review_date or dt.date.max, row.record.pk)

    return sorted(rows, key=order)


def open_case_for(upn: str) -> CaseRecord | None:
    """The pupil's open case, if they have one."""
    return CaseRecord.objects.filter(upn=upn, closed_on__isnull=True).first()
