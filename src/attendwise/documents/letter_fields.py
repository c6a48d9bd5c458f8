"""The merge fields a letter template may use: a fixed catalogue, declared once, and the values for one
pupil and one parent.

A template names fields as ``{{ pupil.first_name }}``; :data:`MERGE_FIELDS` is every field attendwise
fills, with what it holds and an example, and ``docs/letters.md`` lists them (a test keeps the two in step).
Every value is text, ready to print: dates as "14 February 2025", rates as "91.2%", counts as "23". A
field with nothing to say (no phone recorded, no meeting arranged) is empty, so ``{% if parent.email %}``
works in a template.

Attendance is this academic year so far (:func:`attendwise.measures.attendance.year_so_far`), summed over
the pupil's schools, from the same rows as the LA's measures; learning time follows Coventry's table
(:mod:`attendwise.measures.attendance`: 95% attendance = 10 days = 50 hours a year over 200 days of 5 hours).

:func:`letter_contexts` gives one context per parent: each contact with parental responsibility or with
whom the child lives (a "parent" in the Education Act 1996, s576), in their priority order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from attendwise.core.calendar import Period
from attendwise.core.errors import AttendwiseError
from attendwise.measures.attendance import (
    COVENTRY_LEARNING_HOURS,
    LearningHours,
    PupilAttendance,
    last_absence,
    pupil_attendance,
    year_so_far,
)

if TYPE_CHECKING:
    from attendwise.store import Store
    from attendwise.store.questions import PupilContact

__all__ = [
    "FIELD_NAMES",
    "MERGE_FIELDS",
    "LetterContext",
    "LetterError",
    "Meeting",
    "MergeField",
    "Sender",
    "letter_contexts",
    "merge_values",
]


@dataclass(frozen=True)
class MergeField:
    """One field a template may name: ``{{ name }}``."""

    name: str
    description: str
    example: str

    @property
    def group(self) -> str:
        return self.name.split(".")[0]


#: Every field a letter template may use, by group. A template naming any other is refused.
MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField("date", "The letter's date", "3 March 2025"),
    # The child
    MergeField("pupil.first_name", "The child's forename", "Aisha"),
    MergeField("pupil.surname", "The child's surname", "Begum"),
    MergeField("pupil.full_name", "The child's forename and surname", "Aisha Begum"),
    MergeField("pupil.date_of_birth", "The child's date of birth", "4 May 2015"),
    MergeField("pupil.year_group", "The child's year group", "Year 4"),
    MergeField("pupil.their", "The child's possessive, from their recorded sex: her, his, or their", "her"),
    # The parent or carer the letter is to
    MergeField("parent.title", "The parent's title, if recorded", "Ms"),
    MergeField("parent.first_name", "The parent's forename", "Amina"),
    MergeField("parent.surname", "The parent's surname", "Begum"),
    MergeField("parent.full_name", "The parent's forename and surname", "Amina Begum"),
    MergeField(
        "parent.salutation",
        "How to greet them after 'Dear': title and surname, else their full name",
        "Ms Begum",
    ),
    MergeField("parent.relationship", "What they are to the child", "mother"),
    MergeField("parent.address", "The postal address, a line each (prints as lines)", "12 Mill Lane\nBC1 2AB"),
    MergeField("parent.address_one_line", "The postal address on one line", "12 Mill Lane, Brindlecombe, BC1 2AB"),
    MergeField("parent.postcode", "The postcode", "BC1 2AB"),
    MergeField("parent.phone", "Their phone number", "07700 900123"),
    MergeField("parent.email", "Their email address", "amina@example.org"),
    # The school and the LA
    MergeField("school.name", "The child's school (the one whose roll they are on)", "Millbrook Primary School"),
    MergeField("la.name", "The local authority", "Brindlecombe"),
    MergeField("la.team", "The team sending the letter", "School Attendance Support Team"),
    MergeField("la.phone", "The team's phone number", "01632 960000"),
    MergeField("la.email", "The team's email address", "attendance@brindlecombe.gov.uk"),
    MergeField("sender.name", "The person signing the letter", "Jo Patel"),
    MergeField("sender.role", "Their role", "Attendance Officer"),
    # Attendance this school year so far
    MergeField("attendance.year", "The school year", "2024/25"),
    MergeField("attendance.up_to", "The last day the figures count", "14 February 2025"),
    MergeField("attendance.sessions_possible", "Sessions (half days) the child could have attended", "204"),
    MergeField("attendance.sessions_attended", "Sessions attended", "180"),
    MergeField("attendance.sessions_missed", "Sessions missed, for any reason", "24"),
    MergeField("attendance.sessions_authorised", "Sessions missed with permission (illness, appointments)", "14"),
    MergeField("attendance.sessions_unauthorised", "Sessions missed without permission", "10"),
    MergeField("attendance.days_missed", "School days missed (two sessions a day)", "12"),
    MergeField("attendance.percent", "Attendance: sessions attended out of those possible", "88.2%"),
    MergeField("attendance.absence_percent", "Absence: sessions missed out of those possible", "11.8%"),
    MergeField("attendance.hours_missed", "Hours of learning missed so far (5 hours a school day)", "60"),
    MergeField("attendance.days_a_year", "Days a whole school year at this attendance would miss", "23.5"),
    MergeField(
        "attendance.hours_a_year", "Hours of learning a whole school year at this attendance would miss", "117.5"
    ),
    MergeField(
        "attendance.hours_school_life",
        "Hours of learning missed from Reception to Year 11 at this attendance",
        "1,410",
    ),
    MergeField("absence.last_date", "The most recent school day the child was absent", "Monday 3 March 2025"),
    # A meeting the letter invites them to (filled in when the letter is made)
    MergeField("meeting.date", "The meeting's date", "Tuesday 11 March 2025"),
    MergeField("meeting.time", "The meeting's time", "9:30am"),
    MergeField("meeting.place", "Where the meeting is", "Millbrook Primary School, the family room"),
    MergeField("meeting.with", "Who the parent will meet", "Mrs Khan, the school's attendance lead"),
)

#: The fields' names, for checking a template.
FIELD_NAMES: frozenset[str] = frozenset(f.name for f in MERGE_FIELDS)


class LetterError(AttendwiseError):
    """A letter that cannot be made as asked (an unknown pupil, a parent who is not theirs)."""


@dataclass(frozen=True)
class Sender:
    """Who the letter is from: the LA's team and the person signing (the LA's name comes from the store)."""

    team: str = "School Attendance Support Team"
    phone: str = ""
    email: str = ""
    name: str = ""
    role: str = ""
    la_name: str = ""


@dataclass(frozen=True)
class Meeting:
    """A meeting a letter invites the parent to."""

    date: dt.date | None = None
    time: str = ""
    place: str = ""
    with_: str = ""


@dataclass(frozen=True)
class LetterContext:
    """The values of every merge field for one letter: one pupil, to one parent (or to no one in particular)."""

    upn: str
    contact_id: str | None
    values: Mapping[str, str] = field(default_factory=dict)

    def nested(self) -> dict[str, Any]:
        """The values as a template reads them: ``{"pupil": {"first_name": ...}, "date": ...}``."""
        out: dict[str, Any] = {}
        for name, value in self.values.items():
            *groups, last = name.split(".")
            node = out
            for g in groups:
                node = node.setdefault(g, {})
            node[last] = value
        return out


# -------------------------------------------------------------------------------------------------
# Formatting
# -------------------------------------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(text: object) -> str:
    """Text a letter may print: no control characters (a tab becomes a space; line breaks stay)."""
    return _CONTROL.sub("", str(text).replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))


def long_date(day: dt.date | None, *, weekday: bool = False) -> str:
    """``14 February 2025`` (``Friday 14 February 2025`` with ``weekday``); empty for none.

    >>> long_date(dt.date(2025, 2, 4), weekday=True)
    'Tuesday 4 February 2025'
    """
    if day is None:
        return ""
    return (f"{day:%A} " if weekday else "") + f"{day.day} {day:%B %Y}"


def number(value: Fraction | int, places: int = 1) -> str:
    """A count or a measure as a letter writes it: thousands separated, at most ``places`` decimals (halves
    rounded up), no trailing zeros.

    >>> number(Fraction(25, 2)), number(1200), number(Fraction(35, 3)), number(Fraction(1, 20))
    ('12.5', '1,200', '11.7', '0.1')
    """
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Fraction | None) -> str:
    """``88.2%`` from a fraction of 1 (one decimal, halves up); empty for none.

    >>> percent(Fraction(9, 10)), percent(Fraction(180, 204)), percent(None)
    ('90%', '88.2%', '')
    """
    return "" if value is None else number(100 * value) + "%"


_YEAR_GROUPS = {"N1": "Nursery 1", "N2": "Nursery 2", "R": "Reception"}
_PRONOUNS = {"F": "her", "M": "his"}


def _attendance_values(attendance: PupilAttendance | None, period: Period, settings: LearningHours) -> dict[str, str]:
    values = {f.name: "" for f in MERGE_FIELDS if f.group == "attendance"}
    values["attendance.year"] = period.academic_year.label
    values["attendance.up_to"] = long_date(period.end)
    if attendance is None or not attendance.sess_possible:
        return values
    time = attendance.learning_time(settings)
    values |= {
        "attendance.sessions_possible": number(attendance.sess_possible),
        "attendance.sessions_attended": number(attendance.sess_attended),
        "attendance.sessions_missed": number(attendance.sess_missed),
        "attendance.sessions_authorised": number(attendance.sess_authorised),
        "attendance.sessions_unauthorised": number(attendance.sess_unauthorised),
        "attendance.days_missed": number(attendance.days_missed),
        "attendance.percent": percent(attendance.attendance),
        "attendance.absence_percent": percent(1 - attendance.attendance) if attendance.attendance is not None else "",
        "attendance.hours_missed": number(attendance.hours_missed(settings)),
    }
    if time is not None:
        values |= {
            "attendance.days_a_year": number(time.days_a_year),
            "attendance.hours_a_year": number(time.hours_a_year),
            "attendance.hours_school_life": number(time.hours_school_life, 0),
        }
    return values


def merge_values(
    *,
    on: dt.date,
    pupil: Mapping[str, Any],
    parent: PupilContact | None,
    school_name: str,
    sender: Sender,
    period: Period,
    attendance: PupilAttendance | None,
    last_absent: dt.date | None = None,
    meeting: Meeting | None = None,
    settings: LearningHours = COVENTRY_LEARNING_HOURS,
) -> dict[str, str]:
    """The value of every merge field (:data:`MERGE_FIELDS`), as text, from what is known.

    ``pupil`` holds ``forename``, ``surname``, ``date_of_birth``, ``sex`` and ``nc_year``.
    """
    forename, surname = pupil.get("forename") or "", pupil.get("surname") or ""
    year = str(pupil.get("nc_year") or "")
    their = _PRONOUNS.get(str(pupil.get("sex") or ""), "their")
    values = {
        "date": long_date(on),
        "pupil.first_name": forename,
        "pupil.surname": surname,
        "pupil.full_name": " ".join(p for p in (forename, surname) if p),
        "pupil.date_of_birth": long_date(pupil.get("date_of_birth")),
        "pupil.year_group": _YEAR_GROUPS.get(year, f"Year {year}" if year else ""),
        "pupil.their": their,
        "school.name": school_name,
        "la.name": sender.la_name,
        "la.team": sender.team,
        "la.phone": sender.phone,
        "la.email": sender.email,
        "sender.name": sender.name,
        "sender.role": sender.role,
        "absence.last_date": long_date(last_absent, weekday=True),
        "meeting.date": long_date(meeting.date, weekday=True) if meeting else "",
        "meeting.time": meeting.time if meeting else "",
        "meeting.place": meeting.place if meeting else "",
        "meeting.with": meeting.with_ if meeting else "",
    }
    values |= {f.name: "" for f in MERGE_FIELDS if f.group == "parent"}
    if parent is not None:
        c = parent.contact
        values |= {
            "parent.title": c.title or "",
            "parent.first_name": c.forename or "",
            "parent.surname": c.surname,
            "parent.full_name": c.name,
            "parent.salutation": f"{c.title} {c.surname}" if c.title else c.name,
            "parent.relationship": parent.relationship,
            "parent.address": "\n".join(c.address_lines),
            "parent.address_one_line": ", ".join(c.address_lines),
            "parent.postcode": c.postcode or "",
            "parent.phone": c.phone or "",
            "parent.email": c.email or "",
        }
    values |= _attendance_values(attendance, period, settings)
    assert set(values) == FIELD_NAMES, set(values) ^ FIELD_NAMES
    return {k: _clean(v) for k, v in values.items()}


# -------------------------------------------------------------------------------------------------
# From the store
# -------------------------------------------------------------------------------------------------
def _is_parent(c: PupilContact) -> bool:
    """A parent in the Education Act 1996 s576: parental responsibility or day-to-day care."""
    return c.parental_responsibility or c.lives_with


def letter_contexts(
    store: Store,
    upns: str | Iterable[str],
    *,
    on: dt.date | None = None,
    sender: Sender | None = None,
    meeting: Meeting | None = None,
    contact_ids: Sequence[str] | None = None,
    period: Period | None = None,
    settings: LearningHours = COVENTRY_LEARNING_HOURS,
) -> list[LetterContext]:
    """One context per parent of each pupil (in the pupils' order, parents by priority).

    Args:
        store: the register store.
        upns: a pupil, or several (their attendance is read in one query).
        on: the letter's date (default today); the attendance figures run to the latest mark on or before it.
        sender: the team and the person signing (the LA's name defaults to the pupil's school's LA).
        meeting: a meeting the letter invites the parents to.
        contact_ids: write only to these of the pupils' contacts (each must be a contact of a pupil asked
            about); by default every contact with parental responsibility or day-to-day care.
        period: the attendance figures' period (default: the school year so far, up to ``on``).
        settings: how learning time is counted.

    A pupil with no parent recorded gets one context with the parent fields empty.
    """
    wanted = [upns] if isinstance(upns, str) else list(dict.fromkeys(upns))
    day = on or dt.date.today()
    period = period or year_so_far(store, day)
    figures = pupil_attendance(store, wanted, period)
    absences = last_absence(store, wanted, period)
    contacts = store.pupil_contacts(wanted)
    schools = store.pupil_schools(wanted)
    sender = sender or Sender()
    out: list[LetterContext] = []
    seen_contacts: set[str] = set()
    details_of = store.pupils_details(wanted)
    latest = store.latest_enrolments(wanted)
    las = {school.urn: school.la_name or school.la_code for school in store.schools()}
    for upn in wanted:
        details, enrolment = details_of.get(upn), latest.get(upn)
        if details is None or enrolment is None:
            raise LetterError(f"the store holds no pupil {upn}")
        forename, surname, dob, sex, _, _ = details
        pupil = {"forename": forename, "surname": surname, "date_of_birth": dob, "sex": sex, "nc_year": enrolment[7]}
        school_urn, school_name = (schools.get(upn) or [(enrolment[2], enrolment[3])])[0]
        base = sender if sender.la_name else _with_la(sender, las.get(school_urn, ""))
        theirs = contacts.get(upn, [])
        if contact_ids is not None:
            recipients = [c for c in theirs if c.contact.contact_id in contact_ids]
            seen_contacts |= {c.contact.contact_id for c in recipients}
        else:
            recipients = [c for c in theirs if _is_parent(c)]
        for parent in recipients or [None]:
            values = merge_values(
                on=day,
                pupil=pupil,
                parent=parent,
                school_name=school_name,
                sender=base,
                period=period,
                attendance=figures.get(upn),
                last_absent=absences.get(upn),
                meeting=meeting,
                settings=settings,
            )
            out.append(LetterContext(upn, parent.contact.contact_id if parent else None, values))
    if contact_ids is not None and (missing := [c for c in contact_ids if c not in seen_contacts]):
        raise LetterError(f"{', '.join(missing)} is not a contact of {', '.join(wanted)}")
    return out


def _with_la(sender: Sender, la_name: str) -> Sender:
    return Sender(sender.team, sender.phone, sender.email, sender.name, sender.role, la_name)
