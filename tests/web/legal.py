"""Penalty notice requests in the test city, made as the request page makes them."""

from __future__ import annotations

import datetime as dt

from attendwise.casework.legal import notices as pn
from attendwise.casework.legal.records import to_json
from attendwise.web.casework.store import now
from attendwise.web.legal import store
from attendwise.web.legal.models import NoticeRecord, RequestRecord
from tests.web.cases import SCHOOL
from tests.web.conftest import City

PAT = pn.Parent("named:pat parent", "Pat Parent", "1 High Street, Brindlecombe")
QUINN = pn.Parent("named:quinn parent", "Quinn Parent", "1 High Street, Brindlecombe")


def make_request(city: City, label: str, *, support: str = "", who: str = "school_a") -> RequestRecord:
    """A request for the pupil ``label``'s ten O sessions (from 2 Sep 2024), naming Pat and Quinn."""
    days = [dt.date(2024, 9, 2) + dt.timedelta(days=i) for i in range(5)]
    sessions = [pn.Session(d, s, "O") for d in days for s in ("AM", "PM")]
    made, _ = pn.request_notice(
        ref=f"T-{label}-{RequestRecord.objects.count()}",
        upn=city.pupils[label],
        school_urn=SCHOOL[label[0]],
        sessions=sessions,
        parents=[PAT, QUINN],
        who=who,
        at=now(),
        support_offered=support,
        letter_sent_on=dt.date(2024, 9, 20),
        child_in_need=label == "c_cin",
    )
    return store.create(made, city.enrolments[label])


def earlier_notice(city: City, label: str, parent: pn.Parent, issued_on: dt.date, ref: str) -> NoticeRecord:
    """A notice issued to ``parent`` for the pupil before (relying on no session the tests' requests use)."""
    notice = pn.PenaltyNotice(
        ref,
        parent.contact_id,
        city.pupils[label],
        issued_on,
        1,
        "this LA",
        160,
        issued_on + dt.timedelta(days=30),
        school_urn=SCHOOL[label[0]],
        status=pn.NoticeStatus.PAID_LOWER,
    )
    return NoticeRecord.objects.create(
        contact_id=notice.parent_id,
        upn=notice.upn,
        urn=notice.school_urn,
        issued_on=issued_on,
        status=notice.status.value,
        record=to_json(notice),
    )


def make_notice(city: City, label: str) -> NoticeRecord:
    """A notice issued to Pat Parent on a request for the pupil ``label`` (through the rules)."""
    row = make_request(city, label, support="Mentor")
    loaded = store.load(row.pk)
    assert loaded is not None
    today = dt.date.today()
    request = loaded.request
    if request.child_in_need:
        request, _ = pn.record_social_worker_agreement(
            request, name="Sam Social", agreed_on=today, who="officer", at=now()
        )
    changed, made, _ = pn.issue_notices(
        request,
        store.legal_settings(),
        notices=[],
        issued_on=today,
        issuer="this LA",
        who="officer",
        at=now(),
        refs=[f"PN{row.pk}-1"],
        parents=[PAT.contact_id],
    )
    store.record(loaded, row.version, changed, [changed.decisions[-1]], made)
    return NoticeRecord.objects.get(request=row)
