"""The LA's records of each notice (SI 2007/1867 reg 20) and the DfE's annual return on parental responsibility
measures, as queries over the pathway's records rather than a spreadsheet exercise.

The return counts, for one academic year (1 August to 31 July) and the LA's own notices (notices imported from
other LAs count towards a parent's limit, not towards this LA's return): penalty notices issued by main reason
(unauthorised family holiday, arriving late, other unauthorised circumstances, and any not yet given a reason),
paid within the lower period (21 days), paid within the higher period (28 days), withdrawn, and unpaid and
prosecuted; prosecutions filed; attendance contracts agreed; education supervision orders applied for; parenting
orders made. The column names of the DfE's published file (``prma_v4.csv``) are UNCONFIRMED, so the return's are
attendwise's own, in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from attendwise.casework.legal.court import EsoConsideration, Prosecution
from attendwise.casework.legal.improvement import AttendanceContract
from attendwise.casework.legal.notices import NoticeStatus, PenaltyNotice
from attendwise.core.calendar import AcademicYear

__all__ = ["NOTICE_RECORD_COLUMNS", "RETURN_COLUMNS", "annual_return", "notice_records"]

_REASONS = {
    "unauthorised family holiday": "notices_holiday",
    "arriving late": "notices_late",
    "other unauthorised circumstances": "notices_other",
}

#: The return's columns, one row for the LA and year.
RETURN_COLUMNS = [
    "time_period",
    "la_code",
    "notices_issued",
    "notices_holiday",
    "notices_late",
    "notices_other",
    "notices_reason_not_chosen",
    "paid_within_21_days",
    "paid_within_28_days",
    "withdrawn",
    "unpaid_prosecuted",
    "prosecutions",
    "attendance_contracts",
    "education_supervision_orders",
    "parenting_orders",
]

#: The LA's record of each notice.
NOTICE_RECORD_COLUMNS = [
    "reference",
    "contact_id",
    "upn",
    "school_urn",
    "issuer",
    "issued_on",
    "sequence",
    "three_years_reading",
    "main_reason",
    "sessions",
    "offence_from",
    "offence_to",
    "method",
    "posted_on",
    "received_on",
    "lower_amount",
    "lower_by",
    "higher_amount",
    "higher_by",
    "status",
    "paid_on",
    "paid_amount",
    "withdrawn_on",
    "withdrawal_ground",
    "prosecution_ref",
]


def _in(day: dt.date | None, year: AcademicYear) -> bool:
    return day is not None and year.start <= day <= year.end


def annual_return(
    year: AcademicYear,
    la_code: str,
    *,
    notices: Iterable[PenaltyNotice],
    contracts: Iterable[AttendanceContract] = (),
    esos: Iterable[EsoConsideration] = (),
    prosecutions: Iterable[Prosecution] = (),
) -> pd.DataFrame:
    """The return for ``year``: one row of :data:`RETURN_COLUMNS`. Notices are counted in the year they were
    issued, with what has happened to them since; the rest in the year they were made."""
    ours = [n for n in notices if not n.imported and _in(n.issued_on, year)]
    row: dict[str, object] = {"time_period": year.time_period, "la_code": la_code, "notices_issued": len(ours)}
    for column in _REASONS.values():
        row[column] = 0
    row["notices_reason_not_chosen"] = 0
    for n in ours:
        column = _REASONS.get(n.reason, "notices_reason_not_chosen")
        row[column] = int(row[column]) + 1  # type: ignore[call-overload]
    row["paid_within_21_days"] = sum(n.status == NoticeStatus.PAID_LOWER for n in ours)
    row["paid_within_28_days"] = sum(n.status == NoticeStatus.PAID_HIGHER for n in ours)
    row["withdrawn"] = sum(n.status == NoticeStatus.WITHDRAWN for n in ours)
    row["unpaid_prosecuted"] = sum(n.status == NoticeStatus.PROSECUTION for n in ours)
    cases = list(prosecutions)
    row["prosecutions"] = sum(_in(p.filed_on, year) for p in cases)
    row["attendance_contracts"] = sum(_in(c.meeting_on, year) for c in contracts)
    row["education_supervision_orders"] = sum(e.apply and _in(e.considered_on, year) for e in esos)
    row["parenting_orders"] = sum(_in(o.made_on, year) for p in cases for o in p.parenting_orders)
    return pd.DataFrame([row], columns=RETURN_COLUMNS)


def notice_records(notices: Iterable[PenaltyNotice]) -> pd.DataFrame:
    """One row per notice, in issue order: what the LA must keep (a copy of each notice's particulars, payments
    and their dates, whether withdrawn and on what ground, whether the recipient was prosecuted)."""
    rows = [
        {
            "reference": n.ref,
            "contact_id": n.parent_id,
            "upn": n.upn,
            "school_urn": n.school_urn,
            "issuer": n.issuer,
            "issued_on": n.issued_on,
            "sequence": n.sequence or None,
            "three_years_reading": "" if n.imported else n.reading,
            "main_reason": n.reason,
            "sessions": len(n.sessions),
            "offence_from": min((s.date for s in n.sessions), default=None),
            "offence_to": max((s.date for s in n.sessions), default=None),
            "method": "" if n.imported else n.method,
            "posted_on": n.posted_on,
            "received_on": n.received_on,
            "lower_amount": n.lower_amount,
            "lower_by": n.lower_by,
            "higher_amount": n.higher_amount or None,
            "higher_by": n.higher_by,
            "status": n.status.value,
            "paid_on": n.paid_on,
            "paid_amount": n.paid_amount,
            "withdrawn_on": n.withdrawn_on,
            "withdrawal_ground": n.withdrawal_ground,
            "prosecution_ref": n.prosecution_ref,
        }
        for n in sorted(notices, key=lambda n: (n.issued_on, n.ref))
    ]
    return pd.DataFrame(rows, columns=NOTICE_RECORD_COLUMNS)
