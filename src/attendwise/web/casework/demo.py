"""The demo city's casework: cases consistent with its marks, seeded once when ``serve --demo`` starts.

Who gets a case and what happens is :mod:`attendwise.casework.demo_history`'s; this module reads each
pupil's attendance by half term this year from the registers (the DfE measures, one query a half term)
and stores the histories. The demo's officer with three schools is the LA officer of their cases, the
all-schools officer of the rest; the demo school user records their school's contacts.

When the store is writable, the interventions' planted effects
(:func:`attendwise.casework.demo_history.planted_effects`) are first imported as a correction of the registers
(one ``marks.csv`` of the sessions they turn into attendance, an import like any other in the store's log),
and the histories are built again from the corrected marks, so the cases and the marks agree.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from attendwise.casework.case import CasePupil
from attendwise.casework.demo_history import HalfTerm, PupilHalves, Session, histories, planted_effects
from attendwise.casework.events import CaseEvent
from attendwise.core.calendar import AcademicYear, PeriodError, parse_period
from attendwise.demo.files import write_marks_rows
from attendwise.ingest import import_folder
from attendwise.measures.absence import enrolment_absence
from attendwise.measures.pupils import PUPIL_POPULATION
from attendwise.web.casework import store as case_store
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseRecord
from attendwise.web.models import SchoolAccess
from attendwise.web.services.data import StoreAccess

__all__ = ["HALF_TERMS", "seed_demo_cases"]

HALF_TERMS = ("autumn-1", "autumn-2", "spring-1", "spring-2", "summer-1", "summer-2")


def _half_terms(access: StoreAccess) -> dict[int, PupilHalves]:
    store = access.store()
    latest = store.latest_mark()
    if latest is None:
        return {}
    year = AcademicYear.containing(latest)
    starts = store.half_term_starts()
    pupils: dict[int, tuple[CasePupil, list[HalfTerm]]] = {}
    for name in HALF_TERMS:
        try:
            period = parse_period(f"{year.label}-{name}", half_term_starts=starts, latest_mark=latest)
        except PeriodError:
            continue
        if period.start > latest:
            break
        rows = store.ibis.execute(
            enrolment_absence(store, period, PUPIL_POPULATION).select(
                "enrolment_id", "upn", "school_urn", "sess_possible", "sess_overall"
            )
        )
        end = min(period.end, latest)
        for r in rows.itertuples(index=False):
            key = int(r.enrolment_id)
            _, halves = pupils.setdefault(key, (CasePupil(key, str(r.upn), int(r.school_urn)), []))
            possible = int(r.sess_possible)
            halves.append(HalfTerm(period.describe(), period.start, end, possible - int(r.sess_overall), possible))
    return {k: PupilHalves(p, tuple(h)) for k, (p, h) in pupils.items()}


def _histories(access: StoreAccess) -> tuple[list[list[CaseEvent]], dict[str, PupilHalves]]:
    """The demo's case histories from the registers as they stand, and each pupil's half terms by UPN."""
    latest = access.store().latest_mark()
    assert latest is not None
    pupils = _half_terms(access)
    # Each pupil once: their latest enrolment this year.
    by_upn: dict[str, PupilHalves] = {}
    for p in sorted(pupils.values(), key=lambda p: p.halves[-1].end):
        by_upn[p.pupil.upn] = p
    north = set(SchoolAccess.objects.filter(user__username="officer-north").values_list("urn", flat=True))
    school_user = set(SchoolAccess.objects.filter(user__username="school").values_list("urn", flat=True))
    made = histories(
        sorted(by_upn.values(), key=lambda p: p.pupil.enrolment_id),
        stage_model(),
        casework_config(),
        last_day=latest,
        officer_for=lambda urn: "officer-north" if urn in north else "officer",
        school_user_for=lambda urn: "school" if urn in school_user else f"attendance-lead-{urn}",
    )
    return made, by_upn


def plant_effects(access: StoreAccess, made: list[list[CaseEvent]], by_upn: dict[str, PupilHalves]) -> int:
    """Import the marks the histories' interventions change (their planted effects); how many sessions changed."""
    store = access.store()
    cases = {str(events[0].payload["upn"]): events for events in made}
    wanted = {by_upn[upn].pupil.enrolment_id: upn for upn in cases if upn in by_upn}
    if not wanted:
        return 0
    marks = store.table("marks")
    frame = store.ibis.execute(
        marks.filter(marks.enrolment_id.isin(list(wanted))).select("enrolment_id", "date", "session", "code")
    )
    sessions: dict[int, list[Session]] = {}
    for r in frame.itertuples(index=False):
        day = dt.date.fromisoformat(str(r.date)[:10])
        sessions.setdefault(int(r.enrolment_id), []).append(Session(day, str(r.session), str(r.code)))
    rows = []
    for enrolment_id, upn in wanted.items():
        pupil = by_upn[upn]
        for s in planted_effects(cases[upn], pupil.halves, sessions.get(enrolment_id, []), seed=enrolment_id):
            rows.append([upn, str(pupil.pupil.urn), s.date.isoformat(), s.session, s.code])
    if not rows:
        return 0
    with tempfile.TemporaryDirectory(prefix="attendwise-demo-effects-") as tmp:
        folder = Path(tmp)
        write_marks_rows(folder / "marks.csv", rows)
        import_folder(store, folder)
    access.forget_version()
    return len(rows)


def seed_demo_cases(access: StoreAccess) -> int:
    """Store the demo city's casework history unless the case store holds cases already; how many cases.

    On a writable store the interventions' effects are planted in the marks first (:func:`plant_effects`),
    and the histories built again from the corrected marks.
    """
    if CaseRecord.objects.exists():
        return 0
    if access.store().latest_mark() is None:
        return 0
    made, by_upn = _histories(access)
    if not access.read_only and plant_effects(access, made, by_upn):
        made, _ = _histories(access)
    names = {
        "officer": "LA attendance officer",
        "officer-north": "LA attendance officer (north)",
        "school": "School attendance lead",
    }
    return case_store.bulk_open(
        made, lambda who: names.get(who, "School attendance lead" if who.startswith("attendance-lead") else who)
    )
