"""The demo city's register entries, seeded once when ``serve --demo`` starts (after its casework).

What is recorded is :func:`attendwise.registers.demo_entries.plan`'s; this module reads the leavers, the runs of
E marks and the days marked C2 from the register store, and stores the plan through the same path a school's
notification takes (:func:`attendwise.web.registers.notifications.store_removal`), so each removal opens what
a real one would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
from django.db import transaction

from attendwise.core.calendar import AcademicYear, Period
from attendwise.measures.absence import enrolment_absence
from attendwise.measures.pupils import PUPIL_POPULATION, find_enrolments
from attendwise.registers.demo_entries import Leaver, Run, plan
from attendwise.web.registers import models as m
from attendwise.web.registers.config import registers_config
from attendwise.web.registers.notifications import Checked, store_removal
from attendwise.web.services.data import StoreAccess

__all__ = ["seed_demo_registers"]


def _leavers(access: StoreAccess) -> list[Leaver]:
    store = access.store()
    e = store.table("enrolments")
    s = store.table("schools")
    frame = store.ibis.execute(
        e.join(s, "urn").select("enrolment_id", "upn", "urn", "phase", "admission_date", "leaving_date")
    )
    frame = frame.sort_values(["upn", "admission_date"])
    out = []
    for upn, rows in frame.groupby("upn", sort=False):
        rows = list(rows.itertuples(index=False))
        for i, r in enumerate(rows):
            if pd.isna(r.leaving_date):
                continue
            later = rows[i + 1].urn if i + 1 < len(rows) else None
            out.append(
                Leaver(
                    int(r.enrolment_id),
                    str(upn),
                    int(r.urn),
                    str(r.phase),
                    pd.Timestamp(r.leaving_date).date(),
                    int(later) if later is not None else None,
                )
            )
    return out


def _runs(access: StoreAccess, code: str, *, split: bool) -> list[Run]:
    store = access.store()
    marks, e = store.table("marks"), store.table("enrolments")
    coded = marks.filter(marks.code == code).join(e, "enrolment_id")
    sessions: dict[tuple[int, str, int], set[tuple[dt.date, str]]] = defaultdict(set)
    for r in store.ibis.execute(coded.select("enrolment_id", "upn", "urn", "date", "session")).itertuples(index=False):
        sessions[(int(r.enrolment_id), str(r.upn), int(r.urn))].add((pd.Timestamp(r.date).date(), str(r.session)))
    out = []
    for (eid, upn, urn), found in sorted(sessions.items()):
        run: list[tuple[dt.date, str]] = []
        for day, session in sorted(found):
            gap = (day - run[-1][0]).days if run else 0
            if split and gap > 1 and not (gap == 3 and day.weekday() == 0):  # a weekday between (not a weekend)
                out.append(Run(eid, upn, urn, tuple(sorted({d for d, _ in run})), tuple(run)))
                run = []
            run.append((day, session))
        out.append(Run(eid, upn, urn, tuple(sorted({d for d, _ in run})), tuple(run)))
    return out


def _severe(access: StoreAccess, latest: dt.date) -> list[tuple[int, str, int]]:
    """Pupils severely absent (50% or more of possible sessions) this year so far, by enrolment."""
    store = access.store()
    year = AcademicYear.containing(latest)
    rows = store.ibis.execute(
        enrolment_absence(store, Period("demo", year.start, latest), PUPIL_POPULATION).select(
            "enrolment_id", "upn", "school_urn", "sess_possible", "sess_overall"
        )
    )
    severe = rows[(rows.sess_possible > 0) & (rows.sess_overall * 2 >= rows.sess_possible)]
    return [
        (int(r.enrolment_id), str(r.upn), int(r.school_urn)) for r in severe.sort_values("enrolment_id").itertuples()
    ]


def seed_demo_registers(access: StoreAccess) -> int:
    """Store the demo city's register entries unless some are held already; how many entries were stored."""
    if m.RemovalNotification.objects.exists() or m.ExclusionRecord.objects.exists():
        return 0
    store = access.store()
    latest = store.latest_mark()
    if latest is None:
        return 0
    made = plan(
        _leavers(access),
        _runs(access, "E", split=True),
        _runs(access, "C2", split=False),
        last_day=latest,
        severe=_severe(access, latest),
    )
    config = registers_config()
    enrolments = find_enrolments(store, [int(r["enrolment_id"]) for r in made.removals])  # type: ignore[call-overload]
    names = store.pupil_names([e.upn for e in enrolments.values()])
    checked = [
        Checked(
            enrolments[int(r["enrolment_id"])],
            {"destination_urn": None, "destination_la": "", **r},  # type: ignore[call-overload]
            " ".join(n for n in names.get(str(r["upn"]), ()) if n),
        )
        for r in made.removals
    ]
    with transaction.atomic():
        store_removal(checked, user=None, username="demo", config=config, sources=["demo"] * len(checked))
        for r in made.removals:
            if r.get("cme_closed_on"):
                m.CmeReferral.objects.filter(enrolment_id=r["enrolment_id"]).update(
                    outcome=r["cme_outcome"], closed_on=r["cme_closed_on"]
                )
        m.CmeReferral.objects.bulk_create(m.CmeReferral(recorded_by="demo", **r) for r in made.referrals)
        every = find_enrolments(store, [int(r["enrolment_id"]) for r in made.suspensions + made.timetables])  # type: ignore[call-overload]
        pupil_names = store.pupil_names([e.upn for e in every.values()])

        def who(r: dict[str, object]) -> dict[str, object]:
            e = every[int(r["enrolment_id"])]  # type: ignore[call-overload]
            return {"child_name": " ".join(n for n in pupil_names.get(e.upn, ()) if n), "recorded_by": "demo"}

        m.ExclusionRecord.objects.bulk_create(
            m.ExclusionRecord(**r, **who(r), looked_after=every[int(r["enrolment_id"])].cla)  # type: ignore[call-overload]
            for r in made.suspensions
        )
        m.PartTimeTimetable.objects.bulk_create(m.PartTimeTimetable(**r, **who(r)) for r in made.timetables)
        named = find_enrolments(store, [int(r["enrolment_id"]) for r in made.panels])  # type: ignore[call-overload]
        panel_names = store.pupil_names([e.upn for e in named.values()])
        m.PanelReferral.objects.bulk_create(
            m.PanelReferral(
                **r, recorded_by="demo", child_name=" ".join(n for n in panel_names.get(str(r["upn"]), ()) if n)
            )
            for r in made.panels
        )
    return len(made.removals) + len(made.referrals) + len(made.suspensions) + len(made.timetables) + len(made.panels)
