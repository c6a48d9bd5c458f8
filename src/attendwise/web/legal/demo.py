"""The demo city's legal pathway: requests and notices consistent with its marks, seeded once by ``serve --demo``.

What happens is :mod:`attendwise.casework.legal.demo_history`'s; this module finds each pupil's first Friday
meeting the threshold this year (one query for every Friday), their parents and social care flags, and stores
the histories with every decision.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from attendwise.casework.legal import notices as pn
from attendwise.casework.legal.demo_history import DemoPupil, legal_histories
from attendwise.casework.legal.records import to_json
from attendwise.core.calendar import AcademicYear
from attendwise.measures.penalty_threshold import penalty_thresholds
from attendwise.measures.pupils import find_enrolments
from attendwise.web.legal.models import DecisionRecord, NoticeRecord, RequestRecord
from attendwise.web.legal.store import legal_settings
from attendwise.web.models import SchoolAccess
from attendwise.web.services.data import StoreAccess

__all__ = ["seed_demo_legal"]


def _pupils(access: StoreAccess, latest: dt.date) -> list[DemoPupil]:
    store = access.store()
    year = AcademicYear.containing(latest)
    fridays = [
        d
        for d in (year.start + dt.timedelta(days=i) for i in range((latest - year.start).days + 1))
        if d.weekday() == 4
    ]
    if not fridays:
        return []
    met, evidence = penalty_thresholds(store, fridays)
    if met.empty:
        return []
    first = met.sort_values("as_at").drop_duplicates("enrolment_id")
    keys = set(zip(first.as_at, first.enrolment_id, strict=True))
    sessions: dict[int, list[pn.Session]] = {}
    for r in evidence.itertuples(index=False):
        if (r.as_at, r.enrolment_id) in keys:
            sessions.setdefault(int(r.enrolment_id), []).append(pn.Session(r.date, r.session, r.code))
    upns = list(first.upn)
    contacts = store.pupil_contacts(upns)
    enrolments = find_enrolments(store, [int(e) for e in first.enrolment_id])
    out = []
    for r in first.itertuples(index=False):
        e = enrolments.get(int(r.enrolment_id))
        parents = tuple(
            pn.Parent(
                c.contact.contact_id, c.contact.name, ", ".join(c.contact.address_lines), c.parental_responsibility
            )
            for c in contacts.get(r.upn, [])
        )
        out.append(
            DemoPupil(
                int(r.enrolment_id),
                str(r.upn),
                int(r.school_urn),
                r.as_at,
                tuple(sessions[int(r.enrolment_id)]),
                parents,
                bool(e and e.cin),
                bool(e and e.cpp),
            )
        )
    return out


def seed_demo_legal(access: StoreAccess) -> int:
    """Store the demo city's legal pathway history unless there are requests already; how many requests."""
    if RequestRecord.objects.exists():
        return 0
    latest = access.store().latest_mark()
    if latest is None:
        return 0
    zone = timezone.get_current_timezone()
    north = set(SchoolAccess.objects.filter(user__username="officer-north").values_list("urn", flat=True))
    school_user = set(SchoolAccess.objects.filter(user__username="school").values_list("urn", flat=True))
    made = legal_histories(
        _pupils(access, latest),
        legal_settings(),
        last_day=latest,
        at=lambda day: dt.datetime.combine(day, dt.time(10), tzinfo=zone),
        officer_for=lambda urn: "officer-north" if urn in north else "officer",
        school_user_for=lambda urn: "school" if urn in school_user else f"attendance-lead-{urn}",
    )
    with transaction.atomic():
        for h in made:
            row = RequestRecord.objects.create(
                enrolment_id=h.enrolment_id,
                upn=h.request.upn,
                urn=h.request.school_urn,
                status=h.request.status,
                requested_at=h.request.requested_at,
                requested_by=h.request.requested_by,
                record=to_json(h.request),
            )
            decisions = [
                DecisionRecord(
                    request=row,
                    who=d.who,
                    at=d.at,
                    action=d.action[:200],
                    allowed=d.allowed,
                    rule=d.rule,
                    reason=d.reason,
                    record=d.to_record(),
                )
                for d in h.request.decisions
            ]
            for n in h.notices:
                notice = NoticeRecord.objects.create(
                    request=row,
                    contact_id=n.parent_id,
                    upn=n.upn,
                    urn=n.school_urn,
                    issued_on=n.issued_on,
                    status=n.status.value,
                    record=to_json(n),
                )
                decisions += [
                    DecisionRecord(
                        notice=notice,
                        who=d.who,
                        at=d.at,
                        action=d.action[:200],
                        allowed=d.allowed,
                        rule=d.rule,
                        reason=d.reason,
                        record=d.to_record(),
                    )
                    for d in n.decisions
                ]
            DecisionRecord.objects.bulk_create(decisions)
    return len(made)
