"""The demo city's calendar: English term dates, bank holidays, LA-wide INSET days and Eid.

Each academic year's half terms follow the English pattern (see :mod:`attendwise.demo`), so that every
school meets on 195 days: 190 pupil days after 5 INSET days, two of them LA-wide (the rest, and each
school's other closures, are chosen in :mod:`attendwise.demo.schools`).  Days are numbered as date32 does
(:func:`day_number`).  Imports :mod:`attendwise.core.calendar` (Easter) and :mod:`attendwise.demo.codes` (the
date the code set changes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from attendwise.core.calendar import easter_sunday
from attendwise.demo.codes import SWITCH_DATE

_EPOCH = dt.date(1970, 1, 1)


def day_number(d: dt.date) -> int:
    """The generator's day number of a date (days since 1 January 1970, as a date32 holds it)."""
    return (d - _EPOCH).days


def date_of(n: int) -> dt.date:
    """The date of a day number (:func:`day_number`)."""
    return _EPOCH + dt.timedelta(days=int(n))


def weekday_on_or_after(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def monday_on_or_after(d: dt.date) -> dt.date:
    return d + dt.timedelta(days=(-d.weekday()) % 7)


def _weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    n = (end - start).days + 1
    days = (start + dt.timedelta(days=i) for i in range(max(n, 0)))
    return [d for d in days if d.weekday() < 5]


# Bank holidays that moved or were added (VE Day 2020, the Queen's funeral, the Coronation).
_EARLY_MAY_MOVED = {2020: dt.date(2020, 5, 8)}
_EXTRA_BANK_HOLIDAYS = [dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19), dt.date(2023, 5, 8)]
_EID_AL_FITR_2025 = dt.date(2025, 3, 30)
_LUNAR_YEAR = 354.36707


def eid_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Approximate dates of Eid al-Fitr and Eid al-Adha between two dates (within a day or so)."""
    out = []
    for k in range(-80, 80):
        fitr = _EID_AL_FITR_2025 + dt.timedelta(days=round(k * _LUNAR_YEAR))
        for eid in (fitr, fitr + dt.timedelta(days=68)):
            if start <= eid <= end:
                out.append(eid)
    return sorted(out)


@dataclass(frozen=True)
class HalfTerm:
    term: str
    half: int
    start: dt.date
    end: dt.date


@dataclass
class YearCalendar:
    """One academic year of the LA calendar and each school's meeting days."""

    year: int
    half_terms: list[HalfTerm]
    bank_holidays: list[dt.date]
    la_inset: list[dt.date]
    inset_candidates: list[dt.date]
    days: np.ndarray  # int32 day numbers: term weekdays less bank holidays and LA-wide INSET
    # filled per school by attendwise.demo.schools.school_closures
    closures: list[tuple[int | None, dt.date, str, str]] = field(default_factory=list)
    meets_am: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))
    meets_pm: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def code_set(self) -> int:
        return 1 if dt.date(self.year, 9, 1) >= SWITCH_DATE else 0

    @property
    def n_days(self) -> int:
        return int(self.days.size)

    def half_term_of_days(self) -> np.ndarray:
        """The half term (0-5) of each day in ``days``."""
        ends = np.array([day_number(h.end) for h in self.half_terms])
        return np.searchsorted(ends, self.days, side="left").astype(np.int8)

    def index_of(self, d: dt.date, side: str = "left") -> int:
        return int(np.searchsorted(self.days, day_number(d), side=side))  # type: ignore[call-overload]


def academic_calendar(year: int, pupil_days: int = 190, inset_days: int = 5) -> YearCalendar:
    """English LA term dates for the academic year starting in September ``year``."""
    one = dt.timedelta(days=1)
    a1s = weekday_on_or_after(dt.date(year, 9, 2))
    oct_ht = monday_on_or_after(dt.date(year, 10, 22))
    dec22 = dt.date(year, 12, 22)
    a2e = dec22 - dt.timedelta(days=(dec22.weekday() - 4) % 7)
    s1s = weekday_on_or_after(dt.date(year + 1, 1, 4))
    feb_ht = monday_on_or_after(dt.date(year + 1, 2, 12))
    easter = easter_sunday(year + 1)
    may31 = dt.date(year + 1, 5, 31)
    may_ht = may31 - dt.timedelta(days=may31.weekday())
    halves = [
        ("autumn", 1, a1s, oct_ht - 3 * one),
        ("autumn", 2, oct_ht + 7 * one, a2e),
        ("spring", 1, s1s, feb_ht - 3 * one),
        ("spring", 2, feb_ht + 7 * one, easter - 9 * one),
        ("summer", 1, easter + 8 * one, may_ht - 3 * one),
    ]
    early_may = _EARLY_MAY_MOVED.get(year + 1, monday_on_or_after(dt.date(year + 1, 5, 1)))
    candidates = [early_may, *_EXTRA_BANK_HOLIDAYS]
    term_days = {d for _, _, s, e in halves for d in _weekdays(s, e)}
    su2s = may_ht + 7 * one
    summer2 = _weekdays(su2s, dt.date(year + 1, 7, 31))
    bank_in_summer2 = {d for d in candidates if su2s <= d <= summer2[-1]}
    before = len(term_days - set(candidates))
    need = pupil_days + inset_days - before
    usable = [d for d in summer2 if d not in bank_in_summer2]
    end = usable[max(0, min(need, len(usable)) - 1)]
    end = min(max(end, weekday_on_or_after(dt.date(year + 1, 7, 15))), dt.date(year + 1, 7, 24))
    halves.append(("summer", 2, su2s, end))
    term_days |= set(_weekdays(su2s, end))
    bank = sorted(d for d in candidates if d in term_days)
    la_inset = [a1s, s1s]
    meeting = sorted(term_days - set(bank) - set(la_inset))
    half_terms = [HalfTerm(t, h, s, e) for t, h, s, e in halves]
    cands = [
        meeting[0],  # second day of autumn
        halves[0][3], halves[1][2], halves[2][3], halves[3][2], halves[4][2], halves[4][3], su2s, end,
    ]  # fmt: skip
    cands = sorted({weekday_on_or_after(c) for c in cands} & set(meeting))
    return YearCalendar(
        year=year,
        half_terms=half_terms,
        bank_holidays=bank,
        la_inset=la_inset,
        inset_candidates=cands,
        days=np.array([day_number(d) for d in meeting], dtype=np.int32),
    )


def last_day_before_february_half_term(year: int) -> dt.date:
    """The last school day before the February half term (the end of spring 1) of the generated
    calendar for the academic year starting in September ``year``: a Friday in mid-February."""
    return academic_calendar(year).half_terms[2].end
