"""National attendance and absence codes, and the statistical category of each.

Two code sets are in use in English school registers:

* the **2006 set** (School Attendance (Pupil Registration) (England) Regulations 2006 and the 2013
  DfE guidance), for sessions before 19 August 2024;
* the **2024 set** (SI 2024/208, regulation 10), for sessions on or after 19 August 2024.

In 2020/21 and 2021/22 the DfE read one 2006 code differently: ``X`` meant "not attending in
circumstances related to coronavirus", which its absence statistics counted as a possible session but
not as absence (outside those years ``X`` is a non-compulsory-school-age session, not possible). The
sessions of those two years are read against the **2020 set**: the 2006 set with that ``X``.

A code's meaning depends on the set, so a mark is always read with its session date: old ``J``
(interview) counted as an approved educational activity (attendance), while ``J1`` is authorised
absence; ``H`` and ``F`` are gone after August 2024; old ``Y`` is now ``Y1``-``Y7``; ``Q``, ``K``,
``C1``, ``C2`` and ``J1`` are new.  A code that is not in the set in force on its date is an error.

Each code carries the DfE census column its sessions are reported under (``sess_auth_illness``
and so on), so measures come out in the DfE's published column names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import ibis
import ibis.expr.types as ir
import pandas as pd

from attendwise.core.errors import AttendwiseError
from attendwise.core.identifiers import show

__all__ = [
    "ABSENCE_REASONS",
    "CODE_SETS",
    "COVID_X_YEARS",
    "SWITCH_DATE",
    "Category",
    "Code",
    "CodeError",
    "code_set_for",
    "code_set_of",
    "code_set_sql",
    "lookup",
    "lookup_rows",
    "with_meaning",
]

#: The first session date on which the 2024 code set applies.
SWITCH_DATE = dt.date(2024, 8, 19)
#: The academic years (first and last day) in which ``X`` meant absence related to coronavirus.
COVID_X_YEARS = (dt.date(2020, 8, 1), dt.date(2022, 7, 31))


class Category(StrEnum):
    """The statistical category of an attendance code."""

    PRESENT = "present"
    AEA = "approved educational activity"
    AUTHORISED = "authorised absence"
    UNAUTHORISED = "unauthorised absence"
    NOT_COUNTED = "not counted (unable to attend / not required)"
    ADMINISTRATIVE = "administrative (not on roll / school closed)"
    #: X in 2020/21 and 2021/22: a possible session, neither attendance nor absence.
    COVID = "not attending for coronavirus reasons (possible, not absence)"

    @property
    def counts_as_possible(self) -> bool:
        """Whether a session with this category is one of the pupil's possible sessions."""
        return self in {Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED, Category.COVID}

    @property
    def counts_as_attendance(self) -> bool:
        return self in {Category.PRESENT, Category.AEA}

    @property
    def counts_as_absence(self) -> bool:
        return self in {Category.AUTHORISED, Category.UNAUTHORISED}


@dataclass(frozen=True, slots=True)
class Code:
    """One register code in one code set."""

    code: str
    code_set: str
    meaning: str
    category: Category
    #: The DfE absence column the sessions fall under (``sess_auth_illness`` ...), or ``None``.
    reason: str | None = None

    def describe(self) -> str:
        return f"{self.code} ({self.code_set} codes): {self.meaning} - {self.category.value}"


class CodeError(AttendwiseError, ValueError):
    """A code that is not in the code set in force on its date."""


#: DfE absence reason columns, in the DfE's published order, with plain-English labels.
ABSENCE_REASONS: dict[str, str] = {
    "sess_auth_illness": "Illness (not medical or dental appointments)",
    "sess_auth_appointments": "Medical or dental appointments",
    "sess_auth_religious": "Religious observance",
    "sess_auth_study": "Study leave",
    "sess_auth_traveller": "Traveller absence / parent travelling for work",
    "sess_auth_holiday": "Authorised holiday",
    "sess_auth_ext_holiday": "Extended authorised holiday",
    "sess_auth_excluded": "Suspended or excluded, no alternative provision",
    "sess_auth_interview": "Interview",
    "sess_auth_reg_performance": "Regulated performance or employment abroad",
    "sess_auth_temp_reduced_timetable": "Temporary part-time timetable",
    "sess_auth_other": "Other authorised circumstances",
    "sess_unauth_holiday": "Holiday not agreed",
    "sess_unauth_late": "Late after registers closed",
    "sess_unauth_other": "Other unauthorised absence",
    "sess_unauth_noyet": "No reason yet provided",
}

P, A, AU, UN, NC, AD = (
    Category.PRESENT,
    Category.AEA,
    Category.AUTHORISED,
    Category.UNAUTHORISED,
    Category.NOT_COUNTED,
    Category.ADMINISTRATIVE,
)

# (code, meaning, category, DfE reason column)
_COMMON = [
    ("/", "Present (AM)", P, None),
    ("\\", "Present (PM)", P, None),
    ("L", "Late before registers closed", P, None),
    ("V", "Educational visit or trip", A, None),
    ("P", "Approved sporting activity", A, None),
    ("W", "Work experience", A, None),
    ("B", "Educated off site (other approved educational activity)", A, None),
    ("D", "Dual registered: attending another school", NC, None),
    ("M", "Medical or dental appointment", AU, "sess_auth_appointments"),
    ("S", "Study leave", AU, "sess_auth_study"),
    ("X", "Not required to attend: non-compulsory school age", NC, None),
    ("C", "Authorised leave of absence in exceptional circumstances", AU, "sess_auth_other"),
    ("R", "Religious observance", AU, "sess_auth_religious"),
    ("I", "Illness (not medical or dental appointment)", AU, "sess_auth_illness"),
    ("E", "Suspended or excluded, no alternative provision made", AU, "sess_auth_excluded"),
    ("G", "Holiday not agreed, or days in excess of agreed holiday", UN, "sess_unauth_holiday"),
    ("N", "Reason for absence not yet established", UN, "sess_unauth_noyet"),
    ("O", "Absent in other or unknown circumstances", UN, "sess_unauth_other"),
    ("U", "Arrived after registers closed", UN, "sess_unauth_late"),
    ("Z", "Prospective pupil not on the admission register", AD, None),
    ("#", "Planned whole or partial school closure", AD, None),
]

_ONLY_2006 = [
    ("J", "Interview (approved educational activity before August 2024)", A, None),
    ("T", "Traveller absence", AU, "sess_auth_traveller"),
    ("H", "Agreed family holiday", AU, "sess_auth_holiday"),
    ("F", "Agreed extended family holiday", AU, "sess_auth_ext_holiday"),
    ("Y", "Unable to attend due to exceptional circumstances", NC, None),
]

_ONLY_2024 = [
    ("K", "Attending education arranged by the local authority", A, None),
    ("C1", "Leave: regulated performance or regulated employment abroad", AU, "sess_auth_reg_performance"),
    ("J1", "Leave: interview for employment or a place at another institution", AU, "sess_auth_interview"),
    ("C2", "Leave: temporary part-time timetable", AU, "sess_auth_temp_reduced_timetable"),
    ("T", "Parent travelling for occupational purposes", AU, "sess_auth_traveller"),
    ("Q", "Unable to attend: lack of access arrangements by the local authority", NC, None),
    ("Y1", "Unable to attend: transport normally provided not available", NC, None),
    ("Y2", "Unable to attend: widespread disruption to travel", NC, None),
    ("Y3", "Unable to attend: part of the school premises closed", NC, None),
    ("Y4", "Unable to attend: whole school site unexpectedly closed", NC, None),
    ("Y5", "Unable to attend: in criminal justice detention", NC, None),
    ("Y6", "Unable to attend: public health guidance or law", NC, None),
    ("Y7", "Unable to attend: any other unavoidable cause", NC, None),
]


def _build(code_set: str, rows: list[tuple[str, str, Category, str | None]]) -> dict[str, Code]:
    return {code: Code(code, code_set, meaning, cat, reason) for code, meaning, cat, reason in rows}


_COVID_X = ("X", "Not attending in circumstances related to coronavirus (2020/21 and 2021/22)", Category.COVID, None)

#: Every code set, by name: ``{"2006": {"I": Code(...), ...}, "2020": {...}, "2024": {...}}``.
CODE_SETS: dict[str, dict[str, Code]] = {
    "2006": _build("2006", _COMMON + _ONLY_2006),
    "2020": _build("2020", [c if c[0] != "X" else _COVID_X for c in _COMMON + _ONLY_2006]),
    "2024": _build("2024", _COMMON + _ONLY_2024),
}


def code_set_for(session_date: dt.date) -> str:
    """The name of the code set in force on a session date.

    >>> code_set_for(dt.date(2020, 7, 31)), code_set_for(dt.date(2021, 1, 4)), code_set_for(dt.date(2024, 8, 19))
    ('2006', '2020', '2024')
    """
    if session_date >= SWITCH_DATE:
        return "2024"
    return "2020" if COVID_X_YEARS[0] <= session_date <= COVID_X_YEARS[1] else "2006"


def code_set_sql(date: str) -> str:
    """SQL naming the code set in force on the date in column ``date`` (as :func:`code_set_for`)."""
    start, end = COVID_X_YEARS
    return (
        f"CASE WHEN {date} >= DATE '{SWITCH_DATE}' THEN '2024' "
        f"WHEN {date} BETWEEN DATE '{start}' AND DATE '{end}' THEN '2020' ELSE '2006' END"
    )


def code_set_of(date: ir.DateValue) -> ir.StringValue:
    """An Ibis expression naming the code set in force on ``date`` (as :func:`code_set_for`)."""
    return ibis.cases((date >= SWITCH_DATE, "2024"), (date.between(*COVID_X_YEARS), "2020"), else_="2006")


def with_meaning(marks: ir.Table) -> ir.Table:
    """``marks`` (with ``date`` and ``code``) joined to what each code means on its date: the columns
    of :func:`lookup_rows` (``is_possible``, ``is_authorised``, ``reason`` and so on).

    The code sets are an in-memory table, so an expression holding this is never kept compiled
    (see :meth:`attendwise.store.Store.run`).
    """
    codes = ibis.memtable(pd.DataFrame(lookup_rows()))
    marks = marks.mutate(code_set=code_set_of(marks.date))
    return marks.join(codes, [marks.code_set == codes.code_set, marks.code == codes.code])


def lookup(code: str, session_date: dt.date) -> Code:
    """The meaning of ``code`` on ``session_date``; raises :class:`CodeError` if it is not valid then.

    >>> lookup("J", dt.date(2023, 11, 1)).category.counts_as_attendance
    True
    >>> lookup("J1", dt.date(2024, 11, 1)).category.value
    'authorised absence'
    """
    code_set = code_set_for(session_date)
    try:
        return CODE_SETS[code_set][code]
    except KeyError:
        raise CodeError(unknown_code_message(code, code_set)) from None


def unknown_code_message(code: str, code_set: str) -> str:
    """Why ``code`` is not valid in ``code_set``, in words a data officer can act on."""
    other = "2006" if code_set == "2024" else "2024"
    if code in CODE_SETS[other]:
        when = "before 19 August 2024" if other == "2006" else "from 19 August 2024"
        return f"{code!r} is a {other} attendance code, only valid {when}"
    return f"{show(code)} is not a national attendance code"


def lookup_rows() -> list[dict[str, object]]:
    """The code sets as rows, one per code set and code, for joining marks to their meaning."""
    return [
        {
            "code_set": c.code_set,
            "code": c.code,
            "meaning": c.meaning,
            "category": c.category.name.lower(),
            "reason": c.reason,
            "is_possible": int(c.category.counts_as_possible),
            "is_attendance": int(c.category.counts_as_attendance),
            "is_present": int(c.category is Category.PRESENT),
            "is_aea": int(c.category is Category.AEA),
            "is_authorised": int(c.category is Category.AUTHORISED),
            "is_unauthorised": int(c.category is Category.UNAUTHORISED),
        }
        for codes in CODE_SETS.values()
        for c in codes.values()
    ]
